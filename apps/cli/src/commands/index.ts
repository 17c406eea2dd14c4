import type { Command } from 'commander';
import { loadConfig } from '@fleetfm/config';
import { runAll, runApiServer, runIngestWorker, runSimulator } from '@fleetfm/runtime';
import { registerCalibrateCommand } from './calibrate.command';
import { registerCalibrateForecastCommand } from './calibrate-forecast.command';
import { registerForecastCommand } from './forecast.command';
import { registerEvalCommand } from './eval.command';
import { registerEmbedCommand } from './embed.command';
import { registerDetectCommand } from './detect.command';
import { registerTrainCommands } from './train.command';
import { registerFinetuneCommand } from './finetune.command';

export function registerCommands(program: Command): void {
  program
    .command('start')
    .description(
      'run everything in one process: simulated fleet, stream, ingest, store, API and dashboard',
    )
    .action(() => runAll(loadConfig()));
  program
    .command('serve')
    .description('run the HTTP API and dashboard only, over the configured store')
    .action(() => runApiServer(loadConfig()));
  program
    .command('ingest')
    .description('run an ingest worker: stream -> validate -> store; invalid input dead-lettered')
    .action(() => runIngestWorker(loadConfig()));
  program
    .command('simulate')
    .description('run the simulated fleet only, publishing to the configured stream')
    .action(() => runSimulator(loadConfig()));
  registerForecastCommand(program);
  registerEvalCommand(program);
  registerEmbedCommand(program);
  registerDetectCommand(program);
  registerCalibrateCommand(program);
  registerCalibrateForecastCommand(program);
  registerTrainCommands(program);
  registerFinetuneCommand(program);
}
