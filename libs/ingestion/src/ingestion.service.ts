import { performance } from 'node:perf_hooks';
import { UnavailableError, type TelemetrySample } from '@fleetfm/domain';
import type {
  ConsumedBatch,
  OutgoingMessage,
  Subscription,
  TelemetryStream,
} from '@fleetfm/stream';
import type { TimeSeriesStore } from '@fleetfm/timeseries';
import { zeroCounters, type IngestionCounters, type IngestionMetrics } from './ingestion-metrics';
import { DEFAULT_MAX_MESSAGE_BYTES, type IngestionOptions } from './ingestion.options';
import { deadLetter, decodeMessage } from './message-decoder';

/** How long a measured lag is reused by metrics(). */
const LAG_TTL_MS = 1000;

/** The subset of Nest's Logger that ingestion uses. */
export interface IngestionLogger {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * Stream → validate → store → commit. Each delivered batch is decoded message by message; the
 * valid samples of the whole batch are written to the store (with bounded retries) and only then
 * does the handler resolve, so the stream commits a message only once its samples are stored.
 * Invalid input goes to the dead-letter topic with the reasons; valid data is never
 * dead-lettered because the store was down — the batch is redelivered instead.
 *
 * A plain class: construct it directly or from a Nest provider factory.
 */
export class IngestionService {
  private readonly counters: IngestionCounters = zeroCounters();
  private readonly deadLetterTopic: string;
  private subscription: Subscription | undefined;
  private stopping = false;
  private wakePause: (() => void) | undefined;
  private lagCache: { at: number; value: Promise<number> } | undefined;

  constructor(
    private readonly stream: TelemetryStream,
    private readonly store: TimeSeriesStore,
    private readonly options: IngestionOptions,
    private readonly logger?: IngestionLogger,
  ) {
    this.deadLetterTopic = options.deadLetterTopic ?? `${options.topic}.dlq`;
  }

  async start(): Promise<void> {
    if (this.subscription) return;
    this.stopping = false;
    this.subscription = await this.stream.subscribe({
      topic: this.options.topic,
      groupId: this.options.groupId,
      maxBatchMessages: this.options.batchSize,
      maxWaitMs: this.options.flushMs,
      handler: (batch) => this.handle(batch),
    });
    this.logger?.log(
      `ingesting ${this.options.topic} as ${this.options.groupId} into the ${this.store.kind} store`,
    );
  }

  /**
   * Drains: the in-flight batch finishes and is committed, then this resolves. If the store is
   * failing at that moment the batch's retries are cut short and it stays uncommitted (it will
   * be delivered again), rather than holding shutdown for the whole retry budget.
   */
  async stop(): Promise<void> {
    const subscription = this.subscription;
    if (!subscription) return;
    this.stopping = true;
    this.wakePause?.();
    await subscription.stop();
    this.subscription = undefined;
  }

  /**
   * Counters and lag. The lag costs the stream a round trip (three admin requests on Kafka), so
   * it is asked at most once per LAG_TTL_MS however often health checks and dashboards poll.
   */
  async metrics(): Promise<IngestionMetrics> {
    const now = performance.now();
    if (this.lagCache === undefined || now - this.lagCache.at > LAG_TTL_MS) {
      const value = this.stream.lag(this.options.topic, this.options.groupId);
      this.lagCache = { at: now, value };
      value.catch(() => (this.lagCache = undefined));
    }
    const lag = await this.lagCache.value;
    return { ...this.counters, lag, running: this.subscription !== undefined };
  }

  private async handle(batch: ConsumedBatch): Promise<void> {
    const maxBytes = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const now = this.options.now ?? Date.now;
    const samples: TelemetrySample[] = [];
    const letters: OutgoingMessage[] = [];
    let rejected = 0;
    for (const message of batch.messages) {
      const decoded = decodeMessage(message.value, maxBytes);
      this.counters.messagesReceived += 1;
      this.counters.samplesReceived += decoded.items;
      for (const sample of decoded.samples) samples.push(sample);
      // A message with some invalid items: its valid items are stored, and the whole original
      // message is dead-lettered with the reasons of the bad items (their indices say which).
      if (decoded.errors.length > 0) {
        letters.push(deadLetter(message, decoded.errors, now()));
        rejected += decoded.rejected;
      }
    }
    await this.writeAll(samples);
    if (letters.length > 0) {
      await this.stream.publish(this.deadLetterTopic, letters);
      this.counters.messagesDeadLettered += letters.length;
      this.counters.itemsRejected += rejected;
    }
  }

  private async writeAll(samples: readonly TelemetrySample[]): Promise<void> {
    const size = this.options.batchSize;
    for (let from = 0; from < samples.length; from += size) {
      const chunk = samples.length <= size ? samples : samples.slice(from, from + size);
      await this.writeWithRetry(chunk);
    }
  }

  private async writeWithRetry(samples: readonly TelemetrySample[]): Promise<void> {
    const baseMs = this.options.retryBaseMs ?? 100;
    const maxMs = this.options.retryMaxMs ?? 10_000;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        await this.store.write(samples);
        this.counters.lastWriteLatencyMs = performance.now() - started;
        this.counters.samplesWritten += samples.length;
        return;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (attempt >= this.options.maxRetries || this.stopping) {
          this.counters.batchesRedelivered += 1;
          this.logger?.warn(
            `store write failed ${attempt + 1} time(s), batch left uncommitted: ${reason}`,
          );
          throw new UnavailableError('the time-series store rejected the write', {
            cause: error,
          });
        }
        this.counters.writeRetries += 1;
        this.logger?.warn(`store write failed (attempt ${attempt + 1}), retrying: ${reason}`);
        await this.pause(Math.min(baseMs * 2 ** attempt, maxMs));
      }
    }
  }

  /** A retry delay that stop() cuts short. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakePause = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakePause = done;
    });
  }
}
