import * as os from 'node:os';
import {
  DEFAULT_MODEL_ARGS,
  WorkerPoolEngine,
  forwardFlopsPerSeries,
  trainFlopsPerSeries,
  makeForecastBatch,
  selectBackend,
  type ForecastBatch,
  type PatchModelConfig,
} from '@fleetfm/model';
import { PatchTokenizer } from '@fleetfm/tokenizer';
import { matMulGflops } from './matmul-ceiling';
import { median, type BenchMetric, type Benchmark } from './harness';

/** Windows per worker per step (weak scaling: two workers take twice the batch). */
const PER_WORKER = 64;
const WARMUP = 3;
const TIMED = 10;

function batchOf(config: PatchModelConfig, n: number, seed: number): ForecastBatch {
  const tokenizer = new PatchTokenizer({
    contextLength: config.contextLength,
    patchLength: config.patchLength,
  });
  const length = config.contextLength + config.horizon;
  const windows = Array.from({ length: n }, (_, i) => ({
    series: Float32Array.from(
      { length },
      (_, t) => 30 + 10 * Math.sin((2 * Math.PI * (t + seed)) / (20 + ((i * 7 + seed) % 60))),
    ),
    signalId: 1 + (i % 9),
  }));
  return makeForecastBatch(windows, tokenizer, config.horizon);
}

async function measure(
  workers: number,
  config: PatchModelConfig,
): Promise<{ stepMs: number[]; batch: number; cpuS: number; wallS: number }> {
  const batch = PER_WORKER * workers;
  const batches = [0, 1, 2].map((s) => batchOf(config, batch, s));
  const engine = await WorkerPoolEngine.start({
    backends: ['wasm'],
    init: { model: config },
    workers,
  });
  try {
    for (let i = 0; i < WARMUP; i++) await engine.step(i, batches[i % 3], 1e-4);
    const stepMs: number[] = [];
    // CPU time of the whole process (all worker threads): on a shared machine the wall clock
    // mostly measures the neighbours, CPU time measures our work (barrier waits cost none).
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    for (let i = 0; i < TIMED; i++) {
      const start = performance.now();
      await engine.step(WARMUP + i, batches[i % 3], 1e-4);
      stepMs.push(performance.now() - start);
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const wallS = (performance.now() - wall0) / 1000;
    const sums = await engine.checksums();
    if (new Set(sums).size !== 1) throw new Error(`replicas diverged: ${sums.join(', ')}`);
    return { batch, cpuS, stepMs, wallS };
  } finally {
    await engine.dispose();
  }
}

const bench: Benchmark = {
  description:
    'Pretraining throughput through the data-parallel engine (default ≈3M model, 64 windows per worker per step) on 1 and 2 worker threads, vs the 512³ matMul peak of this run',
  name: 'train',
  async run() {
    const backend = await selectBackend({ prefer: ['wasm', 'cpu'] });
    const config = DEFAULT_MODEL_ARGS;
    const mm = matMulGflops();
    const peak = mm.peak;
    const fwd = forwardFlopsPerSeries(config);
    const perSeries = trainFlopsPerSeries(config);
    const metrics: BenchMetric[] = [
      { metric: 'matMul 512³ median (1 core)', unit: 'GFLOP/s', value: mm.median },
      { metric: 'matMul 512³ peak (1 core)', unit: 'GFLOP/s', value: peak },
      { metric: 'matMul 512³ median, CPU time (1 core)', unit: 'GFLOP/s', value: mm.cpuMedian },
    ];
    const runs: Record<number, number[]> = {};
    let perSec1 = 0;
    let perCpu1 = 0;
    const cpuUse: Record<number, number> = {};
    for (const workers of [1, 2]) {
      const { stepMs, batch, cpuS, wallS } = await measure(workers, config);
      runs[workers] = stepMs;
      cpuUse[workers] = cpuS / wallS;
      const perCpuS = (batch * config.contextLength * TIMED) / cpuS;
      const cpuFraction = (perSeries * batch * TIMED) / cpuS / 1e9 / peak;
      const step = median(stepMs);
      const timeSteps = (batch * config.contextLength * 1000) / step;
      // Model FLOPs of the loss path, forward + backward (trainFlopsPerSeries).
      const gflops = (perSeries * batch) / step / 1e6;
      const fraction = gflops / (peak * workers);
      if (workers === 1) {
        perSec1 = timeSteps;
        perCpu1 = perCpuS;
      }
      metrics.push(
        { metric: `${workers} worker(s): step (batch ${batch})`, unit: 'ms', value: step },
        { metric: `${workers} worker(s): time steps/s`, unit: 'steps/s', value: timeSteps },
        { metric: `${workers} worker(s): achieved`, unit: 'GFLOP/s', value: gflops },
        {
          metric: `${workers} worker(s): fraction of ${workers}× matMul peak`,
          pass: workers === 1 ? fraction >= 0.6 : undefined,
          target: workers === 1 ? '>= 60%' : undefined,
          unit: '%',
          value: 100 * fraction,
        },
        {
          metric: `${workers} worker(s): fraction of ${workers}× matMul median`,
          unit: '%',
          value: (100 * gflops) / (mm.median * workers),
        },
        {
          metric: `${workers} worker(s): time steps per CPU-second`,
          unit: 'steps/CPU-s',
          value: perCpuS,
        },
        {
          metric: `${workers} worker(s): per CPU-second, fraction of matMul peak`,
          unit: '%',
          value: 100 * cpuFraction,
        },
        {
          metric: `${workers} worker(s): per CPU-second, fraction of matMul CPU-time median`,
          unit: '%',
          value: (100 * cpuFraction * peak) / mm.cpuMedian,
        },
        {
          metric: `${workers} worker(s): cores used (CPU-s / wall-s)`,
          unit: 'cores',
          value: cpuS / wallS,
        },
      );
      if (workers === 2) {
        metrics.push({
          metric: '2 workers / 1 worker (time steps/s)',
          pass: timeSteps / perSec1 >= 1.7,
          target: '>= 1.7×',
          unit: '×',
          value: timeSteps / perSec1,
        });
        metrics.push({
          metric: '2 workers / 1 worker (work per CPU-second)',
          unit: '×',
          value: perCpuS / perCpu1,
        });
      }
    }
    metrics.push({
      metric: 'peak RSS (main + workers)',
      unit: 'MB',
      value: process.resourceUsage().maxRSS / 1024,
    });
    return {
      meta: {
        backend,
        coresUsed: cpuUse,
        flopModel:
          'trainFlopsPerSeries: 3 × forward matMuls of the loss path − data-input gradients (multiply-add = 2)',
        trainMflopPerSeries: perSeries / 1e6,
        loadAverage: os.loadavg(),
        matMulWarmup: { ms: mm.warmupMs, runs: mm.warmupRuns },
        forwardMflopPerSeries: fwd / 1e6,
        model: config,
        perWorkerBatch: PER_WORKER,
        stepMs: runs,
        timedSteps: TIMED,
        warmupSteps: WARMUP,
      },
      metrics,
      name: 'train',
    };
  },
};

export default bench;
