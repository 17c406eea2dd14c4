import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CorpusReader } from '@fleetfm/datasets';
import { Prng } from '@fleetfm/simulator';
import { selectBackend } from '../../backend';
import { importCheckpoint, readCheckpointDir } from '../../checkpoint';
import { Forecaster } from '../../forecaster';
import { TINY_MODEL_ARGS } from '../../patch-model.config';
import { LocalEngine } from '../parallel/local.engine';
import { learningRateAt } from './lr-schedule';
import { resolvePretrainArgs, type PretrainArgs } from './pretrain-options';
import { runPretraining } from './pretrain.job';
import { signalIdOf } from './signal-ids';
import { writeToyCorpus } from './toy-corpus.testing';
import { WindowSampler } from './window-sampler';

const MODEL = { ...TINY_MODEL_ARGS, numSignals: 12 };
let tmp: string;
let corpus: string;

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-pretrain-'));
  corpus = path.join(tmp, 'corpus');
  await writeToyCorpus(corpus);
});

afterAll(() => fs.rmSync(tmp, { force: true, recursive: true }));

function args(out: string, extra: Partial<PretrainArgs> = {}): PretrainArgs {
  return {
    batch: 16,
    corpusDir: corpus,
    engine: (init) => LocalEngine.start(init),
    evalEvery: 5,
    evalWindows: 32,
    lr: 3e-3,
    model: MODEL,
    outDir: path.join(tmp, out),
    seed: 11,
    steps: 10,
    warmupSteps: 2,
    workers: 1,
    ...extra,
  };
}

async function weightsOf(dir: string): Promise<Map<string, Float32Array>> {
  const { model } = await importCheckpoint(await readCheckpointDir(dir));
  const out = new Map(
    model.namedWeights().map((w) => [w.name, w.variable.dataSync() as Float32Array]),
  );
  model.dispose();
  return out;
}

describe('learning-rate schedule', () => {
  const s = { floor: 0.1, peak: 1, totalSteps: 110, warmupSteps: 10 };
  it('warms up linearly, then decays by a half cosine to the floor', () => {
    expect(learningRateAt(s, 0)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(s, 4)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(s, 10)).toBeCloseTo(1, 12);
    expect(learningRateAt(s, 60)).toBeCloseTo(0.55, 12);
    expect(learningRateAt(s, 110)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(s, 500)).toBeCloseTo(0.1, 12);
  });
});

describe('signal ids', () => {
  it('maps telemetry signals to 1 + their sorted index, anything else to 0', () => {
    expect(signalIdOf('accel_mps2')).toBe(1);
    expect(signalIdOf('speed_mps')).toBe(9);
    expect(signalIdOf('value')).toBe(0);
  });
});

