import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  DETECTOR_CALIBRATION_FILE,
  fitModelFreeCalibration,
  simulateNormalFleet,
  writeDetectorCalibration,
} from '@fleetfm/anomaly';
import { loadConfig } from '@fleetfm/config';
import { InvalidRequestError, NotFoundError } from '@fleetfm/domain';
import { MANIFEST_JSON } from '@fleetfm/model';
import { loadTraceLibrary } from '@fleetfm/simulator';

interface CalibrateOptions {
  model?: string;
  vehicles: string;
  hours: string;
}

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!(value > 0))
    throw new InvalidRequestError(`--${name} must be a positive number, got "${raw}"`);
  return value;
}

/**
 * `fleetfm calibrate`: fits the model-free anomaly detectors (stuck, spike, drift, braking) on a
 * simulated fleet without anomalies and writes the calibration next to the checkpoint, where
 * `fleetfm detect` and `fleetfm eval` read it.
 */
export function registerCalibrateCommand(program: Command): void {
  program
    .command('calibrate')
    .description(
      `calibrate the anomaly detectors on a normal simulated fleet; writes ${DETECTOR_CALIBRATION_FILE} into the checkpoint`,
    )
    .option('--model <dir>', 'checkpoint folder; default FLEETFM_MODEL_DIR (models/default)')
    .option('--vehicles <n>', 'vehicles in the calibration fleet', '12')
    .option('--hours <h>', 'simulated hours per vehicle (1 Hz)', '1')
    .action(async (opts: CalibrateOptions) => {
      const config = loadConfig();
      const dir = path.resolve(opts.model ?? config.modelDir);
      if (!fs.existsSync(path.join(dir, MANIFEST_JSON))) {
        throw new NotFoundError(`no model at ${dir}: run \`fleetfm train\` or pass --model`);
      }
      const vehicles = Math.round(positive('vehicles', opts.vehicles));
      const durationS = Math.round(positive('hours', opts.hours) * 3600);
      const library = loadTraceLibrary(config.sharedDataDir);
      const started = Date.now();
      const state = fitModelFreeCalibration(simulateNormalFleet(library, vehicles, durationS));
      const file = writeDetectorCalibration(dir, state);
      console.log(
        `calibrated on ${vehicles} vehicles x ${opts.hours} h in ${((Date.now() - started) / 1000).toFixed(1)} s: ${path.relative(process.cwd(), file)}`,
      );
    });
}
