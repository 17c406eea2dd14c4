import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '../../backend';
import { exportCheckpoint, writeCheckpointDir } from '../../checkpoint';
import { LEVEL_BLEND_FILE, parseLevelBlend } from '../../level-blend';
import { PatchModel } from '../../patch-model';
import { TINY_MODEL_ARGS } from '../../patch-model.config';
import type { LevelBlendFit, SignalBlendFit } from '../../level-blend.fit';
import { fitCheckpointLevelBlend, mergeFits } from './level-blend.job';
import { signalIdOf } from './signal-ids';
import { writeToyCorpus } from './toy-corpus.testing';

let tmp: string;

beforeAll(async () => {
  await selectBackend({ prefer: ['wasm', 'cpu'] });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-blend-'));
  await writeToyCorpus(path.join(tmp, 'corpus'));
  const model = new PatchModel({ ...TINY_MODEL_ARGS, numSignals: 12 });
  const c = model.config;
  const files = await exportCheckpoint(model, {
    createdAt: new Date(0),
    tokenizer: {
      contextLength: c.contextLength,
      minScale: 1e-5,
      patchLength: c.patchLength,
      scaling: 'last-std',
    },
  });
  await writeCheckpointDir(path.join(tmp, 'model'), files);
  model.dispose();
});

afterAll(() => fs.rmSync(tmp, { force: true, recursive: true }));

describe('fitCheckpointLevelBlend', () => {
  it('fits on validation windows of the corpus and writes the sidecar', async () => {
    const progress: number[] = [];
    const r = await fitCheckpointLevelBlend({
      checkpointDir: path.join(tmp, 'model'),
      corpusDir: path.join(tmp, 'corpus'),
      onProgress: (done) => progress.push(done),
      windows: 300,
    });
    expect(r.file).toBe(path.join(tmp, 'model', LEVEL_BLEND_FILE));
    expect(progress.at(-1)).toBe(300);
    // The toy corpus has speed_mps and unnamed (signal 0) series.
    expect([...new Set(r.fits.map((f) => f.signalId))]).toEqual([0, signalIdOf('speed_mps')]);
    // Each window is scored in one (signal, roughness class) group.
    expect(r.fits.reduce((n, f) => n + f.samples, 0)).toBe(300);
    for (const f of r.fits) {
      expect(f.samples).toBeGreaterThan(0);
      // The fit starts from the network alone and only keeps what lowers its objective.
      expect(f.relativeMae.blended).toBeLessThanOrEqual(f.relativeMae.network + 1e-9);
      expect(Number.isFinite(f.qualityLossRatio)).toBe(true);
    }
    const stored = parseLevelBlend(JSON.parse(fs.readFileSync(r.file ?? '', 'utf8')), 8);
    expect(stored.signals).toEqual(r.state.signals);
    expect(stored.fittedOn).toMatchObject({ seed: 7, split: 'validation', windows: 300 });
    // The toy corpus pins no GPS vehicle to validation: no held-out routes.
    expect(r.heldOutRoutes).toBeUndefined();
    expect(new Set(r.fitSets)).toEqual(new Set(['corpus']));
  });

  it('fits the simulated signals on held-out routes and the rest on the corpus', async () => {
    let last: [number, number] = [0, 0];
    const r = await fitCheckpointLevelBlend({
      checkpointDir: path.join(tmp, 'model'),
      corpusDir: path.join(tmp, 'corpus'),
      heldOutRoutes: ['4109114_1'],
      onProgress: (done, total) => (last = [done, total]),
      routeFleet: { drivers: 10, origins: 6, tripsPerDriver: 3 },
      windows: 200,
      write: false,
    });
    const routes = r.heldOutRoutes;
    expect(routes).toMatchObject({ simulatedTrips: 30, vehicles: ['4109114_1'] });
    expect(last).toEqual([200 + (routes?.windows ?? 0), 200 + (routes?.windows ?? 0)]);
    const setsOf = (id: number) =>
      new Set(r.fits.flatMap((f, i) => (f.signalId === id ? [r.fitSets[i]] : [])));
    expect(setsOf(0)).toEqual(new Set(['corpus']));
    expect(setsOf(signalIdOf('pedal_pct'))).toEqual(new Set(['held-out routes']));
    // Speed classes the route fleet scored ≥ 50 windows of come from it; their windows are the
    // fleet's and the recorded speed's, not the toy corpus' speed series.
    const routedSpeed = r.fits.filter(
      (f, i) => f.signalId === signalIdOf('speed_mps') && r.fitSets[i] === 'held-out routes',
    );
    expect(routedSpeed.length).toBeGreaterThan(0);
    for (const f of routedSpeed) expect(f.samples).toBeGreaterThanOrEqual(50);
    expect(routedSpeed.reduce((n, f) => n + f.samples, 0)).toBeLessThanOrEqual(
      6 * (30 + (routes?.recordedTrips ?? 0)),
    );
    expect(r.state.fittedOn).toMatchObject({ heldOutRoutes: routes, windows: 200 });
  });

  it('writes nothing when asked not to', async () => {
    const dir = path.join(tmp, 'model');
    fs.rmSync(path.join(dir, LEVEL_BLEND_FILE), { force: true });
    const r = await fitCheckpointLevelBlend({
      checkpointDir: dir,
      corpusDir: path.join(tmp, 'corpus'),
      windows: 100,
      write: false,
    });
    expect(r.file).toBeUndefined();
    expect(fs.existsSync(path.join(dir, LEVEL_BLEND_FILE))).toBe(false);
  });
});

