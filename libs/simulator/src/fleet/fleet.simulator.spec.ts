import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTelemetry, type TelemetrySample } from '@fleetfm/domain';
import { JsonlLabelSink } from '../anomaly/jsonl-label.sink';
import { InMemoryLabelSink } from '../anomaly/label.sink';
import { loadTraceLibrary } from '../traces/trace-library';
import { FleetSimulator } from './fleet.simulator';

const library = loadTraceLibrary();

/** Parser errors over any number of samples (the parser takes batches of up to 10 000). */
function invalid(samples: readonly TelemetrySample[]): unknown[] {
  const errors: unknown[] = [];
  for (let i = 0; i < samples.length; i += 5000) {
    errors.push(...parseTelemetry(samples.slice(i, i + 5000)).errors);
  }
  return errors;
}

describe('FleetSimulator', () => {
  it('is reproducible: the same seed gives identical samples, another seed does not', () => {
    const make = (seed: number) =>
      new FleetSimulator({ vehicles: 3, seed, library, anomalyRate: 0.05 });
    const a = make(7).run(600);
    expect(make(7).run(600)).toEqual(a);
    expect(make(8).run(600)).not.toEqual(a);
  });

  it('emits one valid sample per vehicle per tick at the configured rate', () => {
    const sut = new FleetSimulator({
      vehicles: 4,
      rateHz: 20,
      startTs: Date.UTC(2026, 0, 1),
      library,
    });
    const first = sut.step();
    const second = sut.step();
    expect(first.map((s) => s.vehicleId)).toEqual(['veh-001', 'veh-002', 'veh-003', 'veh-004']);
    expect(first[0].ts).toBe(Date.UTC(2026, 0, 1));
    expect(second[0].ts - first[0].ts).toBe(50);
    expect(invalid([...first, ...second, ...sut.run(200)])).toEqual([]);
    expect(sut.vehicles.map((v) => v.params.preset)).toEqual(['compact', 'midsize', 'suv', 'van']);
  });

  it('logs trips with drivers rotating inside each vehicle pool', () => {
    const sink = new InMemoryLabelSink();
    const sut = new FleetSimulator({
      vehicles: 2,
      drivers: 6,
      seed: 3,
      rateHz: 2,
      library,
      labelSink: sink,
    });
    const samples = sut.run(3 * 3600);
    expect(sink.trips.length).toBeGreaterThan(6);
    for (const trip of sink.trips) {
      const vehicle = Number(trip.vehicleId.slice(4)) - 1;
      // drv-(j+1) belongs to vehicle j mod 2.
      expect((Number(trip.driverId.slice(4)) - 1) % 2).toBe(vehicle);
      expect(trip.endTs).toBeGreaterThan(trip.startTs);
      const inTrip = samples.filter(
        (s) => s.vehicleId === trip.vehicleId && s.ts >= trip.startTs && s.ts <= trip.endTs,
      );
      expect(new Set(inTrip.map((s) => s.driverId))).toEqual(new Set([trip.driverId]));
    }
    expect(new Set(sink.trips.map((t) => t.driverId)).size).toBeGreaterThan(2);
    expect(new Set(sink.trips.map((t) => t.scenario))).toContain('real');
    expect(sink.trips.some((t) => t.scenario !== 'real')).toBe(true);
  });
});

describe('FleetSimulator anomalies', () => {
  const sink = new InMemoryLabelSink();
  const sut = new FleetSimulator({
    vehicles: 3,
    seed: 11,
    anomalyRate: 0.05,
    library,
    labelSink: sink,
  });
  const samples = sut.run(5 * 60 * 10);
  const at = (vehicleId: string, ts: number): TelemetrySample =>
    samples.find((s) => s.vehicleId === vehicleId && s.ts === ts) as TelemetrySample;

  it('labels every kind and never overlaps labels of one vehicle', () => {
    expect(new Set(sink.anomalies.map((a) => a.kind))).toEqual(
      new Set(['spike', 'stuck', 'dropout', 'drift', 'harsh_braking']),
    );
    for (const v of sut.vehicles) {
      const mine = sink.anomalies.filter((a) => a.vehicleId === v.vehicleId);
      for (let k = 1; k < mine.length; k++)
        expect(mine[k].startTs).toBeGreaterThan(mine[k - 1].endTs);
    }
    expect(invalid(samples)).toEqual([]);
  });

  it('drops the signal for the whole labelled dropout and only then', () => {
    const drop = sink.anomalies.find((a) => a.kind === 'dropout')!;
    const signal = drop.signal!;
    expect(at(drop.vehicleId, drop.startTs).signals[signal]).toBeUndefined();
    expect(at(drop.vehicleId, drop.endTs).signals[signal]).toBeUndefined();
    expect(at(drop.vehicleId, drop.startTs - 100).signals[signal]).toBeDefined();
    expect(at(drop.vehicleId, drop.endTs + 100).signals[signal]).toBeDefined();
  });

  it('holds a stuck signal constant and makes harsh braking a real deceleration', () => {
    const stuck = sink.anomalies.find((a) => a.kind === 'stuck')!;
    const held = samples.filter(
      (s) => s.vehicleId === stuck.vehicleId && s.ts >= stuck.startTs && s.ts <= stuck.endTs,
    );
    expect(new Set(held.map((s) => s.signals[stuck.signal!])).size).toBe(1);
    const harsh = sink.anomalies.find((a) => a.kind === 'harsh_braking')!;
    expect(harsh.signal).toBeUndefined();
    const during = samples.filter(
      (s) => s.vehicleId === harsh.vehicleId && s.ts >= harsh.startTs && s.ts <= harsh.endTs,
    );
    expect(Math.max(...during.map((s) => s.signals.brake_pct ?? 0))).toBeGreaterThan(60);
    expect(Math.min(...during.map((s) => s.signals.accel_mps2 ?? 0))).toBeLessThan(-5);
  });
});

describe('JsonlLabelSink', () => {
  it('appends anomalies and trips as JSON lines', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-labels-'));
    const sink = new JsonlLabelSink(path.join(dir, 'labels'));
    sink.writeAnomaly({
      vehicleId: 'veh-001',
      kind: 'spike',
      signal: 'speed_mps',
      startTs: 1,
      endTs: 2,
    });
    sink.writeAnomaly({ vehicleId: 'veh-002', kind: 'harsh_braking', startTs: 3, endTs: 4 });
    const sim = new FleetSimulator({ vehicles: 1, library, labelSink: sink });
    sim.run(10);
    await sim.close();
    const lines = fs
      .readFileSync(sink.anomaliesFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { vehicleId: 'veh-001', kind: 'spike', signal: 'speed_mps', startTs: 1, endTs: 2 },
      { vehicleId: 'veh-002', kind: 'harsh_braking', startTs: 3, endTs: 4 },
    ]);
    const trips = fs
      .readFileSync(sink.tripsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(trips).toEqual([
      expect.objectContaining({ vehicleId: 'veh-001', driverId: 'drv-001', complete: false }),
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
