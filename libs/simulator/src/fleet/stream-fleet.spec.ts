import type { TelemetrySample } from '@fleetfm/domain';
import { InMemoryLabelSink } from '../anomaly/label.sink';
import { loadTraceLibrary } from '../traces/trace-library';
import type { FleetClock } from './fleet-clock';
import { streamFleet } from './stream-fleet';

const library = loadTraceLibrary();

/** A clock that only moves when the code under test sleeps, or when a publish "takes" time. */
function fakeClock(): FleetClock & { t: number; sleeps: number[] } {
  const clock = {
    t: 0,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

describe('streamFleet', () => {
  it('paces ticks at rateHz × timeScale of wall time', async () => {
    const clock = fakeClock();
    const batches: TelemetrySample[][] = [];
    const result = await streamFleet(
      { vehicles: 2, rateHz: 10, timeScale: 2, library },
      async (b) => void batches.push(b),
      new AbortController().signal,
      { clock, maxTicks: 40 },
    );
    // 10 Hz at 2× real time: one tick per 50 ms of wall time, so 40 ticks span 39 × 50 ms.
    expect(result).toEqual({ ticks: 40, samples: 80 });
    expect(clock.t).toBeCloseTo(39 * 50, 6);
    expect(batches.every((b) => b.length === 2)).toBe(true);
  });

  it('awaits publish (backpressure) and batches without bursting when the consumer is slow', async () => {
    const clock = fakeClock();
    const sizes: number[] = [];
    let inFlight = 0;
    const result = await streamFleet(
      { vehicles: 1, rateHz: 10, timeScale: 1, library },
      async (b) => {
        expect(inFlight).toBe(0);
        inFlight++;
        sizes.push(b.length);
        clock.t += 1000; // the consumer needs a second per batch
        await Promise.resolve();
        inFlight--;
      },
      new AbortController().signal,
      { clock, maxTicks: 100, maxBatchTicks: 5 },
    );
    expect(result.ticks).toBe(100);
    expect(Math.max(...sizes)).toBe(5);
  });

  it('runs flat out with timeScale max, stops on abort and closes the label sink', async () => {
    const sink = new InMemoryLabelSink();
    const close = jest.spyOn(sink, 'close');
    const abort = new AbortController();
    let published = 0;
    const result = await streamFleet(
      { vehicles: 3, timeScale: 'max', library, labelSink: sink },
      async (b) => {
        published += b.length;
        if (published >= 3000) abort.abort();
      },
      abort.signal,
    );
    expect(result.samples).toBe(published);
    expect(result.ticks).toBe(1000);
    expect(close).toHaveBeenCalledTimes(1);
    expect(sink.trips.map((t) => t.complete)).toEqual([false, false, false]);
  });
});
