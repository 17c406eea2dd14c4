import * as tf from '@tensorflow/tfjs';
import { PatchTokenizer } from '@fleetfm/tokenizer';
import { selectBackend } from '../../backend';
import { importCheckpoint } from '../../checkpoint';
import { TINY_MODEL_ARGS } from '../../patch-model.config';
import { makeForecastBatch, type ForecastBatch } from '../forecast-batch';
import { GradientExchange } from './gradient-exchange';
import { LocalEngine } from './local.engine';
import { ownHeapViews, Replica } from './replica';
import { shardRanges, sliceBatch, type TrainingEngine } from './training-engine';
import { WorkerPoolEngine } from './worker-pool.engine';

const tokenizer = new PatchTokenizer({ contextLength: 32, patchLength: 8 });
const batches: ForecastBatch[] = [0, 1, 2].map((s) =>
  makeForecastBatch(
    Array.from({ length: 8 }, (_, i) => ({
      series: Float32Array.from({ length: 40 }, (_, t) => 5 + Math.sin(t / (2 + i) + s) + 0.1 * i),
      signalId: i % 3,
    })),
    tokenizer,
    8,
  ),
);
const init = { model: TINY_MODEL_ARGS, trainer: { learningRate: 1e-3 } };

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
});

describe('batch sharding', () => {
  it('splits rows into near-equal contiguous ranges', () => {
    expect(shardRanges(7, 2)).toEqual([
      [0, 4],
      [4, 7],
    ]);
    expect(shardRanges(6, 3)).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
    ]);
  });

  it('slices every per-row array of a batch', () => {
    const s = sliceBatch(batches[0], 2, 5);
    expect(s.batch).toBe(3);
    expect(Array.from(s.signalIds)).toEqual([2, 0, 1]);
    expect(s.values).toEqual(batches[0].values.slice(64, 160));
    expect(s.target).toEqual(batches[0].target.slice(16, 40));
  });
});

describe('GradientExchange', () => {
  it('sums the slots of one step parity in worker order, leaving the other parity alone', () => {
    const x = new GradientExchange(GradientExchange.allocate(2, 4), 2, 4);
    x.slot(0, 0).set([1, 2, 3, 4]);
    x.slot(0, 1).set([10, 20, 30, 40]);
    x.slot(1, 0).set([100, 100, 100, 100]);
    const out = new Float32Array(2);
    x.sumInto(2, 1, 2, out);
    expect(Array.from(out)).toEqual([22, 33]);
  });
});

describe('GradientExchange weighted reduction', () => {
  it('each worker sums its share of Σ_w weight_w·slot_w; together they cover the range', () => {
    const x = new GradientExchange(GradientExchange.allocate(2, 10), 2, 10);
    x.slot(5, 0).set(Array.from({ length: 10 }, (_, i) => i));
    x.slot(5, 1).set(Array.from({ length: 10 }, () => 8));
    x.setWeight(5, 0, 0.25);
    x.setWeight(5, 1, 0.75);
    expect(x.share(0)).toEqual([0, 8]);
    expect(x.share(1)).toEqual([8, 10]);
    x.reduceShare(5, 0);
    expect(Array.from(x.sum(5).subarray(0, 8))).toEqual([6, 6.25, 6.5, 6.75, 7, 7.25, 7.5, 7.75]);
    expect(Array.from(x.sum(5).subarray(8))).toEqual([0, 0]); // worker 1's share, not yet summed
    x.reduceShare(5, 1);
    expect(Array.from(x.sum(5).subarray(8))).toEqual([8, 8.25]);
    expect(Array.from(x.sum(4))).toEqual(Array.from({ length: 10 }, () => 0)); // other parity
  });

  it('rounds the weighted sum to f32 once (not each product)', () => {
    const x = new GradientExchange(GradientExchange.allocate(2, 1), 2, 1);
    // (1 + 2⁻²³)·0.75 = 0.75 + 1.5·2⁻²⁴ is a tie in f32 (rounds to 0.75 + 2⁻²³); in f64 it is
    // exact, and minus 0.75 leaves 3·2⁻²⁵, which f32 holds exactly.
    x.slot(0, 0)[0] = 1 + 2 ** -23;
    x.slot(0, 1)[0] = -1;
    x.setWeight(0, 0, 0.75);
    x.setWeight(0, 1, 0.75);
    x.reduceShare(0, 0);
    x.reduceShare(0, 1);
    expect(x.sum(0)[0]).toBe(3 * 2 ** -25);
  });

  it('sums three workers in worker order', () => {
    const x = new GradientExchange(GradientExchange.allocate(3, 4), 3, 4);
    [1, 10, 100].forEach((v, w) => {
      x.slot(0, w).set([v, 2 * v, 3 * v, 4 * v]);
      x.setWeight(0, w, 1 / 2 ** (w + 1));
    });
    for (let w = 0; w < 3; w++) x.reduceShare(0, w);
    // 1/2 + 10/4 + 100/8 = 15.5 per unit
    expect(Array.from(x.sum(0))).toEqual([15.5, 31, 46.5, 62]);
  });
});

