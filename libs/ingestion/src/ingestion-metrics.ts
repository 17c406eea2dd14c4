/**
 * Ingestion counters since start. Received counts deliveries, so a batch redelivered after a
 * failed write is counted again; written, rejected and dead-lettered count what took effect.
 */
export interface IngestionMetrics {
  readonly running: boolean;
  readonly messagesReceived: number;
  /** Items in the received messages (valid and invalid). */
  readonly samplesReceived: number;
  readonly samplesWritten: number;
  /** Invalid items, each parked on the dead-letter topic inside its message. */
  readonly itemsRejected: number;
  readonly messagesDeadLettered: number;
  /** Store writes tried again after a failure. */
  readonly writeRetries: number;
  /** Batches given back to the stream (not committed) because the store kept failing. */
  readonly batchesRedelivered: number;
  /** Duration of the last successful store write, ms; NaN before the first. */
  readonly lastWriteLatencyMs: number;
  /** Messages of the topic not yet committed by the group. */
  readonly lag: number;
}

export type IngestionCounters = {
  -readonly [K in keyof Omit<IngestionMetrics, 'running' | 'lag'>]: number;
};

export function zeroCounters(): IngestionCounters {
  return {
    batchesRedelivered: 0,
    itemsRejected: 0,
    lastWriteLatencyMs: Number.NaN,
    messagesDeadLettered: 0,
    messagesReceived: 0,
    samplesReceived: 0,
    samplesWritten: 0,
    writeRetries: 0,
  };
}
