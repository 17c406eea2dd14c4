import type { HandlerErrorListener } from '../embedded';

/** How much of kafkajs's own logging to pass on. Errors are always worth seeing. */
export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** Where the adapter's and kafkajs's log lines go (the subset of Nest's Logger it uses). */
export interface KafkaStreamLogger {
  error(message: string): void;
  warn(message: string): void;
  log(message: string): void;
  debug?(message: string): void;
}

export interface KafkaTelemetryStreamOptions {
  /** Bootstrap brokers, `host:port` (config.kafka.brokers). */
  readonly brokers: readonly string[];
  /** Client id reported to the brokers (config.kafka.clientId). Default `fleetfm`. */
  readonly clientId?: string;
  /** Partitions of the topics this adapter creates (config.kafka.partitions). Default 6. */
  readonly partitions?: number;
  /** Replication factor of the topics this adapter creates. Default 1 (a single broker). */
  readonly replicationFactor?: number;
  /** kafkajs log level. Default `warn`. */
  readonly logLevel?: KafkaLogLevel;
  /** Receives kafkajs's log lines and the adapter's own. Default: Nest's Logger('Kafka'). */
  readonly logger?: KafkaStreamLogger;
  /**
   * Producer compression (config KAFKA_COMPRESSION). GZIP is built into kafkajs (LZ4/ZSTD would
   * need codecs). Default none: on loopback or a fast LAN gzip only costs CPU, in the producer,
   * in the broker (it decompresses every batch to validate it) and in the consumer; use gzip
   * over slow or metered links. Dead letters (`*.dlq`) are always gzipped.
   */
  readonly compression?: 'gzip' | 'none';
  /** Delay before a rejected batch is delivered again; doubles per rejection. Default 200 ms. */
  readonly retryBackoffMs?: number;
  /** Upper bound of the redelivery delay. Default 10,000 ms. */
  readonly maxRetryBackoffMs?: number;
  /** Told about every rejected batch (the batch itself is delivered again). */
  readonly onHandlerError?: HandlerErrorListener;
  /** Consumer session timeout: how long a silent member keeps its partitions. Default 30,000 ms. */
  readonly sessionTimeoutMs?: number;
  /** Consumer heartbeat interval. Default 3,000 ms. */
  readonly heartbeatIntervalMs?: number;
}

export interface ResolvedKafkaOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly logLevel: KafkaLogLevel;
  readonly compression: 'gzip' | 'none';
  readonly retryBackoffMs: number;
  readonly maxRetryBackoffMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

/** Fills in the defaults and refuses nonsense with a clear error. */
export function resolveKafkaOptions(options: KafkaTelemetryStreamOptions): ResolvedKafkaOptions {
  const resolved: ResolvedKafkaOptions = {
    brokers: [...options.brokers],
    clientId: options.clientId ?? 'fleetfm',
    partitions: options.partitions ?? 6,
    replicationFactor: options.replicationFactor ?? 1,
    logLevel: options.logLevel ?? 'warn',
    compression: options.compression ?? 'none',
    retryBackoffMs: options.retryBackoffMs ?? 200,
    maxRetryBackoffMs: options.maxRetryBackoffMs ?? 10_000,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3_000,
  };
  if (resolved.brokers.length === 0 || resolved.brokers.some((b) => !/^[^\s:]+:\d+$/.test(b))) {
    throw new RangeError(
      `brokers must be host:port entries, got ${JSON.stringify(options.brokers)}`,
    );
  }
  positiveInteger('partitions', resolved.partitions);
  positiveInteger('replicationFactor', resolved.replicationFactor);
  positiveInteger('retryBackoffMs', resolved.retryBackoffMs);
  positiveInteger('maxRetryBackoffMs', resolved.maxRetryBackoffMs);
  positiveInteger('sessionTimeoutMs', resolved.sessionTimeoutMs);
  positiveInteger('heartbeatIntervalMs', resolved.heartbeatIntervalMs);
  if (resolved.heartbeatIntervalMs >= resolved.sessionTimeoutMs) {
    throw new RangeError('heartbeatIntervalMs must be shorter than sessionTimeoutMs');
  }
  return resolved;
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}