describe('pretraining arguments', () => {
  it('rejects bad arguments with a message naming them', () => {
    const base = { corpusDir: 'c', outDir: 'o' };
    expect(() => resolvePretrainArgs({ ...base, workers: 2, batch: 1 })).toThrow(/batch must be/);
    expect(() => resolvePretrainArgs({ ...base, steps: 0 })).toThrow(/steps must be/);
    expect(() => resolvePretrainArgs({ ...base, lr: -1 })).toThrow(/lr must be/);
    expect(() => resolvePretrainArgs({ ...base, model: { numSignals: 4 } })).toThrow(/numSignals/);
    expect(() => resolvePretrainArgs({ ...base, lengthPower: 1.5 })).toThrow(/lengthPower/);
    expect(() => resolvePretrainArgs({ ...base, augment: { mixup: 2 } })).toThrow(/mixup/);
    expect(() =>
      resolvePretrainArgs({ ...base, scaling: 'max' as unknown as PretrainArgs['scaling'] }),
    ).toThrow(/scaling must be one of/);
    expect(resolvePretrainArgs(base).warmupSteps).toBe(200);
    expect(resolvePretrainArgs(base).scaling).toBe('mean-std');
    expect(resolvePretrainArgs(base).lengthPower).toBe(1);
    expect(() => resolvePretrainArgs({ ...base, lossNaiveEpsilon: -0.1 })).toThrow(
      /lossNaiveEpsilon must be a number >= 0/,
    );
    expect(resolvePretrainArgs(base).lossNaiveEpsilon).toBe(0);
    expect(resolvePretrainArgs(base).dropout).toBe(0);
    expect(() => resolvePretrainArgs({ ...base, dropout: 1 })).toThrow(
      'dropout must be in [0, 1), got 1',
    );
    expect(resolvePretrainArgs(base).lossNaiveSeasons).toEqual([]);
    const relative = { ...base, lossAggregation: 'geometric', lossNaiveEpsilon: 1 } as const;
    expect(
      resolvePretrainArgs({ ...relative, lossNaiveSeasons: [7, 24] }).lossNaiveSeasons,
    ).toEqual([7, 24]);
    expect(() => resolvePretrainArgs({ ...relative, lossNaiveSeasons: [1] })).toThrow(
      /lossNaiveSeasons must be integers in \[2, /,
    );
    expect(() => resolvePretrainArgs({ ...relative, lossNaiveSeasons: [100000] })).toThrow(
      /the context length/,
    );
    expect(() =>
      resolvePretrainArgs({ ...relative, lossNaiveEpsilon: 0, lossNaiveSeasons: [24] }),
    ).toThrow(/needs the geometric loss with lossNaiveEpsilon > 0/);
  });

  it('fails clearly when the corpus is missing', async () => {
    await expect(
      runPretraining(args('missing', { corpusDir: path.join(tmp, 'nope') })),
    ).rejects.toThrow(/no corpus manifest/);
  });
});

describe('WindowSampler', () => {
  it('draws seeded crops of context + horizon with the channel signal id', async () => {
    const reader = await CorpusReader.open(corpus);
    const sampler = await WindowSampler.load(reader, 'train', { contextLength: 32, horizon: 8 });
    const a = sampler.sample(20, new Prng(5));
    const b = sampler.sample(20, new Prng(5));
    expect(a.map((w) => Array.from(w.series))).toEqual(b.map((w) => Array.from(w.series)));
    for (const w of a) {
      expect(w.series.length).toBe(40);
      expect([0, 9]).toContain(w.signalId);
    }
    expect(new Set(a.map((w) => w.series[0])).size).toBeGreaterThan(10);
  });

  it('keeps series shorter than a window as left-padded contexts', async () => {
    const dir = path.join(tmp, 'short');
    await writeToyCorpus(dir, 8, 20);
    const sampler = await WindowSampler.load(await CorpusReader.open(dir), 'train', {
      contextLength: 32,
      horizon: 8,
    });
    for (const w of sampler.sample(5, new Prng(1))) expect(w.series.length).toBe(20);
  });
});

describe('runPretraining', () => {
  it('learns a toy corpus: validation loss falls far below the predict-the-level baseline', async () => {
    // Predicting the context mean for every quantile costs E|z|/2 ≈ 0.45 on a normalised sine.
    const result = await runPretraining(
      args('learn', { evalEvery: 20, lr: 1e-2, steps: 100, warmupSteps: 5 }),
    );
    expect(result.stepsDone).toBe(100);
    expect(result.bestValLoss).toBeLessThan(0.2);
    const files = await readCheckpointDir(result.outDir);
    const { model, manifest } = await importCheckpoint(files);
    expect(manifest.metrics.valLoss).toBeCloseTo(result.bestValLoss, 6);
    expect(manifest.extra?.corpus).toMatchObject({ totalSeries: 48 });
    expect(manifest.extra?.training).toMatchObject({ batch: 16, seed: 11, steps: 100 });
    const [f] = await new Forecaster(model).forecast([
      Float32Array.from({ length: 32 }, (_, t) => 10 + 3 * Math.sin(t)),
    ]);
    expect(f.median.length).toBe(8);
    model.dispose();
  }, 60_000);

  it('validates on the source mix asked for; one that leaves every source out is an error', async () => {
    const result = await runPretraining(
      args('val-sources', { steps: 2, validationSourceWeights: { synthetic: 1 } }),
    );
    const { model, manifest } = await importCheckpoint(await readCheckpointDir(result.outDir));
    expect(manifest.extra?.training).toMatchObject({
      validationFrom: 'validation',
      validationSources: { synthetic: 1 },
    });
    model.dispose();
    // The toy corpus is all synthetic: no fallback to training crops, a clear error.
    await expect(
      runPretraining(args('val-none', { validationSourceWeights: { synthetic: 0 } })),
    ).rejects.toThrow(
      /no validation windows: the source weights .* leave out every source the split has \(synthetic\)/,
    );
  }, 60_000);

  it('resumes from the step it stopped at, with optimizer state, and matches an unbroken run', async () => {
    const before = tf.memory().numTensors;
    const straight = await runPretraining(args('straight', { steps: 10 }));
    // A run that dies after step 7; its last checkpoint is the validation at step 6.
    const crash = (e: { step: number }): void => {
      if (e.step === 7) throw new Error('killed');
    };
    await expect(
      runPretraining(args('resumed', { command: 'first', evalEvery: 3, steps: 10 }), {
        onStep: crash,
      }),
    ).rejects.toThrow('killed');
    const steps: number[] = [];
    const second = await runPretraining(
      args('resumed', { command: 'second', resume: path.join(tmp, 'resumed'), steps: 10 }),
      { onStart: (e) => steps.push(e.startStep), onStep: (e) => steps.push(e.step) },
    );
    expect(steps).toEqual([6, 7, 8, 9, 10]);
    expect(second.stepsDone).toBe(10);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(second.outDir, 'last', 'manifest.json'), 'utf8'),
    ) as { extra: { commands: unknown } };
    expect(manifest.extra.commands).toEqual([
      { command: 'first', fromStep: 0 },
      { command: 'second', fromStep: 6 },
    ]);
    expect(tf.memory().numTensors).toBe(before);
    const a = await weightsOf(path.join(straight.outDir, 'last'));
    const b = await weightsOf(path.join(second.outDir, 'last'));
    let maxDiff = 0;
    for (const [name, w] of a) {
      const v = b.get(name) as Float32Array;
      for (let i = 0; i < w.length; i++) maxDiff = Math.max(maxDiff, Math.abs(w[i] - v[i]));
    }
    // Restarting Adam from zero moments would move weights by ~lr = 3e-3.
    expect(maxDiff).toBeLessThan(1e-5);
  }, 60_000);

  it('validates in the aggregation it trains with; a resume that changes it starts a fresh best', async () => {
    const first: Array<{ step: number; valLoss: number }> = [];
    await runPretraining(args('agg', { evalEvery: 3, lossAggregation: 'geometric', steps: 6 }), {
      onEval: (e) => first.push(e),
    });
    const evals: Array<{ step: number; improved: boolean; valLoss: number }> = [];
    const r = await runPretraining(
      // A learning rate too small to move the weights: the change of aggregation is all that differs.
      args('agg', { evalEvery: 3, lr: 1e-9, resume: path.join(tmp, 'agg'), steps: 9 }),
      { onEval: (e) => evals.push(e) },
    );
    // The arithmetic mean of the windows' losses lies above their geometric mean (AM–GM), so
    // without the reset step 9 could never beat the geometric best of step 6.
    expect(evals.map((e) => e.step)).toEqual([9]);
    expect(evals[0].valLoss).toBeGreaterThan(first[first.length - 1].valLoss);
    expect(evals[0].improved).toBe(true);
    expect(r.bestStep).toBe(9);
    const state = JSON.parse(
      fs.readFileSync(path.join(r.outDir, 'last', 'training-state.json'), 'utf8'),
    ) as { lossAggregation: string; validation: string };
    expect(state.lossAggregation).toBe('mean');
    expect(JSON.parse(state.validation)).toMatchObject({
      loss: { aggregation: 'mean' },
      windows: 32,
    });
    const manifest = JSON.parse(fs.readFileSync(path.join(r.outDir, 'manifest.json'), 'utf8')) as {
      extra: { training: { loss: unknown } };
    };
    expect(manifest.extra.training.loss).toEqual({ aggregation: 'mean' });
    expect(() => resolvePretrainArgs({ ...args('x'), lossEpsilon: 0 })).toThrow(/lossEpsilon/);
    expect(() =>
      resolvePretrainArgs({ ...args('x'), lossAggregation: 'median' as 'mean' }),
    ).toThrow(/lossAggregation must be one of mean, geometric/);
  }, 60_000);

  it('starts from the weights of a checkpoint with a fresh optimizer at step 0 (init)', async () => {
    const src = await runPretraining(args('init-src', { command: 'src', evalEvery: 5, steps: 10 }));
    const starts: number[] = [];
    const r = await runPretraining(
      // Another model size is asked for: the checkpoint's config wins. A learning rate too small
      // to move the weights, so the run's checkpoint must hold the source's weights.
      args('init-dst', {
        command: 'dst',
        evalEvery: 3,
        init: src.outDir,
        lr: 1e-9,
        model: { ...MODEL, dModel: MODEL.dModel * 2 },
        steps: 3,
      }),
      { onStart: (e) => starts.push(e.startStep) },
    );
    expect(starts).toEqual([0]);
    expect(r.stepsDone).toBe(3);
    const a = await weightsOf(src.outDir);
    const b = await weightsOf(r.outDir);
    expect([...b.keys()]).toEqual([...a.keys()]);
    let maxDiff = 0;
    for (const [name, w] of a) {
      const v = b.get(name) as Float32Array;
      for (let i = 0; i < w.length; i++) maxDiff = Math.max(maxDiff, Math.abs(w[i] - v[i]));
    }
    expect(maxDiff).toBeLessThan(1e-5);
    const manifest = JSON.parse(fs.readFileSync(path.join(r.outDir, 'manifest.json'), 'utf8')) as {
      extra: { commands: unknown; initFrom: unknown };
    };
    const sha = createHash('sha256')
      .update(fs.readFileSync(path.join(src.outDir, 'weights.bin')))
      .digest('hex');
    expect(manifest.extra.initFrom).toEqual({
      commands: [{ command: 'src', fromStep: 0 }],
      dir: src.outDir,
      initFrom: null,
      weightsSha256: sha,
    });
    expect(manifest.extra.commands).toEqual([{ command: 'dst', fromStep: 0 }]);
    // A chain of init runs keeps every link.
    const third = await runPretraining(
      args('init-third', { command: 'third', evalEvery: 2, init: r.outDir, steps: 2 }),
    );
    const chained = JSON.parse(
      fs.readFileSync(path.join(third.outDir, 'manifest.json'), 'utf8'),
    ) as { extra: { initFrom: { dir: string; initFrom: { dir: string; commands: unknown } } } };
    expect(chained.extra.initFrom.dir).toBe(r.outDir);
    expect(chained.extra.initFrom.initFrom).toMatchObject({
      commands: [{ command: 'src', fromStep: 0 }],
      dir: src.outDir,
    });
    expect(() => resolvePretrainArgs({ ...args('x'), init: 'a', resume: 'b' })).toThrow(
      /resume and init exclude each other/,
    );
    await expect(
      runPretraining(args('init-missing', { init: path.join(tmp, 'nowhere') })),
    ).rejects.toThrow(/no checkpoint to start from in .*nowhere/);
  }, 60_000);

  it('deepens the init checkpoint with --grow-layers, keeping its weights', async () => {
    const src = await runPretraining(args('grow-src', { evalEvery: 5, steps: 6 }));
    const layers = MODEL.numLayers;
    const r = await runPretraining(
      args('grow-dst', {
        evalEvery: 2,
        growLayers: layers + 1,
        init: src.outDir,
        lr: 1e-9,
        steps: 2,
      }),
    );
    const { model } = await importCheckpoint(await readCheckpointDir(r.outDir));
    expect(model.config.numLayers).toBe(layers + 1);
    model.dispose();
    const a = await weightsOf(src.outDir);
    const b = await weightsOf(r.outDir);
    const maxDiff = (x: Float32Array, y: Float32Array): number =>
      x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
    for (const [name, w] of a) expect(maxDiff(w, b.get(name) as Float32Array)).toBeLessThan(1e-5);
    // The new block copies the last one, its residual outputs (still) zero.
    const last = `blocks.${layers - 1}`;
    const added = `blocks.${layers}`;
    const ffnIn = b.get(`${added}.ffnIn.kernel`) as Float32Array;
    expect(maxDiff(ffnIn, a.get(`${last}.ffnIn.kernel`) as Float32Array)).toBeLessThan(1e-5);
    const ffnOut = b.get(`${added}.ffnOut.kernel`) as Float32Array;
    expect(maxDiff(ffnOut, new Float32Array(ffnOut.length))).toBeLessThan(1e-5);

    expect(() => resolvePretrainArgs({ ...args('x'), growLayers: 4 })).toThrow(
      /growLayers needs init/,
    );
    expect(() => resolvePretrainArgs({ ...args('x'), growLayers: 2.5, init: 'a' })).toThrow(
      /growLayers must be a positive integer, got 2.5/,
    );
    await expect(
      runPretraining(args('grow-less', { growLayers: layers - 1, init: src.outDir })),
    ).rejects.toThrow(`growing needs at least the checkpoint's ${layers} blocks`);
  }, 60_000);

  it('trains through two worker threads by default, replicas agreeing (needs npm run build)', async () => {
    const { engine: _local, ...rest } = args('workers', { steps: 4, evalEvery: 2, workers: 2 });
    const result = await runPretraining({ ...rest, backends: ['wasm'] });
    expect(result.stepsDone).toBe(4);
    expect(result.checksums).toHaveLength(2);
    expect(result.checksums[0]).toBe(result.checksums[1]);
    const { model } = await importCheckpoint(await readCheckpointDir(result.outDir));
    expect(model.config.dModel).toBe(MODEL.dModel);
    model.dispose();
  }, 60_000);
});
