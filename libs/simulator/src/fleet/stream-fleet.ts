import type { TelemetrySample } from '@fleetfm/domain';
import { systemClock, type FleetClock } from './fleet-clock';
import type { FleetOptions } from './fleet-options';
import { FleetSimulator } from './fleet.simulator';

export interface StreamFleetExtras {
  readonly clock?: FleetClock;
  /** Most ticks in one published batch (bounds memory and latency). Default 50. */
  readonly maxBatchTicks?: number;
  /** Stop after this many ticks (default: until aborted). */
  readonly maxTicks?: number;
}

export interface StreamFleetResult {
  readonly ticks: number;
  readonly samples: number;
}

/**
 * Drives a fleet at `timeScale` × real time and hands each batch to `publish`, awaiting it
 * (backpressure: a slow consumer slows the simulation, it never piles up samples). When it falls
 * behind by more than one batch it forgets the backlog rather than bursting to catch up, so
 * sim time stretches instead. With `timeScale: 'max'` it runs as fast as publish allows,
 * yielding to the event loop between batches. Closes the simulator (and its label sink) at the end.
 */
export async function streamFleet(
  source: FleetOptions | FleetSimulator,
  publish: (samples: TelemetrySample[]) => Promise<void>,
  signal: AbortSignal,
  extras: StreamFleetExtras = {},
): Promise<StreamFleetResult> {
  const sim = source instanceof FleetSimulator ? source : new FleetSimulator(source);
  const clock = extras.clock ?? systemClock;
  const maxBatch = Math.max(1, extras.maxBatchTicks ?? 50);
  const maxTicks = extras.maxTicks ?? Number.POSITIVE_INFINITY;
  const scale = sim.options.timeScale ?? 1;
  const wallPerTickMs = scale === 'max' ? 0 : 1000 / (sim.rateHz * scale);
  let start = clock.now();
  let done = 0;
  let samples = 0;
  try {
    while (!signal.aborted && done < maxTicks) {
      let n: number;
      if (scale === 'max') {
        n = maxBatch;
      } else {
        const due = Math.floor((clock.now() - start) / wallPerTickMs) + 1;
        if (due - done > maxBatch) {
          start += (due - done - maxBatch) * wallPerTickMs;
          n = maxBatch;
        } else {
          n = due - done;
        }
        if (n <= 0) {
          await clock.sleep(start + done * wallPerTickMs - clock.now(), signal);
          continue;
        }
      }
      n = Math.min(n, maxTicks - done);
      const batch: TelemetrySample[] = [];
      for (let k = 0; k < n; k++) {
        for (const s of sim.step()) batch.push(s);
      }
      done += n;
      samples += batch.length;
      await publish(batch);
      if (scale === 'max') await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    await sim.close();
  }
  return { ticks: done, samples };
}
