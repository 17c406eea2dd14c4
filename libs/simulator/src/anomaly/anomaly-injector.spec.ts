import { Prng } from '../random/prng';
import type { TripRunner } from '../trip/trip-runner';
import { AnomalyInjector } from './anomaly-injector';
import type { AnomalyLabel } from './anomaly-label';

/** A runner at constant speed that records the emergency brake's end time. */
function fakeRunner(): { runner: TripRunner; brakeUntil: number[]; clock: { t: number } } {
  const clock = { t: 0 };
  const brakeUntil: number[] = [];
  const runner = {
    done: false,
    driver: { emergencyBrake: (untilS: number): void => void brakeUntil.push(untilS) },
    get t(): number {
      return clock.t;
    },
    vehicle: { speedMps: 20 },
  } as unknown as TripRunner;
  return { brakeUntil, clock, runner };
}

describe('AnomalyInjector', () => {
  it('labels every tick on which a harsh braking acts, the last one included', () => {
    const dt = 0.1;
    const { runner, brakeUntil, clock } = fakeRunner();
    const labels: AnomalyLabel[] = [];
    const injector = new AnomalyInjector('v1', new Prng(11), 1e6, dt, (l) => labels.push(l));
    const starts: number[] = [];
    for (let tick = 0; tick < 40_000; tick++) {
      clock.t = tick * dt;
      const ts = tick * 100; // ms
      const before = brakeUntil.length;
      injector.beforeTick(tick, ts, runner);
      if (brakeUntil.length > before) starts.push(clock.t);
      injector.apply(tick, ts, {}, 'd1', 'trip');
    }
    const harsh = labels.filter((l) => l.kind === 'harsh_braking');
    expect(harsh.length).toBeGreaterThan(20);
    harsh.forEach((label, i) => {
      // The driver brakes on every tick whose time is before brakeUntil.
      let braked = 0;
      while (starts[i] + braked * dt < brakeUntil[i] - 1e-9) braked++;
      expect(Math.round((label.endTs - label.startTs) / 100) + 1).toBe(braked);
    });
  });
});
