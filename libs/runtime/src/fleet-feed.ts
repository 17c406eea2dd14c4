import * as path from 'node:path';
import type { FleetConfig } from '@fleetfm/config';
import { encodeTelemetryBatch, type TelemetrySample } from '@fleetfm/domain';
import { JsonlLabelSink, streamFleet } from '@fleetfm/simulator';
import type { OutgoingMessage, TelemetryStream } from '@fleetfm/stream';

export interface FleetFeedStatus {
  readonly running: boolean;
  readonly vehicles: number;
  readonly samplesPublished: number;
  readonly messagesPublished: number;
  readonly simulatedUntil: number | null;
  readonly error?: string;
}

export interface FleetFeed {
  status(): FleetFeedStatus;
  /** Stops the simulation after the batch being published; resolves when it has stopped. */
  stop(): Promise<void>;
}

export interface FleetFeedLogger {
  log(message: string): void;
  error(message: string): void;
}

/**
 * One message per vehicle per batch, keyed by vehicle id (order per vehicle is kept): the binary
 * batch encoding of @fleetfm/domain (default; ingestion decodes it without JSON.parse) or a JSON
 * array of samples.
 */
export function toMessages(
  samples: readonly TelemetrySample[],
  encoding: 'binary' | 'json' = 'binary',
): OutgoingMessage[] {
  const byVehicle = new Map<string, TelemetrySample[]>();
  for (const s of samples) {
    const list = byVehicle.get(s.vehicleId);
    if (list) list.push(s);
    else byVehicle.set(s.vehicleId, [s]);
  }
  return [...byVehicle].map(([key, list]) => ({
    key,
    value: encoding === 'binary' ? encodeTelemetryBatch(list) : Buffer.from(JSON.stringify(list)),
  }));
}

/**
 * Runs the simulated fleet in real time × SIM_TIME_SCALE, starting now, and publishes its
 * telemetry to the stream (awaiting each publish: backpressure slows the simulation).
 * Anomaly labels and trip logs go to FLEETFM_DATA_DIR/labels as JSON lines.
 */
export function startFleetFeed(
  stream: TelemetryStream,
  config: FleetConfig,
  logger: FleetFeedLogger,
  dataRoot?: string,
): FleetFeed {
  const abort = new AbortController();
  const sim = config.simulator;
  let samplesPublished = 0;
  let messagesPublished = 0;
  let simulatedUntil: number | null = null;
  let error: string | undefined;
  const done = streamFleet(
    {
      vehicles: sim.vehicles,
      rateHz: sim.rateHz,
      timeScale: sim.timeScale,
      seed: sim.seed,
      anomalyRate: sim.anomalyRate,
      startTs: Math.floor(Date.now() / 1000) * 1000,
      labelSink: new JsonlLabelSink(path.join(config.dataDir, 'labels')),
      ...(dataRoot === undefined ? {} : { dataDir: dataRoot }),
    },
    async (samples) => {
      const messages = toMessages(samples, config.stream.encoding);
      await stream.publish(config.stream.topic, messages);
      samplesPublished += samples.length;
      messagesPublished += messages.length;
      simulatedUntil = samples[samples.length - 1]?.ts ?? simulatedUntil;
    },
    abort.signal,
  ).then(
    () => undefined,
    (err: unknown) => {
      error = err instanceof Error ? err.message : String(err);
      logger.error(`simulator stopped: ${error}`);
    },
  );
  return {
    status: () => ({
      running: !abort.signal.aborted && error === undefined,
      vehicles: sim.vehicles,
      samplesPublished,
      messagesPublished,
      simulatedUntil,
      ...(error === undefined ? {} : { error }),
    }),
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}
