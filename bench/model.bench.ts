import * as os from 'node:os';
import {
  DEFAULT_MODEL_ARGS,
  DEFAULT_ROUGHNESS_BOUNDS,
  Forecaster,
  PatchModel,
  Trainer,
  forwardFlopsPerSeries,
  trainFlopsPerSeries,
  makeForecastBatch,
  selectBackend,
} from '@fleetfm/model';
import { PatchTokenizer } from '@fleetfm/tokenizer';
import { cpuMs, matMul512Rate, matMulGflops, timeMs } from './matmul-ceiling';
import { median, percentile, type BenchMetric, type Benchmark } from './harness';

const BATCH = 64;
/** Train steps each timed right after a matMul rate (see the paired fraction). */
const PAIRS = 12;

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function sineWindows(n: number, length: number, seed: number): Float32Array[] {
  return Array.from({ length: n }, (_, i) => {
    const period = 20 + ((i * 7 + seed) % 60);
    return Float32Array.from(
      { length },
      (_, t) => 30 + 10 * Math.sin((2 * Math.PI * (t + seed)) / period) + ((t * 13 + i) % 7) * 0.1,
    );
  });
}

interface ForecastTimes {
  readonly oneMs: number[];
  readonly oneCpuMs: number[];
  readonly batchMs: number[];
  readonly batchCpuMs: number[];
}

/** Wall and process CPU time of forecasts of one series and of a batch, after a warm-up. */
async function forecastTimes(
  forecaster: Forecaster,
  one: Float32Array[],
  many: Float32Array[],
  oneRuns: number,
  batchRuns: number,
): Promise<ForecastTimes> {
  const t: ForecastTimes = { batchCpuMs: [], batchMs: [], oneCpuMs: [], oneMs: [] };
  const run = async (series: Float32Array[], ms: number[], cpuMs: number[]): Promise<void> => {
    const cpu0 = process.cpuUsage();
    ms.push(await timeAsync(() => forecaster.forecast(series)));
    const cpu = process.cpuUsage(cpu0);
    cpuMs.push((cpu.user + cpu.system) / 1000);
  };
  for (let i = 0; i < 20; i++) await forecaster.forecast(one);
  for (let i = 0; i < oneRuns; i++) await run(one, t.oneMs, t.oneCpuMs);
  for (let i = 0; i < 2; i++) await forecaster.forecast(many);
  for (let i = 0; i < batchRuns; i++) await run(many, t.batchMs, t.batchCpuMs);
  return t;
}

