import type { PhaseMarker, PhaseName } from './dataset';

/** Epoch ms with sub-ms resolution, comparable across threads. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface PublisherPhase {
  readonly messages: ReadonlyArray<{ readonly key: string; readonly value: Uint8Array }>;
  readonly markers: readonly PhaseMarker[];
  readonly samplesPerMessage: number;
}

export interface PublisherInit {
  readonly kafkaBrokers: string;
  readonly topic: string;
  readonly influxUrl: string;
  readonly database: string;
  readonly phases: Readonly<Record<PhaseName, PublisherPhase>>;
  /**
   * Experiment: a KafkaTelemetryStream with this producer compression instead of the one
   * createTelemetryStream(config) builds (KAFKA_COMPRESSION, default none).
   */
  readonly compression?: 'gzip' | 'none';
}

export interface PublishCommand {
  readonly phase: PhaseName;
  /** Messages per `TelemetryStream.publish` call. */
  readonly chunkMessages: number;
  /** Pace publishing at this many samples per second; as fast as possible when absent. */
  readonly samplesPerSecond?: number;
  /** Publish only the phase's first `maxMessages` messages (and time only their markers). */
  readonly maxMessages?: number;
  /** Give up on markers not queryable this long after the last publish. */
  readonly markerTimeoutMs: number;
  /** Marker poll period. */
  readonly pollMs: number;
}

export interface PublishReport {
  readonly phase: PhaseName;
  /** Epoch ms before the first publish call, and when the last one resolved (broker acked). */
  readonly firstPublishAt: number;
  readonly lastAckAt: number;
  /** CPU seconds of the publisher thread from first publish to last ack. */
  readonly cpuSeconds: number;
  readonly samples: number;
  /** Produce -> queryable, ms, for every marker found, in publish order. */
  readonly latenciesMs: readonly number[];
  readonly markersMissing: number;
  readonly polls: number;
  /** Mean duration of one marker poll request, ms (the latency's resolution with pollMs). */
  readonly meanPollMs: number;
  readonly error?: string;
}
