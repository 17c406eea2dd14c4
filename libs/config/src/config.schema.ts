import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const optionalText = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

/**
 * Every environment variable FleetFM reads, with its default. The README's configuration table
 * mirrors this list.
 */
export const envSchema = z.object({
  FLEETFM_DATA_DIR: z.string().trim().min(1).default('.fleetfm/data'),
  FLEETFM_LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  FLEETFM_MODEL_DIR: z.string().trim().min(1).default('models/default'),
  /** Drive cycles and GPS traces; default: `../shared/data` beside the repository. */
  FLEETFM_SHARED_DATA: optionalText,
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  INFLUX_BUCKET: z.string().trim().min(1).default('fleetfm/autogen'),
  /** Gzip InfluxDB write bodies above this many bytes; unset = never (loopback, fast LAN). */
  INFLUX_GZIP_THRESHOLD: int(0, 2 ** 31 - 1).optional(),
  INFLUX_ORG: z.string().trim().default('-'),
  INFLUX_TOKEN: z.string().default(''),
  INFLUX_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  INGEST_BATCH_SIZE: int(1, 100_000).default(5000),
  INGEST_FLUSH_MS: int(1, 60_000).default(200),
  INGEST_GROUP_ID: z.string().trim().min(1).default('fleetfm-ingest'),
  INGEST_MAX_RETRIES: int(0, 1000).default(20),
  KAFKA_BROKERS: optionalText,
  /** Producer compression: none (loopback, fast LAN: saves CPU on both sides) or gzip. */
  KAFKA_COMPRESSION: z.enum(['none', 'gzip']).default('none'),
  KAFKA_CLIENT_ID: z.string().trim().min(1).default('fleetfm'),
  KAFKA_PARTITIONS: int(1, 1024).default(6),
  KAFKA_TOPIC: z.string().trim().min(1).default('telemetry'),
  PORT: int(0, 65_535).default(3000),
  SIM_ANOMALY_RATE: num(0, 1).default(0.002),
  SIM_RATE_HZ: num(0.1, 1000).default(10),
  SIM_SEED: int(0, 2 ** 31 - 1).default(42),
  SIM_TIME_SCALE: num(0.01, 10_000).default(1),
  SIM_VEHICLES: int(0, 10_000).default(5),
  /** How the simulator encodes telemetry messages: binary (columnar batch) or json. */
  STREAM_ENCODING: z.enum(['binary', 'json']).default('binary'),
  STREAM_CAPACITY: int(1, 10_000_000).default(100_000),
});

export type Env = z.infer<typeof envSchema>;
