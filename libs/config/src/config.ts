import * as path from 'node:path';
import { envSchema, type Env } from './config.schema';

/** Raised at start-up when the environment is invalid; lists every offending key. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly { key: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p.key}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export interface FleetConfig {
  readonly dataDir: string;
  readonly logLevel: Env['FLEETFM_LOG_LEVEL'];
  readonly modelDir: string;
  /** Drive cycles and GPS traces (FLEETFM_SHARED_DATA); undefined = the default location. */
  readonly sharedDataDir?: string;
  readonly http: { readonly host: string; readonly port: number };
  readonly ingest: {
    readonly batchSize: number;
    readonly flushMs: number;
    readonly groupId: string;
    readonly maxRetries: number;
  };
  /** Present when KAFKA_BROKERS is set: the stream is Kafka, otherwise embedded. */
  readonly kafka?: {
    readonly brokers: string[];
    readonly clientId: string;
    readonly partitions: number;
    readonly topic: string;
    /** Producer compression (KAFKA_COMPRESSION). */
    readonly compression: 'none' | 'gzip';
  };
  /** Present when INFLUX_URL is set: the store is InfluxDB, otherwise embedded. */
  readonly influx?: {
    readonly url: string;
    readonly token: string;
    readonly org: string;
    readonly bucket: string;
    /** Gzip write bodies above this many bytes (INFLUX_GZIP_THRESHOLD); undefined = never. */
    readonly gzipThreshold?: number;
  };
  readonly simulator: {
    readonly vehicles: number;
    readonly rateHz: number;
    readonly timeScale: number;
    readonly seed: number;
    readonly anomalyRate: number;
  };
  readonly stream: {
    readonly capacity: number;
    readonly topic: string;
    /** Encoding of the messages FleetFM's simulator publishes (STREAM_ENCODING). */
    readonly encoding: 'binary' | 'json';
  };
}

/**
 * Validates the environment into a typed, frozen configuration. The only reader of process.env
 * in FleetFM; callers pass overrides for tests and embedded use.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Record<string, string | number | undefined> = {},
): FleetConfig {
  const merged: Record<string, unknown> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = key in overrides ? overrides[key] : env[key];
    if (value !== undefined) merged[key] = value;
  }
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        key: issue.path.join('.'),
        message: `${issue.message} (got ${JSON.stringify(merged[String(issue.path[0])])})`,
      })),
    );
  }
  const e = parsed.data;
  const brokers = e.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  return Object.freeze({
    dataDir: path.resolve(e.FLEETFM_DATA_DIR),
    logLevel: e.FLEETFM_LOG_LEVEL,
    modelDir: path.resolve(e.FLEETFM_MODEL_DIR),
    sharedDataDir:
      e.FLEETFM_SHARED_DATA === undefined ? undefined : path.resolve(e.FLEETFM_SHARED_DATA),
    http: { host: e.HOST, port: e.PORT },
    ingest: {
      batchSize: e.INGEST_BATCH_SIZE,
      flushMs: e.INGEST_FLUSH_MS,
      groupId: e.INGEST_GROUP_ID,
      maxRetries: e.INGEST_MAX_RETRIES,
    },
    kafka:
      brokers && brokers.length > 0
        ? {
            brokers,
            clientId: e.KAFKA_CLIENT_ID,
            partitions: e.KAFKA_PARTITIONS,
            topic: e.KAFKA_TOPIC,
            compression: e.KAFKA_COMPRESSION,
          }
        : undefined,
    influx: e.INFLUX_URL
      ? {
          url: e.INFLUX_URL,
          token: e.INFLUX_TOKEN,
          org: e.INFLUX_ORG,
          bucket: e.INFLUX_BUCKET,
          ...(e.INFLUX_GZIP_THRESHOLD === undefined
            ? {}
            : { gzipThreshold: e.INFLUX_GZIP_THRESHOLD }),
        }
      : undefined,
    simulator: {
      vehicles: e.SIM_VEHICLES,
      rateHz: e.SIM_RATE_HZ,
      timeScale: e.SIM_TIME_SCALE,
      seed: e.SIM_SEED,
      anomalyRate: e.SIM_ANOMALY_RATE,
    },
    stream: { capacity: e.STREAM_CAPACITY, topic: e.KAFKA_TOPIC, encoding: e.STREAM_ENCODING },
  });
}
