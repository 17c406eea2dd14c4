import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorpusReader, DEFAULT_HELD_OUT_CYCLES, type CorpusManifest } from '@fleetfm/datasets';
import type { CheckpointFiles } from '../../checkpoint';
import { fleetCorpusSource } from './fleet-corpus.source';
import { buildPretrainCorpus } from './pretrain-corpus';
import { unseenCycles } from './pretrain.job';

const scenariosOf = (heldOutCycles?: readonly string[]): Set<string> => {
  const series = [...fleetCorpusSource({ gpsShare: 0, heldOutCycles, hours: 12 })(7)];
  return new Set(series.map((s) => s.scenario ?? ''));
};

const manifestWith = (heldOutCycles: unknown): CorpusManifest =>
  ({ meta: { simulator: { heldOutCycles, seed: 1, series: 3 } } }) as unknown as CorpusManifest;

const checkpointWith = (heldOutCycles?: unknown): CheckpointFiles =>
  ({
    manifestJson: JSON.stringify({ extra: heldOutCycles ? { heldOutCycles } : {} }),
  }) as unknown as CheckpointFiles;

describe('held-out drive cycles', () => {
  it('the simulated corpus fleet never drives a held-out cycle (and does drive it otherwise)', () => {
    const all = scenariosOf(undefined);
    expect(all.has('wltc_3b')).toBe(true);
    expect(all.has('nrel13')).toBe(true);
    const held = scenariosOf(['wltc_3b', 'nrel13']);
    expect(held.has('wltc_3b')).toBe(false);
    expect(held.has('nrel13')).toBe(false);
    expect(held.has('udds')).toBe(true);
  });

  it('the corpus manifest records the default held-out cycles; a typo is a clear error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-heldout-'));
    try {
      const manifest = await buildPretrainCorpus({
        gps: false,
        hours: 0.2,
        outDir: path.join(dir, 'c'),
        syntheticCount: 0,
      });
      expect(manifest.meta?.simulator).toMatchObject({
        heldOutCycles: ['nrel13', 'wltc_3b'],
        realRouteShare: 0.4,
      });
      expect(DEFAULT_HELD_OUT_CYCLES).toEqual(['nrel13', 'wltc_3b']);
      await expect(
        buildPretrainCorpus({ heldOutCycles: ['wltc3b'], outDir: path.join(dir, 'd') }),
      ).rejects.toThrow(/unknown drive cycle\(s\) to hold out: wltc3b \(the cycles are .*wltc_3b/);
      expect(fs.existsSync(path.join(dir, 'd'))).toBe(false);
    } finally {
      fs.rmSync(dir, { force: true, recursive: true });
    }
  });

  it('--validation-vehicles: a GPS vehicle to validation, its routes never driven; bad ids are clear errors', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-pinned-'));
    try {
      const manifest = await buildPretrainCorpus({
        gpsShare: 1,
        hours: 3,
        outDir: path.join(dir, 'c'),
        syntheticCount: 0,
        validationVehicles: ['4107032_1'],
      });
      expect(manifest.split.pinned).toEqual({ 'vehicle:cmap:4107032_1': 'validation' });
      expect(manifest.split.entities['vehicle:cmap:4107032_1']).toBe('validation');
      const routes = new Set<string>();
      for await (const r of (await CorpusReader.open(path.join(dir, 'c'))).series()) {
        if (r.vehicleId === 'cmap:4107032_1') expect(r.split).toBe('validation');
        const m = r.source === 'sim' ? /\/gps:([^/]+)\//.exec(r.group) : null;
        if (m) routes.add(m[1]);
      }
      // Simulated trips replay GPS routes of train-split vehicles, never the pinned one's (a third
      // of those routes are its: drawn freely, a dozen trips would all but surely include one).
      expect(routes.size).toBeGreaterThan(3);
      expect(routes.has('4107032_1')).toBe(false);
      expect(routes.has('4108468_1')).toBe(false);
      await expect(
        buildPretrainCorpus({ outDir: path.join(dir, 'd'), validationVehicles: ['4108468_1'] }),
      ).rejects.toThrow(/'4108468_1' is in the test split/);
      await expect(
        buildPretrainCorpus({ outDir: path.join(dir, 'e'), validationVehicles: ['nope'] }),
      ).rejects.toThrow(/no GPS vehicle 'nope' .*4107032_1/);
      expect(fs.existsSync(path.join(dir, 'd'))).toBe(false);
    } finally {
      fs.rmSync(dir, { force: true, recursive: true });
    }
  });

  it("a checkpoint's unseen cycles: the corpus' held-out ones that its starting weights never saw either", () => {
    const corpus = manifestWith(['nrel13', 'wltc_3b']);
    expect(unseenCycles(corpus, [undefined, undefined])).toEqual(['nrel13', 'wltc_3b']);
    expect(unseenCycles(corpus, [checkpointWith(['wltc_3b', 'us06'])])).toEqual(['wltc_3b']);
    // Weights from before cycles were recorded may have trained on every cycle.
    expect(unseenCycles(corpus, [undefined, checkpointWith()])).toEqual([]);
    expect(unseenCycles(manifestWith(undefined), [])).toEqual([]);
    expect(unseenCycles(manifestWith([1, 'us06']), [])).toEqual(['us06']);
  });
});
