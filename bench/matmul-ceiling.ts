import * as tf from '@tensorflow/tfjs';
import { median } from './harness';

/** Wall time of one synchronous call, ms. */
export function timeMs(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/**
 * Plain 2-D matMul 512³ on the current backend and thread, over 30 timed runs after 5 warm-ups:
 * the ceiling that model training and inference are judged against.
 */
export function matMulGflops(): { median: number; peak: number } {
  const a = tf.randomNormal([512, 512]);
  const b = tf.randomNormal([512, 512]);
  const run = (): void => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  };
  for (let i = 0; i < 5; i++) run();
  const rates = Array.from({ length: 30 }, () => (2 * 512 ** 3) / timeMs(run) / 1e6);
  tf.dispose([a, b]);
  return { median: median(rates), peak: Math.max(...rates) };
}
