import {
  AnomalyDetectionService,
  fitModelFreeCalibration,
  simulateNormalFleet,
  writeDetectorCalibration,
  type ComponentName,
} from '@fleetfm/anomaly';
import { evaluateAnomalies, DEFAULT_EVAL_OPTIONS } from '@fleetfm/evaluation';
import { loadModelDir, PatchForecastAdapter } from '@fleetfm/forecasting';
import { selectBackend } from '@fleetfm/model';
import { loadTraceLibrary } from '@fleetfm/simulator';
import path from 'node:path';
import type { Benchmark, BenchMetric, BenchResult } from './harness';

/**
 * Anomaly AUC-PR of the eval's anomaly task (same seeded fleet and labels as `fleetfm eval`) for
 * each detector component alone and combined. Model-free components only unless
 * FLEETFM_BENCH_MODEL names a checkpoint directory (then the forecast surprise is included).
 * Sizes: ANOMALY_BENCH_VEHICLES / ANOMALY_BENCH_DURATION_S (default: the eval's); another fleet
 * than the eval's: ANOMALY_BENCH_SEED (checks that a change is not tuned to one seed); only some
 * of the component sets: ANOMALY_BENCH_SETS (comma-separated labels, e.g. `all`). The model-free
 * calibrators are fitted on a normal (anomaly-free) fleet of ANOMALY_CAL_VEHICLES (default 12) of
 * its own seed; with ANOMALY_WRITE_CALIBRATION=1 they are written as the checkpoint's sidecar.
 */
const bench: Benchmark = {
  description: 'anomaly AUC-PR per detector component on the eval fleet',
  name: 'anomaly',
  async run(): Promise<BenchResult> {
    const env = process.env;
    const o = {
      ...DEFAULT_EVAL_OPTIONS.anomaly,
      durationS: Number(env.ANOMALY_BENCH_DURATION_S ?? DEFAULT_EVAL_OPTIONS.anomaly.durationS),
      seed: env.ANOMALY_BENCH_SEED === undefined ? undefined : Number(env.ANOMALY_BENCH_SEED),
      vehicles: Number(env.ANOMALY_BENCH_VEHICLES ?? DEFAULT_EVAL_OPTIONS.anomaly.vehicles),
    };
    const library = loadTraceLibrary(path.resolve(__dirname, '..', '..', '..', 'shared', 'data'));
    const modelDir = env.FLEETFM_BENCH_MODEL;
    if (modelDir) await selectBackend();
    const loaded = modelDir ? await loadModelDir(modelDir) : undefined;
    const model = loaded
      ? new PatchForecastAdapter(loaded.model, loaded.manifest.tokenizer)
      : (undefined as unknown as PatchForecastAdapter);
    const started = performance.now();
    const calVehicles = Number(env.ANOMALY_CAL_VEHICLES ?? 12);
    const calibration = fitModelFreeCalibration(
      simulateNormalFleet(library, calVehicles, o.durationS),
    );
    console.log(`calibration fitted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (modelDir && env.ANOMALY_WRITE_CALIBRATION === '1') {
      console.log(`wrote ${writeDetectorCalibration(modelDir, calibration)}`);
    }
    const selfCalibrated = new AnomalyDetectionService(model, loaded?.manifest.calibrator);
    const service = new AnomalyDetectionService(model, loaded?.manifest.calibrator, calibration);
    const sets: Array<[string, ComponentName[]]> = [
      ['stuck', ['stuck']],
      ['spike', ['spike']],
      ['drift', ['drift']],
      ['braking', ['braking']],
      ['physics', ['physics']],
      ['model-free', ['stuck', 'spike', 'braking', 'physics']],
      ['no-physics', ['stuck', 'spike', 'braking']],
      ['with-drift', ['stuck', 'spike', 'braking', 'physics', 'drift']],
    ];
    if (loaded && env.ANOMALY_BENCH_SURPRISE !== '0') sets.unshift(['surprise', ['surprise']]);
    const r0 = await evaluateAnomalies(selfCalibrated, {
      ...o,
      components: ['stuck', 'spike', 'braking', 'physics'],
      library,
    });
    console.log(`model-free, calibrated on the input itself: AUC-PR ${r0.aucPr.toFixed(3)}`);
    if (loaded) sets.push(['all', ['surprise', 'stuck', 'spike', 'braking', 'physics']]);
    const only = env.ANOMALY_BENCH_SETS?.split(',');
    const metrics: BenchMetric[] = [];
    for (const [label, components] of sets.filter(([l]) => !only || only.includes(l))) {
      const r = await evaluateAnomalies(service, { ...o, components, library });
      const kinds = Object.entries(r.aucPrByKind)
        .map(([k, v]) => `${k} ${(v as number).toFixed(3)}`)
        .join(', ');
      console.log(
        `${label}: AUC-PR ${r.aucPr.toFixed(3)} (chance ${r.chanceAucPr.toFixed(3)}), best F1 ${r.bestF1.f1.toFixed(3)} @ ${r.bestF1.threshold.toFixed(4)}; ${kinds}`,
      );
      metrics.push({ metric: `${label} AUC-PR`, unit: '', value: r.aucPr });
    }
    return { metrics, name: 'anomaly' };
  },
};

export default bench;
