import type { FleetConfig } from '@fleetfm/config';

/** Messages larger than this are dead-lettered unread. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

export interface IngestionOptions {
  /** Topic to consume (config.stream.topic). */
  readonly topic: string;
  /** Consumer group (config.ingest.groupId). */
  readonly groupId: string;
  /**
   * Most messages per handler call, and most samples per store write (config.ingest.batchSize).
   * A delivered batch carrying more samples is written in several writes before it is committed.
   */
  readonly batchSize: number;
  /** Longest wait for a fuller batch before a partial one is written (config.ingest.flushMs). */
  readonly flushMs: number;
  /** Retries of a failed store write before the batch is given back to the stream (config.ingest.maxRetries). */
  readonly maxRetries: number;
  /** Delay before the first retry of a failed store write; doubles per retry. Default 100 ms. */
  readonly retryBaseMs?: number;
  /** Upper bound of the retry delay. Default 10,000 ms. */
  readonly retryMaxMs?: number;
  /** Messages larger than this many bytes are dead-lettered unread. Default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** Where invalid messages go. Default `${topic}.dlq`. */
  readonly deadLetterTopic?: string;
  /** Clock for the `failed-at` header. Default Date.now. */
  readonly now?: () => number;
}

/** Ingestion options as configured (env INGEST_* and KAFKA_TOPIC). */
export function ingestionOptionsFromConfig(config: FleetConfig): IngestionOptions {
  return {
    topic: config.stream.topic,
    groupId: config.ingest.groupId,
    batchSize: config.ingest.batchSize,
    flushMs: config.ingest.flushMs,
    maxRetries: config.ingest.maxRetries,
  };
}