const bench: Benchmark = {
  description:
    'Patch transformer (default config ≈3M params): matMul ceiling, training throughput at batch 64, inference latency and throughput',
  name: 'model',
  async run() {
    const backend = await selectBackend();
    const metrics: BenchMetric[] = [];
    const mm = matMulGflops();
    metrics.push({ metric: 'matMul 512³ (median)', unit: 'GFLOP/s', value: mm.median });
    metrics.push({ metric: 'matMul 512³ (peak)', unit: 'GFLOP/s', value: mm.peak });
    metrics.push({
      metric: 'matMul 512³ (median, CPU time)',
      unit: 'GFLOP/s',
      value: mm.cpuMedian,
    });

    const config = DEFAULT_MODEL_ARGS;
    const model = new PatchModel(config);
    const tokenizer = new PatchTokenizer({
      contextLength: config.contextLength,
      patchLength: config.patchLength,
    });
    const fwd = forwardFlopsPerSeries(model.config);

    // Training: model FLOPs of the loss path, forward + backward (trainFlopsPerSeries).
    const trainFlops = trainFlopsPerSeries(model.config);
    const trainer = new Trainer(model);
    const batches = [0, 1, 2].map((s) =>
      makeForecastBatch(
        sineWindows(BATCH, config.contextLength + config.horizon, s).map((series) => ({ series })),
        tokenizer,
        config.horizon,
      ),
    );
    for (let i = 0; i < 3; i++) trainer.trainStep(batches[i % 3]);
    const stepMs: number[] = [];
    const stepCpuMs: number[] = [];
    for (let i = 0; i < 8; i++) {
      stepCpuMs.push(cpuMs(() => stepMs.push(timeMs(() => trainer.trainStep(batches[i % 3])))));
    }
    // Paired: a matMul rate right before each step, so both see the same host speed (on a
    // shared host the rate drifts between phases; a ratio of unpaired medians inherits that).
    const pairedFraction: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const ceiling = median(Array.from({ length: 4 }, () => matMul512Rate()));
      const ms = timeMs(() => trainer.trainStep(batches[i % 3]));
      pairedFraction.push((trainFlops * BATCH) / ms / 1e6 / ceiling);
    }
    const step = median(stepMs);
    const trainCpuGflops = (trainFlops * BATCH) / median(stepCpuMs) / 1e6;
    const trainGflops = (trainFlops * BATCH) / step / 1e6;
    metrics.push(
      { metric: 'train step (batch 64)', unit: 'ms', value: step },
      {
        metric: 'train time steps/s',
        unit: 'steps/s',
        value: (BATCH * config.contextLength * 1000) / step,
      },
      { metric: 'train series/s', unit: 'series/s', value: (BATCH * 1000) / step },
      { metric: 'train achieved', unit: 'GFLOP/s', value: trainGflops },
      {
        metric: `train fraction of matMul (paired, median of ${PAIRS} pairs)`,
        pass: median(pairedFraction) >= 0.6,
        target: '>= 60%',
        unit: '%',
        value: 100 * median(pairedFraction),
      },
      { metric: 'train fraction of matMul peak', unit: '%', value: (100 * trainGflops) / mm.peak },
      {
        metric: 'train fraction of matMul median',
        unit: '%',
        value: (100 * trainGflops) / mm.median,
      },
      // Single-threaded, so on a quiet machine CPU time = wall time; on a shared one it leaves
      // out the time other processes held the core.
      { metric: 'train step (CPU time)', unit: 'ms', value: median(stepCpuMs) },
      {
        metric: 'train fraction of matMul median (CPU time)',
        unit: '%',
        value: (100 * trainCpuGflops) / mm.cpuMedian,
      },
    );
    trainer.dispose();

    // Inference through the public API: raw series in, de-normalised quantiles out. The
    // Forecaster runs the lean SIMD engine (large batches shared with a worker thread) with a
    // level blend on every series (the most a checkpoint's forecast-blend.json can add: every
    // roughness class blended, the longest level window); the tfjs path
    // (PatchModel.predictQuantiles) is measured beside it for reference.
    const everyClass = { weights: new Array<number>(config.horizon).fill(0.5), window: 128 };
    const forecaster = new Forecaster(
      model,
      {},
      {
        levelBlend: {
          roughnessBounds: [...DEFAULT_ROUGHNESS_BOUNDS],
          signals: { '0': DEFAULT_ROUGHNESS_BOUNDS.map(() => everyClass).concat(everyClass) },
          version: 1,
        },
      },
    );
    const one = sineWindows(1, config.contextLength, 5);
    const many = sineWindows(BATCH, config.contextLength, 9);
    const lean = await forecastTimes(forecaster, one, many, 300, 10);
    const lat = lean.oneMs;
    metrics.push(
      {
        metric: 'forecast 1 series p50',
        pass: median(lat) < 5,
        target: '< 5 ms',
        unit: 'ms',
        value: median(lat),
      },
      {
        metric: 'forecast 1 series p99',
        pass: percentile(lat, 99) < 15,
        target: '< 15 ms',
        unit: 'ms',
        value: percentile(lat, 99),
      },
      { metric: 'forecast 1 series p50 (CPU time)', unit: 'ms', value: median(lean.oneCpuMs) },
    );
    const perSec = (BATCH * 1000) / median(lean.batchMs);
    metrics.push(
      { metric: 'forecast batch 64', unit: 'ms', value: median(lean.batchMs) },
      {
        metric: 'forecast batch 64 throughput',
        pass: perSec >= 500,
        target: '>= 500 series/s',
        unit: 'series/s',
        value: perSec,
      },
      {
        // CPU time of all threads (this one and the inference worker).
        metric: 'forecast batch 64 throughput (CPU time)',
        unit: 'series/s',
        value: (BATCH * 1000) / median(lean.batchCpuMs),
      },
      {
        metric: 'inference achieved (batch 64)',
        unit: 'GFLOP/s',
        value: (fwd * BATCH) / median(lean.batchMs) / 1e6,
      },
    );
    await forecaster.close();
    const stock = await forecastTimes(
      new Forecaster(model, {}, { inference: 'tfjs' }),
      one,
      many,
      100,
      4,
    );
    metrics.push(
      { metric: 'tfjs path: forecast 1 series p50', unit: 'ms', value: median(stock.oneMs) },
      {
        metric: 'tfjs path: forecast 1 series p50 (CPU time)',
        unit: 'ms',
        value: median(stock.oneCpuMs),
      },
      {
        metric: 'tfjs path: forecast batch 64 throughput',
        unit: 'series/s',
        value: (BATCH * 1000) / median(stock.batchMs),
      },
      { metric: 'peak RSS', unit: 'MB', value: process.resourceUsage().maxRSS / 1024 },
    );
    model.dispose();
    return {
      meta: {
        backend,
        batch: BATCH,
        flopModel:
          'train: trainFlopsPerSeries (3 × forward matMuls of the loss path − data-input gradients); inference: forward (multiply-add = 2)',
        trainMflopPerSeries: trainFlops / 1e6,
        forwardMflopPerSeries: fwd / 1e6,
        loadAverage: os.loadavg(),
        matMulWarmup: { ms: mm.warmupMs, runs: mm.warmupRuns },
        inference: forecaster.usesLeanInference
          ? `lean SIMD engine, ${Math.min(2, os.availableParallelism())} thread(s) for batches`
          : 'tfjs',
        model: model.config,
        parameters: model.countParams(),
        trainStepMs: stepMs,
        trainPairedFraction: pairedFraction,
        trainStepCpuMs: stepCpuMs,
      },
      metrics,
      name: 'model',
    };
  },
};

export default bench;