describe('mergeFits', () => {
  const fit = (
    signalId: number,
    roughnessClass: number,
    window?: number,
    samples = 60,
  ): SignalBlendFit => ({
    buckets: [{ from: 0, to: 8, weight: window === undefined ? 0 : 0.5 }],
    qualityLossRatio: 1,
    relativeMae: { blended: 0.9, network: 1 },
    roughness: { from: 0, to: Infinity },
    roughnessClass,
    samples,
    signalId,
    ...(window === undefined ? {} : { window }),
  });
  const entry = (window: number) => ({ weights: new Array<number>(8).fill(0.5), window });
  const corpus: LevelBlendFit = {
    fits: [fit(0, 0, 16), fit(5, 0, 64), fit(9, 0, 32), fit(9, 1, 64)],
    state: {
      roughnessBounds: [0.5],
      signals: { 0: [entry(16), null], 5: [entry(64), null], 9: [entry(32), entry(64)] },
      version: 1,
    },
  };
  // Speed: class 0 network alone, class 1 the last value; grade: too few windows to count;
  // pedal: only on the routes.
  const route: LevelBlendFit = {
    fits: [fit(5, 0, undefined, 3), fit(7, 1, 32), fit(9, 0), fit(9, 1, 1)],
    state: {
      roughnessBounds: [0.5],
      signals: { 7: [null, entry(32)], 9: [null, entry(1)] },
      version: 1,
    },
  };

  it('takes each class the routes scored enough windows of from them, the rest from the corpus', () => {
    const m = mergeFits(corpus, route);
    expect(m.state.signals).toEqual({
      0: [entry(16), null],
      5: [entry(64), null],
      7: [null, entry(32)],
      9: [null, entry(1)],
    });
    expect(m.fits.map((f) => [f.signalId, f.roughnessClass, f.window])).toEqual([
      [0, 0, 16],
      [5, 0, 64],
      [7, 1, 32],
      [9, 0, undefined],
      [9, 1, 1],
    ]);
    expect(m.sets).toEqual([
      'corpus',
      'corpus',
      'held-out routes',
      'held-out routes',
      'held-out routes',
    ]);
  });

  it('is the corpus fit when there is no route fit', () => {
    const m = mergeFits(corpus, undefined);
    expect(m.state).toBe(corpus.state);
    expect(m.sets).toEqual(['corpus', 'corpus', 'corpus', 'corpus']);
  });
});
