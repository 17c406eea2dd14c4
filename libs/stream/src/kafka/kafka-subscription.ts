import type { Consumer, Kafka } from 'kafkajs';
import type { HandlerErrorListener } from '../embedded';
import type { SubscribeOptions, Subscription } from '../telemetry-stream.port';
import { BatchProcessor } from './batch-processor';
import type { KafkaStreamLogger, ResolvedKafkaOptions } from './kafka-stream.options';

export const DEFAULT_MAX_BATCH_MESSAGES = 1000;
export const DEFAULT_MAX_WAIT_MS = 100;

export interface KafkaSubscriptionDeps {
  readonly kafka: Kafka;
  readonly settings: ResolvedKafkaOptions;
  readonly logger: KafkaStreamLogger;
  readonly onHandlerError?: HandlerErrorListener;
  readonly onStopped: (subscription: KafkaSubscription) => void;
}

/**
 * One consumer-group member: a kafkajs consumer running a BatchProcessor with auto-commit and
 * auto-resolve off. A new group starts at the oldest retained message (fromBeginning).
 */
export class KafkaSubscription implements Subscription {
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly consumer: Consumer,
    private readonly processor: BatchProcessor,
    private readonly onStopped: (subscription: KafkaSubscription) => void,
  ) {}

  static async start(
    options: SubscribeOptions,
    deps: KafkaSubscriptionDeps,
  ): Promise<KafkaSubscription> {
    const maxBatchMessages = options.maxBatchMessages ?? DEFAULT_MAX_BATCH_MESSAGES;
    const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    if (!Number.isInteger(maxBatchMessages) || maxBatchMessages < 1) {
      throw new RangeError(`maxBatchMessages must be a positive integer, got ${maxBatchMessages}`);
    }
    if (!(maxWaitMs >= 0)) throw new RangeError(`maxWaitMs must be >= 0, got ${maxWaitMs}`);

    const { settings, logger } = deps;
    const consumer = deps.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxWaitTimeInMs: maxWaitMs,
      // Topics are created by ensureTopic with the configured partition count, never implicitly.
      allowAutoTopicCreation: false,
    });
    const processor = new BatchProcessor({
      groupId: options.groupId,
      maxBatchMessages,
      handler: options.handler,
      control: consumer,
      backoff: { baseMs: settings.retryBackoffMs, maxMs: settings.maxRetryBackoffMs },
      logger,
      onHandlerError: deps.onHandlerError,
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const what = `consumer of ${options.topic} (group ${options.groupId}) crashed`;
      const action = payload.restart ? 'restarting' : 'not restarting: this subscription is dead';
      logger.error(`${what}, ${action}: ${payload.error.message}`);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => processor.process(payload),
      });
    } catch (error) {
      processor.stop();
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return new KafkaSubscription(consumer, processor, deps.onStopped);
  }

  /**
   * Stops fetching; the batch in flight finishes (the processor commits each slice it completes
   * and starts no new one), then the consumer leaves the group and disconnects.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.processor.stop();
    try {
      await this.consumer.disconnect();
    } finally {
      this.onStopped(this);
    }
  }
}
