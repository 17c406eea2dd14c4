import type { SignalName } from '@fleetfm/domain';
import {
  DriverStyleModelPort,
  EmbeddingModelPort,
  EmbeddingService,
  type NamedColumn,
} from '@fleetfm/retrieval';
import type { HeldOutTrip } from '../heldout/held-out-fleet';
import { evaluateEmbeddings } from './embedding.task';

/** Scenario embedding of a window: the unit vector along [first value, 1]. */
class FirstValueModel extends EmbeddingModelPort {
  readonly contextLength = 5;
  readonly embeddingDim = 2;
  async embed(windows: readonly Float32Array[]): Promise<Float32Array[]> {
    return windows.map((w) => {
      const n = Math.hypot(w[0], 1);
      return Float32Array.from([w[0] / n, 1 / n]);
    });
  }
}

/** Driver style of a segment: the unit vector at the angle of its brake level. */
class BrakeAngleStyle extends DriverStyleModelPort {
  readonly description = 'brake angle';
  readonly seen: number[] = [];
  async embedSegment(columns: readonly NamedColumn[], rateHz: number): Promise<Float32Array> {
    this.seen.push(columns.length, rateHz);
    const brake = columns.find((c) => c.name === 'brake_pct')?.values[0] ?? 0;
    return Float32Array.from([Math.cos(brake / 20), Math.sin(brake / 20)]);
  }
}

/** Drivers A (brake 10) and B (brake 30), each with a trip on route x (speed 5) then y (50). */
function trip(driver: 'A' | 'B', k: number): HeldOutTrip {
  const scenario = k === 0 ? 'x' : 'y';
  const fill = (v: number): Float32Array => new Float32Array(10).fill(v);
  const signals = {
    brake_pct: fill(driver === 'A' ? 10 : 30),
    speed_mps: fill(scenario === 'x' ? 5 : 50),
  } as unknown as Record<SignalName, Float32Array>;
  return {
    driverId: driver,
    id: `${driver}/${scenario}#${k}`,
    rateHz: 1,
    scenario,
    signals,
    vehicleId: 'v',
  };
}

describe('evaluateEmbeddings', () => {
  it('identifies drivers by the driver-style embedding and retrieves scenarios by the scenario one', async () => {
    const style = new BrakeAngleStyle();
    const r = await evaluateEmbeddings(
      { driverStyle: style, scenario: new EmbeddingService(new FirstValueModel()) },
      [trip('A', 0), trip('A', 1), trip('B', 0), trip('B', 1)],
      {
        channels: ['speed_mps', 'brake_pct'],
        galleryTrips: 1,
        k: 1,
        notes: ['two embedders'],
        segmentS: 10,
        stride: 5,
        window: 5,
      },
    );
    // Probes A/y and B/y: the gallery holds A/x and B/x; only the brake tells them apart.
    expect(r.driverTop1).toBe(1);
    // Every segment's nearest other trip on the scenario embedding is the other driver's same
    // route (the driver-style embedding would pick the same driver's other route: 0).
    expect(r.scenarioPrecisionAt10).toBe(1);
    expect(r.probeSegments).toBe(2);
    expect(style.seen).toEqual([2, 1, 2, 1, 2, 1, 2, 1]);
    expect(r.notes).toContain('two embedders');
  });
});
