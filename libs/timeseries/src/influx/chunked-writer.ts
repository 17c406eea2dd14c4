import type { TelemetrySample } from '@fleetfm/domain';
import { toDomainError, isTransient, retryAfterMs } from './influx-errors';
import { LineProtocolEncoder } from './line-protocol.encoder';

export interface ChunkedWriterOptions {
  /** Lines per HTTP request. Default 2500: an ingest batch of 5000 goes out as 2 requests at once. */
  readonly batchSize?: number;
  /** Requests of one `write` in flight at once. Default 2. */
  readonly maxInFlight?: number;
  /** Retries of a chunk after the first attempt, on transient errors only. Default 4. */
  readonly maxRetries?: number;
  /** First retry delay in ms; doubles per retry (with +-25% jitter). Default 200. */
  readonly retryBaseMs?: number;
  /** Largest retry delay in ms, also the cap on a server's Retry-After. Default 5000. */
  readonly retryMaxMs?: number;
}

/** Sends one chunk of line protocol; resolves when InfluxDB acknowledged it (204). */
export type PostLines = (body: string) => Promise<void>;

export const WRITER_DEFAULTS: Required<ChunkedWriterOptions> = {
  batchSize: 2500,
  maxInFlight: 2,
  maxRetries: 4,
  retryBaseMs: 200,
  retryMaxMs: 5000,
};

/**
 * Splits a write into chunks, sends up to `maxInFlight` of them at once and retries each on
 * transient errors with exponential backoff. Resolves only when every chunk was acknowledged;
 * otherwise rejects with the domain error of the first chunk that failed for good. Chunks are
 * idempotent, so a retried write that partly landed before is harmless.
 */
export class ChunkedWriter {
  private readonly options: Required<ChunkedWriterOptions>;
  private readonly encoder = new LineProtocolEncoder();

  constructor(
    private readonly post: PostLines,
    options: ChunkedWriterOptions = {},
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
    private readonly random: () => number = Math.random,
  ) {
    this.options = { ...WRITER_DEFAULTS, ...options };
    const { batchSize, maxInFlight, maxRetries } = this.options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('batchSize must be >= 1');
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new Error('maxInFlight must be >= 1');
    }
    if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new Error('maxRetries must be >= 0');
  }

  async write(samples: readonly TelemetrySample[]): Promise<void> {
    const { batchSize, maxInFlight } = this.options;
    const chunks = Math.ceil(samples.length / batchSize);
    let next = 0;
    let failure: Error | undefined;
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < chunks) {
        const start = next++ * batchSize;
        const body = this.encoder.encode(
          samples,
          start,
          Math.min(samples.length, start + batchSize),
        );
        try {
          await this.send(body);
        } catch (err) {
          failure ??= err as Error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(maxInFlight, chunks) }, worker));
    if (failure !== undefined) throw failure;
  }

  private async send(body: string): Promise<void> {
    const { maxRetries } = this.options;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.post(body);
        return;
      } catch (err) {
        if (!isTransient(err) || attempt >= maxRetries) {
          throw toDomainError(err, 'write', attempt + 1);
        }
        await this.sleep(this.delay(attempt, err));
      }
    }
  }

  /** Backoff before retry `attempt + 1`: base * 2^attempt, jittered, capped; Retry-After wins. */
  delay(attempt: number, err: unknown): number {
    const { retryBaseMs, retryMaxMs } = this.options;
    const exponential = retryBaseMs * 2 ** attempt * (0.75 + 0.5 * this.random());
    return Math.min(retryMaxMs, Math.max(exponential, retryAfterMs(err)));
  }
}
