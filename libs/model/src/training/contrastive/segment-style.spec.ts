import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Prng, type SpeedTrace, type TraceLibrary } from '@fleetfm/simulator';
import { selectBackend } from '../../backend';
import { exportCheckpoint, writeCheckpointDir } from '../../checkpoint';
import { SEGMENT_STYLE_HEAD_JSON, readSegmentStyleHead } from '../../heads/style-segment-head-file';
import { SEGMENT_STYLE_VECTOR_DIM } from '../../heads/style-segment-vector';
import { PatchModel } from '../../patch-model';
import { TINY_MODEL_ARGS } from '../../patch-model.config';
import { runFinetune } from './finetune.job';
import {
  fitSegmentStandardisation,
  sampleSegmentIndices,
  trainSegmentStyleHead,
  type LabelledSegments,
} from './segment-style-train';

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
});

/** Drivers whose statistics sit around their own centre (a few informative coordinates). */
function toySegments(drivers: number, perDriver: number, seed: number): LabelledSegments {
  const rng = new Prng(seed);
  const centres = Array.from({ length: drivers }, () =>
    Array.from({ length: 6 }, () => 3 * rng.normal()),
  );
  const vectors: Float64Array[] = [];
  const ds: number[] = [];
  const trips: number[] = [];
  for (let d = 0; d < drivers; d++) {
    for (let k = 0; k < perDriver; k++) {
      const v = new Float64Array(SEGMENT_STYLE_VECTOR_DIM).fill(Number.NaN);
      centres[d].forEach((c, j) => (v[j] = c + 0.3 * rng.normal()));
      vectors.push(v);
      ds.push(d);
      trips.push(d * 100 + (k % 3));
    }
  }
  return { drivers: Int32Array.from(ds), trips: Int32Array.from(trips), vectors };
}

describe('segment style training', () => {
  it('fits mean and std over finite values only', () => {
    const { mean, std } = fitSegmentStandardisation([
      [1, Number.NaN, 4],
      [3, Number.NaN, 4],
    ]);
    expect(Array.from(mean)).toEqual([2, 0, 4]);
    expect(Array.from(std)).toEqual([1, 1, 0]);
  });

  it('draws P distinct drivers and K segments from distinct trips when it can', () => {
    const data = toySegments(5, 6, 1);
    const byDriver = new Map<number, number[]>();
    data.drivers.forEach((d, r) => byDriver.set(d, [...(byDriver.get(d) ?? []), r]));
    const rows = sampleSegmentIndices(byDriver, data, 3, 3, new Prng(2));
    expect(rows.length).toBe(9);
    const drivers = rows.map((r) => data.drivers[r]);
    expect(new Set(drivers).size).toBe(3);
    for (let i = 0; i < 9; i += 3) {
      expect(new Set(rows.slice(i, i + 3).map((r) => data.trips[r])).size).toBe(3);
    }
  });

  it('drives the driver SupCon loss down and leaks no tensors', () => {
    const data = toySegments(8, 6, 3);
    const before = tf.memory().numTensors;
    const r = trainSegmentStyleHead(data, {
      batchDrivers: 6,
      embeddingDim: 8,
      hiddenDim: 16,
      lr: 1e-2,
      maxMinutes: 0,
      segmentsPerDriver: 3,
      seed: 4,
      steps: 60,
      temperature: 0.1,
    });
    const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(r.losses.length).toBe(60);
    expect(r.stoppedBy).toBe('steps');
    expect(mean(r.losses.slice(-10))).toBeLessThan(0.6 * mean(r.losses.slice(0, 10)));
    r.head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('runFinetune --trainable segment-style', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-segstyle-'));
  });
  afterAll(() => fs.rmSync(tmp, { force: true, recursive: true }));

  /** One 5-minute stop-and-go route at 1 Hz. */
  const library = (): TraceLibrary => {
    const n = 300;
    const trace: SpeedTrace = {
      grade: new Float64Array(n),
      name: 'toy',
      scenario: 'toy',
      source: 'cycle',
      speedMps: Float64Array.from({ length: n }, (_, t) =>
        Math.max(0, 12 * Math.sin((Math.PI * t) / 50)),
      ),
    };
    return { cycles: [trace], gpsTrips: [] };
  };

  it('adds segment-style-head.json and copies the checkpoint byte for byte', async () => {
    const base = path.join(tmp, 'base');
    const model = new PatchModel({ ...TINY_MODEL_ARGS, numSignals: 12 });
    const files = await exportCheckpoint(model, {
      tokenizer: { contextLength: 32, minScale: 1e-5, patchLength: 8, scaling: 'mean-std' },
    });
    await writeCheckpointDir(base, files);
    model.dispose();
    const args = {
      batchDrivers: 3,
      maxMinutes: 0,
      modelDir: base,
      rateHz: 1,
      seed: 3,
      segmentCrops: 2,
      segmentSeconds: 120,
      steps: 4,
      styleDim: 4,
      styleHidden: 8,
      trainable: 'segment-style' as const,
      trainDrivers: 4,
      tripsPerDriver: 2,
    };
    const out = path.join(tmp, 'out');
    const result = await runFinetune(
      { ...args, outDir: out },
      { command: 'cmd', library: library() },
    );
    expect(result.styleHeadPath).toBe(path.join(out, SEGMENT_STYLE_HEAD_JSON));
    expect(result.steps).toBe(4);
    expect(fs.readFileSync(path.join(out, 'weights.bin'))).toEqual(Buffer.from(files.weightsBin));
    const loaded = readSegmentStyleHead(out);
    if (!loaded.head) throw new Error(loaded.reason);
    expect(loaded.head.config.embeddingDim).toBe(4);
    expect(loaded.file.extra).toMatchObject({ command: 'cmd', segments: 16, steps: 4 });
    loaded.head.dispose();
    // In place: only the sidecar is added.
    const before = fs.readdirSync(base).sort();
    await runFinetune({ ...args, outDir: base }, { library: library() });
    expect(fs.readdirSync(base).sort()).toEqual([...before, SEGMENT_STYLE_HEAD_JSON].sort());
    expect(fs.readFileSync(path.join(base, 'weights.bin'))).toEqual(Buffer.from(files.weightsBin));
  });
});
