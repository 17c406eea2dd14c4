import 'reflect-metadata';
import { Command } from 'commander';
import { registerCommands } from './commands';

/** The `fleetfm` command. Each sub-command is a thin composition of libs. */
async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('fleetfm')
    .description('FleetFM: fleet telemetry, forecasting, anomaly detection and embeddings')
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(`\x1b[31m${str}\x1b[0m`) });
  registerCommands(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  // Domain and config errors carry a message meant for the user; anything else gets a stack.
  const error = err as Error;
  const userFacing = ['ConfigError', 'InvalidRequestError', 'ValidationError', 'NotFoundError'];
  console.error(userFacing.includes(error?.name) ? `fleetfm: ${error.message}` : error);
  process.exit(1);
});
