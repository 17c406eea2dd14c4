import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '../../backend';
import { exportCheckpoint, writeCheckpointDir } from '../../checkpoint';
import { LEVEL_BLEND_FILE, parseLevelBlend } from '../../level-blend';
import { PatchModel } from '../../patch-model';
import { TINY_MODEL_ARGS } from '../../patch-model.config';
import { fitCheckpointLevelBlend } from './level-blend.job';
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
