import { DEFAULT_REAL_ROUTE_SHARE, fleetCorpusSource } from './fleet-corpus.source';

/** Share of the simulated trips (not series: a trip writes one series per signal) on real routes. */
const realShare = (gpsShare?: number): number => {
  const trips = new Map<string, string>();
  for (const s of fleetCorpusSource({ gpsShare, hours: 30 })(11))
    trips.set(s.group, s.scenario ?? '');
  const scenarios = [...trips.values()];
  return scenarios.filter((s) => s === 'real').length / scenarios.length;
};

describe('fleetCorpusSource real-route share', () => {
  it('follows real GPS routes on about the requested share of trips, standard cycles otherwise', () => {
    expect(DEFAULT_REAL_ROUTE_SHARE).toBe(0.4);
    expect(realShare(0)).toBe(0);
    expect(realShare(1)).toBe(1);
    const high = realShare(0.8);
    const low = realShare(0.2);
    expect(high).toBeGreaterThan(0.65);
    expect(low).toBeLessThan(0.35);
    expect(Math.abs(realShare(undefined) - DEFAULT_REAL_ROUTE_SHARE)).toBeLessThan(0.15);
  });
});
