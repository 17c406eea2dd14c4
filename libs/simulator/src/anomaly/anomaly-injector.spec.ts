import { SIGNAL_NAMES } from '@fleetfm/domain';
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

  it('labels a fault still in progress when the run stops (flush), up to its last sample', () => {
    const { runner } = fakeRunner();
    let unlabelled = 0;
    let flushed = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const labels: AnomalyLabel[] = [];
      const injector = new AnomalyInjector('v1', new Prng(seed), 1e6, 1, (l) => labels.push(l));
      const corrupted: number[] = [];
      for (let tick = 0; tick < 4; tick++) {
        const ts = tick * 1000;
        injector.beforeTick(tick, ts, runner);
        const signals: Record<string, number> = { brake_pct: 10, grade_pct: 1, speed_mps: 20 };
        for (const n of SIGNAL_NAMES) signals[n] ??= 50;
        const before = JSON.stringify(signals);
        injector.apply(tick, ts, signals, 'd1', 'trip');
        if (JSON.stringify(signals) !== before) corrupted.push(ts);
      }
      const done = labels.length;
      injector.flush();
      flushed += labels.length - done;
      for (const ts of corrupted) {
        if (!labels.some((l) => l.startTs <= ts && ts <= l.endTs)) unlabelled++;
      }
      expect(labels.every((l) => l.endTs <= 3000)).toBe(true);
    }
    // Stuck, drift and dropout last 2 s or more: some are cut short by the end of the run.
    expect(flushed).toBeGreaterThan(5);
    expect(unlabelled).toBe(0);
  });
});
