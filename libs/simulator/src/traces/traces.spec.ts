import { parseDriveCycle } from './drive-cycle.loader';
import { splitGpsTrips } from './gps-trip.loader';
import { defaultSharedDataDir, findTrace, loadTraceLibrary } from './trace-library';
import { interpolate1Hz, traceDistanceM, traceDurationS } from './speed-trace';

describe('drive cycles', () => {
  it('parses the FASTSim layout with a BOM, CRLF, blank grades and no final newline', () => {
    const text = '\ufeffcycSecs,cycMps,cycGrade,cycRoadType\r\n0,0,,0\r\n1,2,0.01,0\r\n2,4,,0';
    const sut = parseDriveCycle('x', text);
    expect(Array.from(sut.speedMps)).toEqual([0, 2, 4]);
    expect(Array.from(sut.grade)).toEqual([0, 0.01, 0]);
    expect(sut.scenario).toBe('x');
  });

  it('resamples a coarser time base onto 1 Hz', () => {
    const sut = parseDriveCycle('y', 'time_s,mps,grade\n0,0,0\n2,4,0.02\n');
    expect(Array.from(sut.speedMps)).toEqual([0, 2, 4]);
    expect(sut.grade[1]).toBeCloseTo(0.01, 12);
  });

  it('interpolates linearly and holds the ends', () => {
    const s = Float64Array.from([0, 10, 20]);
    expect(interpolate1Hz(s, 0.25)).toBeCloseTo(2.5, 12);
    expect(interpolate1Hz(s, 1.5)).toBeCloseTo(15, 12);
    expect(interpolate1Hz(s, -3)).toBe(0);
    expect(interpolate1Hz(s, 9)).toBe(20);
  });
});

describe('GPS trips', () => {
  const row = (t: string, mph: number): string => `2007-08-20 ${t},0,1,${mph},0`;
  const header = 'timestamp,cycle_sec,timestep,speed_mph,accel_meters_ps';

  it('splits at timestamp jumps, bridges short gaps and converts mph', () => {
    const lines = [header];
    // Trip A: 06:00:00 .. 06:03:00 with a 5 s dropout; trip B after a 10 min gap.
    for (let s = 0; s <= 180; s++) {
      if (s > 100 && s < 105) continue;
      const mm = String(Math.floor(s / 60)).padStart(2, '0');
      const ss = String(s % 60).padStart(2, '0');
      lines.push(row(`06:${mm}:${ss}`, s === 50 ? 10 : 20));
    }
    for (let s = 0; s <= 150; s++) {
      const mm = String(13 + Math.floor(s / 60)).padStart(2, '0');
      const ss = String(s % 60).padStart(2, '0');
      lines.push(row(`06:${mm}:${ss}`, 30));
    }
    const trips = splitGpsTrips('h_1/2007-08-20', lines.join('\n'));
    expect(trips.map((t) => traceDurationS(t))).toEqual([180, 150]);
    expect(trips[0].speedMps[50]).toBeCloseTo(10 * 0.44704, 12);
    expect(trips[0].speedMps[102]).toBeCloseTo(20 * 0.44704, 12);
    expect(trips[1].speedMps[0]).toBeCloseTo(30 * 0.44704, 12);
    expect(trips.map((t) => t.scenario)).toEqual(['real', 'real']);
    expect(trips[0].name).toBe('gps:h_1/2007-08-20#0');
  });

  it('drops trips that are too short or never move', () => {
    const lines = [
      header,
      ...Array.from({ length: 300 }, (_, s) =>
        row(
          `07:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`,
          1,
        ),
      ),
    ];
    expect(splitGpsTrips('h', lines.join('\n'))).toEqual([]);
  });
});

describe('shared data library', () => {
  const library = loadTraceLibrary(defaultSharedDataDir());

  it('loads the standard cycles with their published durations and distances', () => {
    const udds = findTrace(library, 'udds');
    // UDDS: 1369 s, 7.45 mi = 11.99 km (EPA). HWFET: 765 s, 10.26 mi = 16.51 km.
    expect(traceDurationS(udds)).toBe(1369);
    expect(traceDistanceM(udds) / 1000).toBeCloseTo(11.99, 1);
    const hwfet = findTrace(library, 'hwfet');
    expect(traceDurationS(hwfet)).toBe(765);
    expect(traceDistanceM(hwfet) / 1000).toBeCloseTo(16.5, 1);
    expect(library.cycles.map((c) => c.name)).toEqual(
      expect.arrayContaining(['udds', 'hwfet', 'us06', 'wltc_3b', 'nrel13']),
    );
  });

  it('keeps the grade of the TSDC real trip and splits the GPS logs into many trips', () => {
    const tsdc = findTrace(library, 'tsdc_tripno_42648_cycle');
    expect(tsdc.grade.some((g) => g !== 0)).toBe(true);
    expect(library.gpsTrips.length).toBeGreaterThan(100);
    for (const trip of library.gpsTrips) {
      expect(traceDurationS(trip)).toBeGreaterThanOrEqual(120);
      expect(trip.speedMps.every((v) => v >= 0 && v < 70)).toBe(true);
    }
  });
});
