import type { EachBatchPayload } from 'kafkajs';
import type { HandlerErrorListener } from '../embedded';
import type { ConsumedBatch, SubscribeOptions } from '../telemetry-stream.port';
import { fromKafkaMessage, nextOffset, slices } from './kafka-messages';
import type { KafkaStreamLogger } from './kafka-stream.options';

/** The consumer operations the processor needs (kafkajs's Consumer has them). */
export interface PartitionControl {
  seek(entry: { topic: string; partition: number; offset: string }): void;
  pause(topicPartitions: Array<{ topic: string; partitions: number[] }>): void;
  resume(topicPartitions: Array<{ topic: string; partitions: number[] }>): void;
}

/** The part of kafkajs's eachBatch payload the processor uses. */
export type BatchPayload = Pick<
  EachBatchPayload,
  'batch' | 'resolveOffset' | 'heartbeat' | 'commitOffsetsIfNecessary' | 'isRunning' | 'isStale'
>;

export interface BatchProcessorOptions {
  readonly groupId: string;
  readonly maxBatchMessages: number;
  readonly handler: SubscribeOptions['handler'];
  readonly control: PartitionControl;
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  readonly logger: KafkaStreamLogger;
  readonly onHandlerError?: HandlerErrorListener;
}

/**
 * The port's delivery contract on top of kafkajs's eachBatch (run with autoCommit and
 * eachBatchAutoResolve off). A fetched batch is handed to the handler in slices of at most
 * `maxBatchMessages`; after a slice's handler resolved, its last offset is resolved and
 * committed explicitly, then the consumer heartbeats. When the handler rejects, nothing of the
 * slice is committed: the partition is paused, the consumer seeks back to the slice's first
 * offset (the first uncommitted one), and after an exponential, capped backoff the partition is
 * resumed, so the slice is delivered again — for as long as it keeps failing (e.g. while the
 * store is down), without ever crashing the consumer and without holding up other partitions.
 */
export class BatchProcessor {
  private readonly failures = new Map<string, number>();
  private readonly resumeTimers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: BatchProcessorOptions) {}

  /** Partitions currently waiting out a backoff (for tests and diagnostics). */
  get backingOff(): number {
    return this.resumeTimers.size;
  }

  async process(payload: BatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const key = `${topic}|${partition}`;
    const parts = slices(batch.messages, this.options.maxBatchMessages);
    for (let i = 0; i < parts.length; i++) {
      // Stopping, a rebalance or a seek since the fetch: what is left will be fetched again.
      if (this.stopped || !payload.isRunning() || payload.isStale()) return;
      const slice = parts[i];
      const consumed: ConsumedBatch = {
        topic,
        partition,
        messages: slice.map((m) => fromKafkaMessage(topic, partition, m)),
      };
      try {
        await this.options.handler(consumed);
      } catch (error) {
        this.rejected(key, consumed, error);
        return;
      }
      const last = slice[slice.length - 1].offset;
      payload.resolveOffset(last);
      await payload.commitOffsetsIfNecessary({
        topics: [{ topic, partitions: [{ partition, offset: nextOffset(last) }] }],
      });
      this.failures.delete(key);
      if (i < parts.length - 1) await payload.heartbeat();
    }
  }

  /** Cancels pending resumptions; the consumer is about to disconnect. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.resumeTimers.values()) clearTimeout(timer);
    this.resumeTimers.clear();
  }

  private rejected(key: string, batch: ConsumedBatch, error: unknown): void {
    const { topic, partition, messages } = batch;
    const attempt = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, attempt);
    const { baseMs, maxMs } = this.options.backoff;
    const delayMs = Math.min(baseMs * 2 ** Math.min(attempt - 1, 30), maxMs);
    const first = messages[0].offset;
    const reason = error instanceof Error ? error.message : String(error);
    this.options.logger.warn(
      `handler rejected ${topic}[${partition}] offsets ${first}..${messages[messages.length - 1].offset} ` +
        `(group ${this.options.groupId}, attempt ${attempt}); delivering again in ${delayMs} ms: ${reason}`,
    );
    try {
      this.options.onHandlerError?.(error, batch, this.options.groupId);
    } catch (listenerError) {
      this.options.logger.error(`onHandlerError threw: ${String(listenerError)}`);
    }
    const partitions = [{ topic, partitions: [partition] }];
    this.options.control.pause(partitions);
    this.options.control.seek({ topic, partition, offset: first });
    clearTimeout(this.resumeTimers.get(key));
    const timer = setTimeout(() => {
      this.resumeTimers.delete(key);
      if (!this.stopped) this.options.control.resume(partitions);
    }, delayMs);
    this.resumeTimers.set(key, timer);
  }
}
