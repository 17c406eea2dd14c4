import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Prng, sampleDriverStyle, type SpeedTrace, type TraceLibrary } from '@fleetfm/simulator';
import { PatchTokenizer } from '@fleetfm/tokenizer';
import { selectBackend } from '../../backend';
import {
  exportCheckpoint,
  importCheckpoint,
  readCheckpointDir,
  writeCheckpointDir,
} from '../../checkpoint';
import { readStyleHead, STYLE_HEAD_JSON } from '../../heads/style-head-file';
import { PatchModel } from '../../patch-model';
import { TINY_MODEL_ARGS } from '../../patch-model.config';
import { writeToyCorpus } from '../pretrain/toy-corpus.testing';
import { Trainer } from '../trainer';
import { resolveFinetuneArgs } from './finetune-options';
import { runFinetune } from './finetune.job';
import { sampleStyleBatch, tripsByDriver } from './style-batch';
import { RESERVED_EVAL_SEEDS, simulateStyleFleet, type StyleFleet } from './style-fleet';
import { styleLossFn, type StyleLossParts } from './style-loss';

const MODEL = { ...TINY_MODEL_ARGS, numSignals: 12 };
const TOKENIZER = {
  contextLength: 32,
  minScale: 1e-5,
  patchLength: 8,
  scaling: 'mean-std' as const,
};

/** Two short synthetic routes (1 Hz targets), scenarios `a` and `b`. */
function toyLibrary(): TraceLibrary {
  const trace = (name: string, period: number): SpeedTrace => {
    const n = 200;
    return {
      grade: new Float64Array(n),
      name,
      scenario: name,
      source: 'cycle',
      speedMps: Float64Array.from({ length: n }, (_, t) =>
        Math.max(0, 12 * Math.sin((Math.PI * t) / period)),
      ),
    };
  };
  return { cycles: [trace('a', 40), trace('b', 90)], gpsTrips: [] };
}

let tmp: string;
beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-finetune-'));
});
afterAll(() => fs.rmSync(tmp, { force: true, recursive: true }));

