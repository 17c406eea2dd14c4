import { NotFoundError, SIGNAL_NAMES, ValidationError } from '@fleetfm/domain';
import { loadCmapGpsTrips, type CorpusManifest } from '@fleetfm/datasets';
import { defaultSharedDataDir } from '@fleetfm/simulator';
import { heldOutRouteWindows, pinnedValidationVehicles } from './held-out-route-windows';
import { signalIdOf } from './signal-ids';

// Real CMAP GPS logs from the shared data folder: one vehicle's routes, small windows.
const VEHICLE = '4109114_1';
const base = { contextLength: 48, drivers: 2, horizon: 16, origins: 3, tripsPerDriver: 2 };

describe('heldOutRouteWindows', () => {
  const r = heldOutRouteWindows({ ...base, seed: 5, vehicles: [VEHICLE] });

  it('simulates every signal of each trip on the vehicle routes, plus its recorded speed', () => {
    expect(r.simulatedTrips).toBe(4);
    expect(r.routes).toBeGreaterThan(0);
    expect(r.recordedTrips).toBeGreaterThan(0);
    const ids = new Set(r.windows.map((w) => w.signalId));
    expect([...ids].sort((a, b) => a - b)).toEqual(SIGNAL_NAMES.map((_, i) => i + 1));
    for (const w of r.windows) {
      expect(w.context).toHaveLength(48);
      expect(w.actual).toHaveLength(16);
    }
    // 3 origins per series: 4 trips × 9 signals, then the recorded trips.
    expect(r.windows).toHaveLength(3 * (4 * SIGNAL_NAMES.length + r.recordedTrips));
  });

  it('cuts recorded speed at the first full context, the middle and the last full horizon', () => {
    const trip = loadCmapGpsTrips(defaultSharedDataDir()).find(
      (t) => t.vehicleId === VEHICLE && t.speedMps.length >= 64,
    );
    const recorded = r.windows.slice(3 * 4 * SIGNAL_NAMES.length);
    expect(recorded.every((w) => w.signalId === signalIdOf('speed_mps'))).toBe(true);
    const speed = trip?.speedMps ?? new Float32Array();
    const last = speed.length - 16;
    expect(Array.from(recorded[0].context)).toEqual(Array.from(speed.slice(0, 48)));
    expect(Array.from(recorded[0].actual)).toEqual(Array.from(speed.slice(48, 64)));
    expect(Array.from(recorded[2].actual)).toEqual(Array.from(speed.slice(last)));
    const mid = 48 + Math.round((last - 48) / 2);
    expect(Array.from(recorded[1].context)).toEqual(Array.from(speed.slice(mid - 48, mid)));
  });

  it('is deterministic in the seed', () => {
    const again = heldOutRouteWindows({ ...base, seed: 5, vehicles: [VEHICLE] });
    const other = heldOutRouteWindows({ ...base, seed: 6, vehicles: [VEHICLE] });
    const first = (x: typeof r): number[] => Array.from(x.windows[0].context);
    expect(first(again)).toEqual(first(r));
    expect(first(other)).not.toEqual(first(r));
  });

  it('names vehicles that have no long-enough route, and rejects bad sizes', () => {
    expect(() => heldOutRouteWindows({ ...base, vehicles: ['999_9'] })).toThrow(NotFoundError);
    expect(() => heldOutRouteWindows({ ...base, vehicles: ['999_9'] })).toThrow(/999_9/);
    expect(() => heldOutRouteWindows({ ...base, vehicles: [] })).toThrow(ValidationError);
    expect(() => heldOutRouteWindows({ ...base, drivers: 0, vehicles: [VEHICLE] })).toThrow(
      /drivers must be a positive integer/,
    );
    expect(() => heldOutRouteWindows({ ...base, origins: 1.5, vehicles: [VEHICLE] })).toThrow(
      /origins must be a positive integer/,
    );
  });
});

describe('pinnedValidationVehicles', () => {
  it('lists the CMAP vehicles a corpus pins to validation, sorted', () => {
    const manifest = {
      split: {
        pinned: {
          'driver:sim-drv-1': 'validation',
          'vehicle:cmap:4111928_1': 'validation',
          'vehicle:cmap:4109114_1': 'validation',
          'vehicle:cmap:4108468_1': 'test',
        },
      },
    } as unknown as CorpusManifest;
    expect(pinnedValidationVehicles(manifest)).toEqual(['4109114_1', '4111928_1']);
    expect(pinnedValidationVehicles({ split: {} } as unknown as CorpusManifest)).toEqual([]);
  });
});
