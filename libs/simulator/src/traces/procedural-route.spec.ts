import { Prng } from '../random/prng';
import { proceduralRoute } from './procedural-route';
import { ROAD_CLASSES, RoadWalk } from './road-network';
import { traceDurationS } from './speed-trace';

const MPH = 0.44704;

describe('RoadWalk', () => {
  it('never enters a highway with highwayBias 0, often with 1', () => {
    const town = new RoadWalk(new Prng(1), 0);
    const commute = new RoadWalk(new Prng(1), 1);
    const classes = (walk: RoadWalk): string[] =>
      Array.from({ length: 2000 }, () => walk.next().roadClass);
    expect(classes(town)).not.toContain('highway');
    const c = classes(commute);
    expect(c.filter((x) => x === 'highway').length / c.length).toBeGreaterThan(0.2);
    expect(new Set(c)).toEqual(new Set(ROAD_CLASSES.map((r) => r.name)));
  });

  it("draws limits and lengths within each class's ranges", () => {
    const walk = new RoadWalk(new Prng(2), 0.5);
    for (let i = 0; i < 1000; i++) {
      const b = walk.next();
      const cls = ROAD_CLASSES.find((r) => r.name === b.roadClass);
      expect(cls?.limitsMps).toContain(b.limitMps);
      expect(b.lengthM).toBeGreaterThanOrEqual(cls?.lengthM[0] ?? Infinity);
      expect(b.lengthM).toBeLessThanOrEqual(cls?.lengthM[1] ?? -Infinity);
      if (b.end.kind === 'stop') expect(b.end.dwellS).toBeGreaterThan(0);
    }
  });
});

describe('proceduralRoute', () => {
  it('is deterministic in the generator and differs between seeds', () => {
    const a = proceduralRoute(new Prng(7), 'a');
    const b = proceduralRoute(new Prng(7), 'a');
    const c = proceduralRoute(new Prng(8), 'c');
    expect(Array.from(a.speedMps)).toEqual(Array.from(b.speedMps));
    expect(Array.from(a.grade)).toEqual(Array.from(b.grade));
    expect(Array.from(c.speedMps)).not.toEqual(Array.from(a.speedMps));
    expect(a).toMatchObject({ name: 'a', scenario: 'procedural', source: 'procedural' });
  });

  it('is drivable: starts and ends at rest, lasts about as asked, bounded speed and acceleration', () => {
    for (let seed = 0; seed < 20; seed++) {
      const sut = proceduralRoute(new Prng(seed), `r${seed}`, { durationS: 900 });
      const v = sut.speedMps;
      expect(v[0]).toBe(0);
      expect(v[v.length - 1]).toBe(0);
      expect(traceDurationS(sut)).toBeGreaterThanOrEqual(900);
      expect(traceDurationS(sut)).toBeLessThan(900 + 600);
      let [minV, maxV, minA, maxA] = [Infinity, -Infinity, Infinity, -Infinity];
      for (let i = 1; i < v.length; i++) {
        [minV, maxV] = [Math.min(minV, v[i]), Math.max(maxV, v[i])];
        [minA, maxA] = [Math.min(minA, v[i] - v[i - 1]), Math.max(maxA, v[i] - v[i - 1])];
      }
      expect(minV).toBe(0);
      // Top limit 70 mph, cruise at most 1.2× the limit, plus the wander.
      expect(maxV).toBeLessThan(70 * MPH * 1.2 + 6);
      expect(minA).toBeGreaterThanOrEqual(-4 - 1e-9);
      expect(maxA).toBeLessThanOrEqual(2.2 + 1e-9);
      expect(sut.grade.length).toBe(v.length);
      expect(Math.max(...sut.grade.map(Math.abs))).toBeLessThan(0.2);
    }
  });

  it('drives like the recorded fleet: stops mid-route, a median moving speed of 25–45 mph', () => {
    const moving: number[] = [];
    let stopped = 0;
    let total = 0;
    let routesWithStops = 0;
    for (let seed = 0; seed < 60; seed++) {
      const v = proceduralRoute(new Prng(100 + seed), 'r').speedMps;
      let stopsInside = 0;
      for (let i = 1; i < v.length - 1; i++) {
        if (v[i] < 0.5) stopped++;
        else moving.push(v[i]);
        if (v[i] === 0 && v[i - 1] > 0) stopsInside++;
      }
      total += v.length - 2;
      if (stopsInside > 1) routesWithStops++;
    }
    moving.sort((x, y) => x - y);
    const median = moving[Math.floor(moving.length / 2)] / MPH;
    expect(median).toBeGreaterThan(25);
    expect(median).toBeLessThan(45);
    expect(stopped / total).toBeGreaterThan(0.02);
    expect(stopped / total).toBeLessThan(0.15);
    expect(routesWithStops).toBeGreaterThan(40);
  });

  it('keeps a town route (highwayBias 0) below highway speeds', () => {
    for (let seed = 0; seed < 10; seed++) {
      const v = proceduralRoute(new Prng(seed), 't', { highwayBias: 0 }).speedMps;
      expect(Math.max(...v)).toBeLessThan(55 * MPH * 1.2 + 6);
    }
  });

  it('rejects a duration or highway bias out of range', () => {
    expect(() => proceduralRoute(new Prng(1), 'x', { durationS: 0 })).toThrow(/lasts/);
    expect(() => proceduralRoute(new Prng(1), 'x', { highwayBias: 1.5 })).toThrow(/highwayBias/);
  });
});
