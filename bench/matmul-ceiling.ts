import * as tf from '@tensorflow/tfjs';
import { median } from './harness';

/** Wall time of one synchronous call, ms. */
export function timeMs(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** CPU time (user + system, this process) of one synchronous call, ms. */
export function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** GFLOP/s of one timed matMul of two 512 × 512 tensors (the result read back and freed). */
function timedRate(a: tf.Tensor2D, b: tf.Tensor2D): number {
  const ms = timeMs(() => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  });
  return (2 * 512 ** 3) / ms / 1e6;
}

/**
 * One timed matMul 512³, GFLOP/s: the ceiling sampled right beside another measurement. Call it
 * after `matMulGflops`, which warms the kernel up to its optimised tier.
 */
export function matMul512Rate(): number {
  const a = tf.randomNormal([512, 512]) as tf.Tensor2D;
  const b = tf.randomNormal([512, 512]) as tf.Tensor2D;
  try {
    return timedRate(a, b);
  } finally {
    tf.dispose([a, b]);
  }
}

/** Warm up for at least this long (V8 tiers wasm up to TurboFan only once code is hot). */
const MIN_WARMUP_MS = 1500;
/** ... and until the median of the last 5 runs is within 5 % of the 5 before. */
const MAX_WARMUP_MS = 6000;
const TIMED_RUNS = 30;

export interface MatMulCeiling {
  readonly median: number;
  readonly peak: number;
  /** The same 30 runs timed by CPU time instead of wall time (robust on a shared machine). */
  readonly cpuMedian: number;
  /** Warm-up runs before timing, and how long they took. */
  readonly warmupRuns: number;
  readonly warmupMs: number;
}

/**
 * Plain 2-D matMul 512³ on the current backend and thread: the ceiling that model training and
 * inference are judged against. Warms up until rates stabilise (≥ 1.5 s), then times 30 runs.
 */
export function matMulGflops(): MatMulCeiling {
  const a = tf.randomNormal([512, 512]) as tf.Tensor2D;
  const b = tf.randomNormal([512, 512]) as tf.Tensor2D;
  const rate = (): number => timedRate(a, b);
  const warm: number[] = [];
  const start = performance.now();
  for (;;) {
    warm.push(rate());
    const elapsed = performance.now() - start;
    if (elapsed > MAX_WARMUP_MS) break;
    if (elapsed < MIN_WARMUP_MS || warm.length < 10) continue;
    const last = median(warm.slice(-5));
    const before = median(warm.slice(-10, -5));
    if (Math.abs(last - before) <= 0.05 * before) break;
  }
  const warmupMs = performance.now() - start;
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    const cpu0 = process.cpuUsage();
    rates.push(rate());
    const cpu = process.cpuUsage(cpu0);
    cpuRates.push((2 * 512 ** 3) / ((cpu.user + cpu.system) / 1000) / 1e6);
  }
  tf.dispose([a, b]);
  return {
    cpuMedian: median(cpuRates),
    median: median(rates),
    peak: Math.max(...rates),
    warmupMs,
    warmupRuns: warm.length,
  };
}
