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
/**
 * Timed steps per engine. The 1-worker and the 2-worker engine run side by side and take turns
 * step by step (in alternating order), so both see the same minute of this shared VM host: its
 * speed drifts by ±25 % over tens of seconds, which made rounds of 10 steps each swing between
 * 1.5× and 1.9×. TRAIN_BENCH_PAIRS overrides.
 */
const PAIRS = Math.max(3, Number(process.env.TRAIN_BENCH_PAIRS ?? 36) || 36);
/** Blocks the pairs are split into for the lowest / highest ratio. */
const BLOCKS = 3;
/**
 * A pair during which other processes took more than this many cores (machine busy time from
 * os.cpus() minus this process's CPU time) is left out and measured again: the CPU lock keeps
 * our own jobs apart, but not every process on the machine takes it, and a neighbour on one
 * core leaves a 1-worker step alone and halves a 2-worker one. How many were left out is
 * reported.
 */
const MAX_FOREIGN_CORES = 0.15;
/** Pairs are measured until PAIRS are clean, or this many in all. */
const MAX_PAIRS = 3 * PAIRS;

interface Timed {
  readonly ms: number;
  readonly cpuS: number;
  readonly foreignCpuS: number;
}

/** Busy (non-idle) CPU time of the whole machine so far, s. */
function machineBusyS(): number {
  const ms = os
    .cpus()
    .reduce((t, c) => t + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
  return ms / 1000;
}

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

/** One engine and its batches; `timed` runs its next step and measures it. */
class Runner {
  private next = 0;
  private readonly batches: ForecastBatch[];

  private constructor(
    readonly workers: number,
    readonly engine: WorkerPoolEngine,
    config: PatchModelConfig,
  ) {
    this.batches = [0, 1, 2].map((s) => batchOf(config, this.batch, s));
  }

  get batch(): number {
    return PER_WORKER * this.workers;
  }

  static async start(workers: number, config: PatchModelConfig): Promise<Runner> {
    const engine = await WorkerPoolEngine.start({
      backends: ['wasm'],
      init: { model: config },
      workers,
    });
    return new Runner(workers, engine, config);
  }

  async step(): Promise<void> {
    await this.engine.step(this.next, this.batches[this.next % 3], 1e-4);
    this.next++;
  }

  async timed(): Promise<Timed> {
    // CPU time of the whole process (all worker threads; the other engine's are idle): on a
    // shared machine the wall clock also measures the neighbours, CPU time only our work.
    const busy0 = machineBusyS();
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    await this.step();
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    return { cpuS, foreignCpuS: Math.max(0, machineBusyS() - busy0 - cpuS), ms };
  }

  async verify(): Promise<void> {
    const sums = await this.engine.checksums();
    if (new Set(sums).size !== 1) throw new Error(`replicas diverged: ${sums.join(', ')}`);
  }
}

/** Other processes' CPU use during a pair, in cores. */
function foreignCoresOf(pair: Record<number, Timed>): number {
  return (pair[1].foreignCpuS + pair[2].foreignCpuS) / ((pair[1].ms + pair[2].ms) / 1000);
}

/** 2 workers' time steps/s over 1 worker's, from the two step-time medians. */
function ratioOf(one: readonly Timed[], two: readonly Timed[]): number {
  return (2 * median(one.map((t) => t.ms))) / median(two.map((t) => t.ms));
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
    const runners = [await Runner.start(1, config), await Runner.start(2, config)];
    const pairs: Array<Record<number, Timed>> = [];
    try {
      for (const r of runners) for (let i = 0; i < WARMUP; i++) await r.step();
      let clean = 0;
      for (let p = 0; clean < PAIRS && p < MAX_PAIRS; p++) {
        const pair: Record<number, Timed> = {};
        for (const r of p % 2 === 0 ? runners : [...runners].reverse()) {
          pair[r.workers] = await r.timed();
        }
        pairs.push(pair);
        if (foreignCoresOf(pair) <= MAX_FOREIGN_CORES) clean++;
      }
      for (const r of runners) await r.verify();
    } finally {
      for (const r of runners) await r.engine.dispose();
    }
    const foreignCores = pairs.map(foreignCoresOf);
    const kept = pairs.filter((_, i) => foreignCores[i] <= MAX_FOREIGN_CORES);
    // When too few pairs were clean, the host stayed busy: all are reported as they are.
    const used = kept.length >= PAIRS / 2 ? kept : pairs;
    const blockSize = Math.ceil(used.length / BLOCKS);
    const blockRatios = Array.from({ length: BLOCKS }, (_, b) =>
      used.slice(b * blockSize, (b + 1) * blockSize),
    )
      .filter((block) => block.length > 0)
      .map((block) =>
        ratioOf(
          block.map((p) => p[1]),
          block.map((p) => p[2]),
        ),
      );
    const cpuUse: Record<number, number> = {};
    for (const workers of [1, 2]) {
      const steps = used.map((p) => p[workers]);
      const batch = PER_WORKER * workers;
      const stepMs = steps.map((t) => t.ms);
      const cpuS = steps.reduce((t, x) => t + x.cpuS, 0);
      const wallS = stepMs.reduce((t, x) => t + x, 0) / 1000;
      cpuUse[workers] = cpuS / wallS;
      const perCpuS = (batch * config.contextLength * steps.length) / cpuS;
      const cpuFraction = (perSeries * batch * steps.length) / cpuS / 1e9 / peak;
      const step = median(stepMs);
      const timeSteps = (batch * config.contextLength * 1000) / step;
      // Model FLOPs of the loss path, forward + backward (trainFlopsPerSeries).
      const gflops = (perSeries * batch) / step / 1e6;
      const fraction = gflops / (peak * workers);
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
    }
    const ratio = ratioOf(
      used.map((p) => p[1]),
      used.map((p) => p[2]),
    );
    const cpuOf = (workers: number): number =>
      (PER_WORKER * workers * used.length) / used.reduce((t, p) => t + p[workers].cpuS, 0);
    metrics.push(
      {
        metric: `2 workers / 1 worker (time steps/s, ${used.length} paired steps)`,
        pass: ratio >= 1.7,
        target: '>= 1.7×',
        unit: '×',
        value: ratio,
      },
      {
        metric: `2 workers / 1 worker, lowest of ${blockRatios.length} blocks`,
        unit: '×',
        value: Math.min(...blockRatios),
      },
      {
        metric: `2 workers / 1 worker, highest of ${blockRatios.length} blocks`,
        unit: '×',
        value: Math.max(...blockRatios),
      },
      {
        metric: '2 workers / 1 worker (work per CPU-second)',
        unit: '×',
        value: cpuOf(2) / cpuOf(1),
      },
      {
        metric: `pairs with other processes busy (> ${MAX_FOREIGN_CORES} cores)`,
        unit: 'pairs',
        value: pairs.length - kept.length,
      },
    );
    metrics.push({
      metric: 'peak RSS (main + workers)',
      unit: 'MB',
      value: process.resourceUsage().maxRSS / 1024,
    });
    return {
      meta: {
        backend,
        blockRatios,
        coresUsed: cpuUse,
        flopModel:
          'trainFlopsPerSeries: 3 × forward matMuls of the loss path − data-input gradients (multiply-add = 2)',
        // Other processes' CPU use during each pair (cores), in order.
        foreignCores,
        forwardMflopPerSeries: fwd / 1e6,
        loadAverage: os.loadavg(),
        matMulWarmup: { ms: mm.warmupMs, runs: mm.warmupRuns },
        model: config,
        pairs: PAIRS,
        pairsUsed: used.length,
        perWorkerBatch: PER_WORKER,
        stepMs: { 1: pairs.map((p) => p[1].ms), 2: pairs.map((p) => p[2].ms) },
        trainMflopPerSeries: perSeries / 1e6,
        warmupSteps: WARMUP,
      },
      metrics,
      name: 'train',
    };
  },
};

export default bench;