describe('ownHeapViews (wasm)', () => {
  it('views tensors with their own memory, and refuses tensors that share it', () => {
    const a = tf.tensor1d([1, 2, 3, 4]);
    const b = tf.tensor1d([5, 6, 7, 8]);
    const alias = tf.reshape(a, [2, 2]); // shares a's data on wasm
    try {
      const views = ownHeapViews([a, b]);
      expect(views?.map((v) => Array.from(v))).toEqual([
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ]);
      expect(ownHeapViews([alias, b])).not.toBeNull();
      expect(ownHeapViews([a, alias])).toBeNull();
      expect(ownHeapViews([b], [alias])).not.toBeNull();
      expect(ownHeapViews([a, b], [alias])).toBeNull();
    } finally {
      tf.dispose([a, b, alias]);
    }
  });
});

describe('Replica.step through the exchange (one party, shard weight 0.25)', () => {
  it('applies weight × gradient, written back in place, and leaks no tensor', async () => {
    const viaExchange = await Replica.create(init);
    const reference = await Replica.create(init);
    try {
      const size = viaExchange.layout.size;
      const exchange = new GradientExchange(GradientExchange.allocate(1, size), 1, size);
      expect(viaExchange.checksum()).toBe(reference.checksum());
      expect(viaExchange.step(exchange, 0, 0, batches[0], 0.25, 1e-3)).toBeGreaterThan(0);
      const before = tf.memory().numTensors; // Adam's moments exist from the first step on
      expect(viaExchange.step(exchange, 0, 1, batches[1], 0.25, 1e-3)).toBeGreaterThan(0);
      expect(tf.memory().numTensors).toBe(before);
      // The same two steps by hand: the raw gradient × 0.25 (exact in f32) through the trainer.
      for (let step = 0; step < 2; step++) {
        const { loss, grads } = reference.trainer.computeGradients(batches[step]);
        const scaled = new Map([...grads].map(([p, g]) => [p, tf.mul(g, 0.25)]));
        tf.dispose([loss, ...grads.values()]);
        reference.trainer.applyGradients(scaled);
      }
      expect(viaExchange.checksum()).toBe(reference.checksum());
    } finally {
      viaExchange.dispose();
      reference.dispose();
    }
  });
});

async function run(
  engine: TrainingEngine,
): Promise<{ losses: number[]; weights: Map<string, Float32Array> }> {
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) losses.push(await engine.step(step, batches[step], 1e-3));
  const { model } = await importCheckpoint(
    await engine.exportCheckpoint({ tokenizer: tokenizer.config }),
  );
  const weights = new Map(
    model.namedWeights().map((w) => [w.name, w.variable.dataSync() as Float32Array]),
  );
  model.dispose();
  return { losses, weights };
}

describe('WorkerPoolEngine (2 worker threads; needs npm run build)', () => {
  it('keeps replicas identical and matches one replica trained on the whole batch', async () => {
    const pool = await WorkerPoolEngine.start({ backends: ['wasm'], init, workers: 2 });
    let parallel: Awaited<ReturnType<typeof run>>;
    try {
      expect(pool.parameters).toBeGreaterThan(1000);
      parallel = await run(pool);
      const sums = await pool.checksums();
      expect(sums).toHaveLength(2);
      expect(sums[0]).toBe(sums[1]);
      expect(await pool.evaluate(batches)).toBeGreaterThan(0);
    } finally {
      await pool.dispose();
    }
    const before = tf.memory().numTensors;
    const local = await LocalEngine.start(init);
    const single = await run(local);
    await local.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // Equal shards, fully observed targets: the mean of the shard means is the batch mean.
    single.losses.forEach((l, i) => expect(parallel.losses[i]).toBeCloseTo(l, 5));
    // Adam moves every weight by about lr (1e-3) per step, so a wrong average (say one shard's
    // gradient only) shows up at that scale; float rounding of the split sum stays far below it.
    let maxDiff = 0;
    for (const [name, w] of single.weights) {
      const v = parallel.weights.get(name) as Float32Array;
      for (let i = 0; i < w.length; i++) maxDiff = Math.max(maxDiff, Math.abs(w[i] - v[i]));
    }
    expect(maxDiff).toBeLessThan(1e-4);
  }, 60_000);
});
