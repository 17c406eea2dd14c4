import * as tf from '@tensorflow/tfjs';
import { PatchTokenizer } from '@fleetfm/tokenizer';
import { selectBackend } from '../backend';
import { setSharedIdentityEnabled } from '../kernels/shared-identity.kernel';
import { setSimdKernelsEnabled } from '../kernels/wasm-kernels';
import { PatchModel } from '../patch-model';
import { TINY_MODEL_ARGS } from '../patch-model.config';
import { makeForecastBatch, type TrainingWindow } from './forecast-batch';
import { Trainer } from './trainer';

/**
 * The training fast path (SIMD kernels, copy-free Identity, re-ordered gradient matMuls) against
 * stock tfjs ops on a tiny seeded run: the same loss curve and weights within float tolerance.
 */
/** The tiny model with a 512-wide FFN, so that the shallow-wide matMul path runs too. */
const CONFIG = { ...TINY_MODEL_ARGS, ffnDim: 512 };

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm'] });
});

afterEach(() => {
  setSimdKernelsEnabled(true);
  setSharedIdentityEnabled(true);
});

function windows(n: number, length: number): TrainingWindow[] {
  return Array.from({ length: n }, (_, i) => ({
    series: Float32Array.from(
      { length },
      (_, t) => 10 + 3 * Math.sin(((t + i * 5) * 2 * Math.PI) / (12 + (i % 5))) + (t % 3) * 0.1,
    ),
    signalId: i % CONFIG.numSignals,
  }));
}

/** Losses of 8 seeded steps and the final weights, with the fast path on or off. */
function run(fast: boolean): { losses: number[]; moves: number[] } {
  setSimdKernelsEnabled(fast);
  const model = new PatchModel(CONFIG);
  const start = model.namedWeights().map((w) => Array.from(w.variable.dataSync()));
  const trainer = new Trainer(model, { learningRate: 3e-3 });
  const tok = new PatchTokenizer({ contextLength: 32, patchLength: 8 });
  const batches = [0, 1].map((k) => makeForecastBatch(windows(16 + 4 * k, 40), tok, 8));
  const losses = Array.from({ length: 8 }, (_, i) => trainer.trainStep(batches[i % 2]));
  // How far each weight moved from the seeded initialisation, all weights in one list.
  const moves = model
    .namedWeights()
    .flatMap((w, k) => Array.from(w.variable.dataSync(), (v, i) => v - start[k][i]));
  trainer.dispose();
  model.dispose();
  return { losses, moves };
}

describe('training fast path', () => {
  it('runs on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  it('gives the loss curve and weights of the stock-op path', () => {
    const stock = run(false);
    const fast = run(true);
    expect(stock.losses[7]).toBeLessThan(stock.losses[0]);
    fast.losses.forEach((l, i) => expect(Math.abs(l - stock.losses[i])).toBeLessThan(1e-4));
    // Adam moves a weight whose gradient is ~0 by ±lr in a direction set by rounding noise, so
    // single weights may differ by a few 1e-4; the update as a whole must agree to 1e-3.
    const norm = (v: number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    const diff = norm(fast.moves.map((m, i) => m - stock.moves[i]));
    expect(norm(stock.moves)).toBeGreaterThan(0.1);
    expect(diff / norm(stock.moves)).toBeLessThan(1e-3);
  });

  it('clone shares data yet outlives its source, and frees it with the last reference', () => {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const ids = backend.numDataIds();
    const a = tf.tensor1d([1, 2, 3, 4]);
    const b = tf.clone(a);
    expect(backend.numDataIds()).toBe(ids + 1); // shared, not copied
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4]);
    b.dispose();
    expect(backend.numDataIds()).toBe(ids);
    setSharedIdentityEnabled(false);
    const c = tf.tensor1d([5, 6, 7, 8]);
    const d = tf.clone(c);
    expect(backend.numDataIds()).toBe(ids + 2); // the stock kernel copies
    tf.dispose([c, d]);
  });
});
