import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SplitAssigner } from '@fleetfm/datasets';
import { defaultSharedDataDir } from '@fleetfm/simulator';
import { heldOutGpsTrips } from './held-out-gps';
import { simulateHeldOutFleet } from './held-out-fleet';

describe('held-out data', () => {
  it('simulates eval-* drivers and vehicles (never the training sim-* ids), deterministically', () => {
    const a = simulateHeldOutFleet({ drivers: 2, minRouteS: 600, rateHz: 1, tripsPerDriver: 2 });
    const b = simulateHeldOutFleet({ drivers: 2, minRouteS: 600, rateHz: 1, tripsPerDriver: 2 });
    expect(a.map((t) => t.driverId)).toEqual([
      'eval-drv-0',
      'eval-drv-0',
      'eval-drv-1',
      'eval-drv-1',
    ]);
    expect(a.every((t) => t.vehicleId.startsWith('eval-veh-'))).toBe(true);
    expect(a.map((t) => t.id)).toEqual(b.map((t) => t.id));
    expect(Array.from(a[3].signals.speed_mps.subarray(0, 50))).toEqual(
      Array.from(b[3].signals.speed_mps.subarray(0, 50)),
    );
    for (const t of a) expect(t.signals.speed_mps.length).toBeGreaterThanOrEqual(600);
  });

  it('takes the GPS vehicles of the test split: from the corpus manifest, else the seed', () => {
    const root = defaultSharedDataDir();
    const bySeed = heldOutGpsTrips(root, { seed: 42 });
    const assigner = new SplitAssigner(42);
    for (const v of bySeed.vehicles) {
      expect(assigner.entitySplit(`vehicle:cmap:${v}`)).toBe('test');
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-corpus-'));
    try {
      const manifest = {
        split: {
          entities: { 'vehicle:cmap:4033363_3': 'test' },
          fractions: { test: 0, validation: 0 },
          seed: 1,
        },
      };
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      expect(heldOutGpsTrips(root, { dir, seed: 42 }).vehicles).toEqual(['4033363_3']);
    } finally {
      fs.rmSync(dir, { force: true, recursive: true });
    }
  });
});
