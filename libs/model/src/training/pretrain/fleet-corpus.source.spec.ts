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

describe('fleetCorpusSource procedural routes', () => {
  /** Trip group → its series' scenario and first values, for a 4-hour fleet. */
  const trips = (proceduralShare?: number): Map<string, { scenario: string; head: number[] }> => {
    const out = new Map<string, { scenario: string; head: number[] }>();
    for (const s of fleetCorpusSource({ hours: 4, proceduralShare })(5)) {
      if (s.channel !== 'speed_mps') continue;
      out.set(s.group, { head: Array.from(s.values.slice(0, 400)), scenario: s.scenario ?? '' });
    }
    return out;
  };

  it('drives generated routes on the requested share of trips and leaves the others as they were', () => {
    const before = trips(undefined);
    expect(trips(0)).toEqual(before);
    const all = [...trips(1).entries()];
    expect(
      all.every(([group, t]) => t.scenario === 'procedural' && group.includes('procedural:5#')),
    ).toBe(true);
    const mixed = trips(0.5);
    const procedural = [...mixed.values()].filter((t) => t.scenario === 'procedural').length;
    expect(procedural / mixed.size).toBeGreaterThan(0.3);
    expect(procedural / mixed.size).toBeLessThan(0.7);
    // A trip that is not procedural is the same trip (same index, vehicle, driver, route) as before.
    let same = 0;
    for (const [group, t] of mixed) {
      if (t.scenario === 'procedural') continue;
      expect(before.get(group)).toEqual(t);
      same++;
    }
    expect(same).toBeGreaterThan(0);
  });

  it('rejects a share outside [0, 1]', () => {
    expect(() => [...fleetCorpusSource({ proceduralShare: 1.5 })(1)]).toThrow(
      /procedural route share/,
    );
  });
});
