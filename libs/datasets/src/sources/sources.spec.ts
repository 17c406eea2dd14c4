import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NotFoundError } from '@fleetfm/domain';
import { accelerationOf, loadCmapGpsTrips } from './cmap-gps.source';
import { defaultDataRoot } from './data-root';
import { simulatedTripSeries } from './simulated-trip.adapter';

function gpsLog(
  start: string,
  speedsMph: readonly number[],
  gapAfter: number,
  gapS: number,
): string {
  const t0 = Date.parse(`${start}Z`) / 1000;
  const rows = ['timestamp,cycle_sec,timestep,speed_mph,accel_meters_ps'];
  let t = t0;
  speedsMph.forEach((v, i) => {
    const stamp = new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ');
    rows.push(`${stamp},${t - t0},1,${v},0.0`);
    t += i === gapAfter ? gapS : 1;
  });
  return `${rows.join('\n')}\n`;
}

describe('loadCmapGpsTrips', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-gps-'));
    fs.mkdirSync(path.join(root, 'cmap-gps', '123_2'), { recursive: true });
    // Two trips of 5 samples separated by a 300 s jump.
    const text = gpsLog('2007-08-20 06:00:00', [0, 10, 20, 10, 0, 0, 5, 10, 5, 0], 4, 300);
    fs.writeFileSync(path.join(root, 'cmap-gps', '123_2', '2007-08-20.csv'), text);
  });
  afterAll(() => fs.rmSync(root, { force: true, recursive: true }));

  it('splits a log at timestamp jumps, converts mph to m/s and labels vehicle, date and trip', () => {
    const trips = loadCmapGpsTrips(root, { minDurationS: 1, minPeakMps: 0 });
    expect(trips.map((t) => t.name)).toEqual(['123_2/2007-08-20#0', '123_2/2007-08-20#1']);
    expect(trips[0]).toMatchObject({
      date: '2007-08-20',
      freqS: 1,
      household: '123',
      tripIndex: 0,
      vehicleId: '123_2',
    });
    // 1 mph = 0.44704 m/s exactly.
    expect(Array.from(trips[0].speedMps)).toEqual(
      [0, 10, 20, 10, 0].map((v) => Math.fround(v * 0.44704)),
    );
    expect(trips[1].speedMps).toHaveLength(5);
  });

  it('names the folder it did not find', () => {
    expect(() => loadCmapGpsTrips(path.join(root, 'nope'))).toThrow(NotFoundError);
  });

  it('reads the real logs: 14 of the 15 vehicles have trips, at plausible speeds', () => {
    const trips = loadCmapGpsTrips(defaultDataRoot());
    // 4033363_1 logged 76 s in all, shorter than the 120 s minimum trip.
    const vehicles = new Set(trips.map((t) => t.vehicleId));
    expect(vehicles.size).toBe(14);
    expect(vehicles.has('4033363_1')).toBe(false);
    expect(trips.length).toBeGreaterThan(50);
    for (const trip of trips) {
      expect(trip.speedMps.length).toBeGreaterThanOrEqual(121);
      expect(trip.speedMps.every((v) => v >= 0 && v < 60)).toBe(true);
    }
  });
});

describe('accelerationOf', () => {
  it('uses central differences inside and one-sided ones at the ends', () => {
    expect(Array.from(accelerationOf(Float32Array.from([0, 2, 6, 12]), 2))).toEqual([
      1, 1.5, 2.5, 3,
    ]);
  });
});

describe('simulatedTripSeries', () => {
  it('makes one series per signal, grouped by trip and labelled with vehicle and driver', () => {
    const trip = {
      rateHz: 10,
      signals: { accel_mps2: new Float32Array(3), speed_mps: Float32Array.of(1, 2, 3) },
    };
    const series = simulatedTripSeries(trip, {
      driverId: 'd1',
      scenario: 'udds',
      trip: 'f/v1/d1/udds#0',
      vehicleId: 'v1',
    });
    expect(series.map((s) => s.id)).toEqual([
      'sim:f/v1/d1/udds#0:accel_mps2',
      'sim:f/v1/d1/udds#0:speed_mps',
    ]);
    expect(series[1]).toMatchObject({
      driverId: 'd1',
      freqS: 0.1,
      group: 'f/v1/d1/udds#0',
      source: 'sim',
      vehicleId: 'v1',
    });
    expect(() =>
      simulatedTripSeries(trip, {
        channels: ['soc_pct'],
        driverId: 'd',
        scenario: 's',
        trip: 't',
        vehicleId: 'v',
      }),
    ).toThrow('has no signal soc_pct');
  });
});