describe('style fleet', () => {
  it('draws drivers from its own seed: none is an evaluation driver', () => {
    const fleet = simulateStyleFleet({
      drivers: 3,
      library: toyLibrary(),
      minRouteS: 0,
      rateHz: 1,
      seed: 7,
      tripsPerDriver: 2,
    });
    expect(RESERVED_EVAL_SEEDS).not.toContain(fleet.seed);
    expect(fleet.trips.map((t) => t.id)).toEqual([
      expect.stringMatching(/^ft-drv-0\//),
      expect.stringMatching(/^ft-drv-0\//),
      expect.stringMatching(/^ft-drv-1\//),
      expect.stringMatching(/^ft-drv-1\//),
      expect.stringMatching(/^ft-drv-2\//),
      expect.stringMatching(/^ft-drv-2\//),
    ]);
    // The evaluation's held-out driver j is sampleDriverStyle(new Prng(EVAL_SEED).fork('driver', j)).
    const ours = new Prng(fleet.seed);
    for (const evalSeed of RESERVED_EVAL_SEEDS) {
      for (let j = 0; j < 3; j++) {
        const theirs = sampleDriverStyle(new Prng(evalSeed).fork('driver', j));
        const mine = sampleDriverStyle(ours.fork('driver', j));
        expect(mine.aggressiveness).not.toBeCloseTo(theirs.aggressiveness, 6);
      }
    }
  });

  it('batches P drivers × K trips × C channels with (driver, channel) labels', () => {
    const fleet = simulateStyleFleet({
      drivers: 4,
      library: toyLibrary(),
      minRouteS: 0,
      rateHz: 1,
      seed: 7,
      tripsPerDriver: 3,
    });
    const tok = new PatchTokenizer(TOKENIZER);
    const channels = ['speed_mps', 'pedal_pct'] as const;
    const batch = sampleStyleBatch(
      tripsByDriver(fleet, 32),
      tok,
      { channels, drivers: 3, maxShift: 4, noise: 0, numSignals: 12, windowsPerDriver: 2 },
      new Prng(1),
    );
    expect(batch.viewA.batch).toBe(3 * 2 * 2);
    expect(batch.viewA.values.length).toBe(12 * 32);
    // Rows run driver, window, channel: labels are driver·2 + channel.
    const drivers = new Set<number>();
    for (let r = 0; r < 12; r++) {
      expect(batch.driverLabels[r] % 2).toBe(r % 2);
      drivers.add(Math.floor(batch.driverLabels[r] / 2));
      expect(batch.viewA.signalIds[r]).toBeGreaterThan(0);
    }
    expect(drivers.size).toBe(3);
  });
});

describe('supervised contrastive stage', () => {
  it('drives the SupCon loss down on a toy labelled set', () => {
    // Two classes of windows that differ in shape: sines of period 8 vs 16 steps.
    const tok = new PatchTokenizer(TOKENIZER);
    const rng = new Prng(5);
    const make = (): StyleFleet['trips'][number][][] =>
      [8, 16].map((period, d) =>
        Array.from({ length: 3 }, (_, k) => {
          const phase = rng.uniform(0, 6.3);
          const v = Float32Array.from({ length: 64 }, (_, t) =>
            Math.sin((2 * Math.PI * t) / period + phase),
          );
          const signals = { speed_mps: v } as unknown as StyleFleet['trips'][number]['signals'];
          return { driver: d, id: `toy-${d}-${k}`, scenario: 0, signals, trip: k };
        }),
      );
    const byDriver = make();
    const model = new PatchModel(MODEL);
    const trainer = new Trainer(model, { learningRate: 3e-3 });
    const weights = { driver: 1, forecast: 0, scenario: 0, views: 0 };
    const losses: number[] = [];
    const prng = new Prng(9);
    for (let step = 0; step < 15; step++) {
      const batch = sampleStyleBatch(
        byDriver,
        tok,
        {
          channels: ['speed_mps'],
          drivers: 2,
          maxShift: 8,
          noise: 0.05,
          numSignals: 12,
          windowsPerDriver: 3,
        },
        prng,
      );
      const parts: StyleLossParts = { driver: 0, forecast: 0, scenario: 0, total: 0, views: 0 };
      const { lossFn, dispose } = styleLossFn(model, batch, undefined, weights, 0.1, parts);
      trainer.stepOn(lossFn);
      dispose();
      losses.push(parts.driver);
    }
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    // 12 rows (2 classes × 3 windows × 2 views): each anchor has 5 positives among 11 others, so
    // the loss is bounded below by log 5 (all mass spread evenly on the positives), reached when
    // the classes separate; uniform similarities give log 11.
    const floor = Math.log(5);
    expect(mean(losses.slice(0, 3))).toBeGreaterThan(floor + 0.5);
    expect(mean(losses.slice(-3))).toBeLessThan(floor + 0.1);
    trainer.dispose();
    model.dispose();
  });
});

describe('runFinetune', () => {
  it('rejects writing over the starting checkpoint', () => {
    expect(() => resolveFinetuneArgs({ modelDir: 'models/x', outDir: 'models/x/' })).toThrow(
      /must differ/,
    );
  });

  it('runs a few steps of a tiny model and writes a loadable checkpoint noting the stage', async () => {
    const base = path.join(tmp, 'base');
    const corpus = path.join(tmp, 'corpus');
    await writeToyCorpus(corpus);
    const model = new PatchModel(MODEL);
    await writeCheckpointDir(base, await exportCheckpoint(model, { tokenizer: TOKENIZER }));
    const before = model.namedWeights().map((w) => w.variable.dataSync().slice());
    model.dispose();
    const out = path.join(tmp, 'tuned');
    const result = await runFinetune(
      {
        batchDrivers: 3,
        corpusDir: corpus,
        forecastBatch: 4,
        maxMinutes: 0,
        modelDir: base,
        outDir: out,
        qualityWindows: 8,
        rateHz: 1,
        seed: 3,
        steps: 3,
        trainDrivers: 4,
        tripsPerDriver: 2,
      },
      { library: toyLibrary() },
    );
    expect(result.steps).toBe(3);
    expect(result.forecastSource).toMatch(/train split/);
    expect(Number.isFinite(result.last.driver)).toBe(true);
    expect(Number.isFinite(result.last.forecast)).toBe(true);
    expect(result.quality?.after.windows).toBeGreaterThan(0);
    const loaded = await importCheckpoint(await readCheckpointDir(out));
    const stage = loaded.manifest.extra?.stage as { name: string; steps: number };
    expect(stage.name).toMatch(/^contrastive fine-tuning \(encoder and heads/);
    expect(stage.steps).toBe(3);
    expect(loaded.manifest.metrics.validationMase).toBeGreaterThan(0);
    const after = loaded.model.namedWeights().map((w) => w.variable.dataSync());
    expect(after.some((w, i) => w.some((v, j) => v !== before[i][j]))).toBe(true);
    const z = loaded.model.embed({
      mask: tf.ones([1, 32]) as tf.Tensor2D,
      signalIds: Int32Array.from([1]),
      values: tf.randomNormal([1, 32], 0, 1, 'float32', 1) as tf.Tensor2D,
    });
    expect(z.shape).toEqual([1, MODEL.embeddingDim]);
    loaded.model.dispose();
  });
  it('embedding-head mode changes the embedding head only (forecasts stay identical)', async () => {
    const base = path.join(tmp, 'base-head');
    const model = new PatchModel(MODEL);
    await writeCheckpointDir(base, await exportCheckpoint(model, { tokenizer: TOKENIZER }));
    const before = new Map(
      model.namedWeights().map((w) => [w.name, w.variable.dataSync().slice()]),
    );
    model.dispose();
    const out = path.join(tmp, 'tuned-head');
    const result = await runFinetune(
      {
        batchDrivers: 3,
        maxMinutes: 0,
        modelDir: base,
        outDir: out,
        qualityWindows: 0,
        rateHz: 1,
        seed: 3,
        steps: 3,
        trainDrivers: 4,
        segmentWindows: 3,
        trainable: 'embedding-head',
        tripsPerDriver: 2,
        weights: { driver: 0, forecast: 2, scenario: 1, views: 0.5 },
      },
      { library: toyLibrary() },
    );
    expect(result.forecastSource).toMatch(/frozen/);
    expect(result.last.scenario).toBeGreaterThan(0);
    const loaded = await importCheckpoint(await readCheckpointDir(out));
    const stage = loaded.manifest.extra?.stage as {
      name: string;
      args: { weights: { driver: number; scenario: number } };
    };
    expect(stage.name).toMatch(/^contrastive embedding head/);
    expect(stage.args.weights).toMatchObject({ driver: 0, scenario: 1 });
    for (const w of loaded.model.namedWeights()) {
      const same = Array.from(w.variable.dataSync()).every((v, i) => v === before.get(w.name)?.[i]);
      expect([w.name, same]).toEqual([w.name, !w.name.startsWith('embeddingHead.')]);
    }
    loaded.model.dispose();
  });

  it('style-head mode adds style-head.json and leaves the weights untouched (in place too)', async () => {
    const base = path.join(tmp, 'base-style');
    const model = new PatchModel(MODEL);
    const files = await exportCheckpoint(model, { tokenizer: TOKENIZER });
    await writeCheckpointDir(base, files);
    model.dispose();
    const args = {
      batchDrivers: 3,
      maxMinutes: 0,
      modelDir: base,
      qualityWindows: 0,
      rateHz: 1,
      seed: 3,
      segmentWindows: 3,
      steps: 3,
      styleDim: 4,
      styleHidden: 8,
      trainable: 'style-head' as const,
      trainDrivers: 4,
      tripsPerDriver: 2,
    };
    const out = path.join(tmp, 'tuned-style');
    const result = await runFinetune({ ...args, outDir: out }, { library: toyLibrary() });
    expect(result.styleHeadPath).toBe(path.join(out, STYLE_HEAD_JSON));
    expect(Number.isFinite(result.last.driver)).toBe(true);
    expect(fs.readFileSync(path.join(out, 'weights.bin'))).toEqual(Buffer.from(files.weightsBin));
    const loaded = readStyleHead(out);
    if (!loaded.head) throw new Error(loaded.reason);
    expect(loaded.head.config.embeddingDim).toBe(4);
    expect((loaded.file.extra?.stage as { steps: number }).steps).toBe(3);
    loaded.head.dispose();
    // --out = --model: only the sidecar is added.
    const before = fs.readdirSync(base).sort();
    await runFinetune({ ...args, outDir: base }, { library: toyLibrary() });
    expect(fs.readdirSync(base).sort()).toEqual([...before, STYLE_HEAD_JSON].sort());
    expect(fs.readFileSync(path.join(base, 'weights.bin'))).toEqual(Buffer.from(files.weightsBin));
    expect(readStyleHead(base).head?.dispose()).toBeUndefined();
    expect(() =>
      resolveFinetuneArgs({ modelDir: base, outDir: base, trainable: 'embedding-head' }),
    ).toThrow(/must differ/);
  });
});
