import { performance } from 'node:perf_hooks';
import type { TelemetrySample } from '@fleetfm/domain';
import { toMessages } from '@fleetfm/runtime';
import { FleetSimulator } from '@fleetfm/simulator';
import type { OutgoingMessage } from '@fleetfm/stream';
import type { Marker } from './influx-http';

export type PhaseName = 'warmup' | 'throughput' | 'latency';

/** A marker sample: the last sample of message `message` of its phase. */
export interface PhaseMarker extends Marker {
  readonly message: number;
}

export interface PhaseData {
  readonly messages: readonly OutgoingMessage[];
  readonly samples: number;
  /** Numeric signal values in the samples (what InfluxDB stores as float fields). */
  readonly fieldValues: number;
  readonly markers: readonly PhaseMarker[];
}

export interface DatasetOptions {
  readonly vehicles: number;
  /** Simulation ticks per message: each message is one vehicle's next `ticksPerMessage` samples. */
  readonly ticksPerMessage: number;
  /** Messages per vehicle in each phase. */
  readonly windows: Readonly<Record<PhaseName, number>>;
  /** About this many marker samples in the latency phase. */
  readonly markers: number;
  readonly rateHz: number;
  readonly seed: number;
  /** Message encoding (runtime toMessages); default binary, as the simulator publishes. */
  readonly encoding?: 'binary' | 'json';
}

export interface Dataset {
  readonly options: DatasetOptions;
  readonly phases: Readonly<Record<PhaseName, PhaseData>>;
  readonly generationSeconds: number;
  readonly bytesPerSample: number;
}

function countFieldValues(samples: readonly TelemetrySample[]): number {
  let n = 0;
  for (const s of samples) {
    for (const v of Object.values(s.signals)) if (Number.isFinite(v)) n++;
  }
  return n;
}

/**
 * Pre-generates the whole run with FleetSimulator.step (seeded, no anomalies so that every sample
 * is valid and the stored count is exact): per window, `ticksPerMessage` ticks of the fleet,
 * grouped by `toMessages` (the runtime's fleet feed) into one message per vehicle keyed by
 * vehicle id. Phases follow each other in simulated time, so no sample is written twice.
 */
export function generateDataset(options: DatasetOptions): Dataset {
  const started = performance.now();
  const sim = new FleetSimulator({
    vehicles: options.vehicles,
    rateHz: options.rateHz,
    seed: options.seed,
    anomalyRate: 0,
  });
  const build = (windows: number, markers: number): PhaseData => {
    const messages: OutgoingMessage[] = [];
    let samples = 0;
    let fieldValues = 0;
    const total = windows * options.vehicles;
    const every = markers > 0 ? Math.max(1, Math.floor(total / markers)) : 0;
    const marks: PhaseMarker[] = [];
    for (let w = 0; w < windows; w++) {
      const window: TelemetrySample[] = [];
      for (let t = 0; t < options.ticksPerMessage; t++) {
        for (const s of sim.step()) window.push(s);
      }
      samples += window.length;
      fieldValues += countFieldValues(window);
      for (const m of toMessages(window, options.encoding ?? 'binary')) {
        // Offset by half a spacing so markers avoid the very first and last message.
        if (every > 0 && messages.length % every === Math.floor(every / 2)) {
          const own = window.filter((s) => s.vehicleId === m.key);
          const last = own[own.length - 1];
          marks.push({ message: messages.length, vehicleId: last.vehicleId, ts: last.ts });
        }
        messages.push(m);
      }
    }
    return { messages, samples, fieldValues, markers: marks };
  };
  const phases = {
    warmup: build(options.windows.warmup, 0),
    // No markers while the producer outruns ingestion: latency would only measure the backlog,
    // and the polling would load InfluxDB during the throughput measurement.
    throughput: build(options.windows.throughput, 0),
    latency: build(options.windows.latency, options.markers),
  };
  const t = phases.throughput;
  const bytes = t.messages.reduce((sum, m) => sum + m.value.length, 0);
  return {
    options,
    phases,
    generationSeconds: (performance.now() - started) / 1000,
    bytesPerSample: bytes / t.samples,
  };
}
