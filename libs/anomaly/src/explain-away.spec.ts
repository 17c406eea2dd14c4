import { explainAwayPhysics, physicsPartners } from './explain-away';
import type { ComponentName } from './detector-components';

describe('physicsPartners', () => {
  it('pairs acceleration with speed (kinematics) and grade with brake (force balance)', () => {
    const p = physicsPartners();
    expect(p.get('accel_mps2')?.has('speed_mps')).toBe(true);
    expect(p.get('grade_pct')?.has('brake_pct')).toBe(true);
    // SoC shares no relation with the pedals.
    expect(p.get('soc_pct')?.has('pedal_pct')).toBe(false);
  });
});

describe('explainAwayPhysics', () => {
  const n = 10;
  const filled = (v: number): Float64Array => new Float64Array(n).fill(v);
  const series = [
    { group: 'v1', name: 'accel_mps2', values: filled(0) },
    { group: 'v1', name: 'speed_mps', values: filled(0) },
    { group: 'v2', name: 'accel_mps2', values: filled(0) },
  ];

  it("drops a signal's physics evidence where a partner spikes on that row or the one before", () => {
    const calibrated: Array<Partial<Record<ComponentName, Float64Array>>> = [
      { physics: filled(1 - 1e-12), spike: filled(0.5) },
      { physics: filled(0.5), spike: filled(0.5), stuck: filled(0.5) },
      { physics: filled(1 - 1e-12), spike: filled(0.5) },
    ];
    const speed = calibrated[1];
    (speed.spike as Float64Array)[4] = 1 - 1e-9; // a speed spike at row 4
    (speed.stuck as Float64Array)[8] = 1 - 1e-3; // a short repeat: not a fault of its own
    explainAwayPhysics(series, calibrated);
    const accel = Array.from(calibrated[0].physics as Float64Array);
    expect(accel.map(Number.isNaN)).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    // Another vehicle (group) is not affected, nor is the speed's own evidence.
    expect(Array.from(calibrated[2].physics as Float64Array).some(Number.isNaN)).toBe(false);
    expect(Array.from(speed.physics as Float64Array).some(Number.isNaN)).toBe(false);
  });

  it('keeps physics evidence where the partner shows nothing beyond ordinary driving', () => {
    const calibrated: Array<Partial<Record<ComponentName, Float64Array>>> = [
      { physics: filled(1 - 1e-12) },
      { spike: filled(1 - 1e-5), stuck: filled(0.9) },
      {},
    ];
    explainAwayPhysics(series, calibrated);
    expect(Array.from(calibrated[0].physics as Float64Array).some(Number.isNaN)).toBe(false);
  });
});
