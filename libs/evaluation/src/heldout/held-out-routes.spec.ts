import { loadTraceLibrary } from '@fleetfm/simulator';
import { simulateHeldOutFleet } from './held-out-fleet';
import { checkpointHeldOutCycles, splitRoutes } from './held-out-routes';

describe('held-out routes', () => {
  const library = loadTraceLibrary();

  it('holds out the named cycles and the GPS routes of held-out vehicles, nothing else', () => {
    const split = splitRoutes(library, ['wltc_3b', 'nrel13'], ['4108468_1']);
    expect(split.heldOut.cycles.map((c) => c.name).sort()).toEqual(['nrel13', 'wltc_3b']);
    expect(split.heldOutCycles).toEqual(expect.arrayContaining(['nrel13', 'wltc_3b']));
    expect(split.heldOut.gpsTrips.length).toBeGreaterThan(0);
    expect(split.heldOut.gpsTrips.every((t) => t.name.startsWith('gps:4108468_1/'))).toBe(true);
    expect(split.heldOutGpsRoutes).toBe(split.heldOut.gpsTrips.length);
    const seen = split.seen.cycles.map((c) => c.name);
    expect(seen).toContain('udds');
    expect(seen).not.toContain('wltc_3b');
    expect(seen).toHaveLength(library.cycles.length - 2);
    expect(split.seen.gpsTrips).toHaveLength(0);
  });

  it('the forecasting fleet on held-out routes drives only those routes', () => {
    const split = splitRoutes(library, ['wltc_3b'], ['4116813_1']);
    const trips = simulateHeldOutFleet({
      drivers: 3,
      library: split.heldOut,
      minRouteS: 576,
      rateHz: 1,
      tripsPerDriver: 3,
    });
    expect(new Set(trips.map((t) => t.scenario))).toEqual(new Set(['wltc_3b', 'real']));
  });

  it('a fleet with no long-enough route is a clear error', () => {
    expect(() =>
      simulateHeldOutFleet({
        drivers: 1,
        library: { cycles: [], gpsTrips: [] },
        minRouteS: 576,
        rateHz: 1,
        tripsPerDriver: 1,
      }),
    ).toThrow('no drive cycle or GPS route of at least 576 s');
  });

  it("reads the checkpoint's held-out cycles; none when it does not record them", () => {
    expect(checkpointHeldOutCycles({ heldOutCycles: ['wltc_3b', 3] })).toEqual(['wltc_3b']);
    expect(checkpointHeldOutCycles({})).toEqual([]);
    expect(checkpointHeldOutCycles(undefined)).toEqual([]);
  });
});
