import { Logger } from '@nestjs/common';
import { UnavailableError } from '@fleetfm/domain';
import { CompressionTypes, Kafka, Partitioners, type Admin, type Producer } from 'kafkajs';
import {
  TelemetryStream,
  type OutgoingMessage,
  type SubscribeOptions,
  type Subscription,
} from '../telemetry-stream.port';
import { errorMessage, publishError } from './kafka-errors';
import { consumerLag } from './kafka-lag';
import { kafkaLogCreator, kafkaLogLevel } from './kafka-log';
import { chunkBySize, toKafkaMessage } from './kafka-messages';
import {
  resolveKafkaOptions,
  type KafkaStreamLogger,
  type KafkaTelemetryStreamOptions,
  type ResolvedKafkaOptions,
} from './kafka-stream.options';
import { KafkaSubscription } from './kafka-subscription';

export const DEAD_LETTER_SUFFIX = '.dlq';

/**
 * The TelemetryStream on Apache Kafka (kafkajs). Topics are created on first use with the
 * configured partition count, each with its dead-letter topic `<topic>.dlq`. Publishing is
 * idempotent (one request in flight, acks from all in-sync replicas, compressed as configured) and
 * resolves once the broker acknowledged; messages are partitioned by key, so one vehicle's
 * messages keep their order. Subscriptions are consumer-group members that commit a batch only
 * after the handler resolved and redeliver a rejected batch after a backoff (see BatchProcessor).
 */
export class KafkaTelemetryStream extends TelemetryStream {
  readonly kind = 'kafka' as const;
  private readonly settings: ResolvedKafkaOptions;
  private readonly logger: KafkaStreamLogger;
  private readonly kafka: Kafka;
  private readonly topics = new Map<string, Promise<void>>();
  private readonly subscriptions = new Set<KafkaSubscription>();
  private producerReady: Promise<Producer> | undefined;
  private adminReady: Promise<Admin> | undefined;
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: KafkaTelemetryStreamOptions) {
    super();
    this.settings = resolveKafkaOptions(options);
    this.logger = options.logger ?? new Logger('Kafka');
    this.kafka = new Kafka({
      clientId: this.settings.clientId,
      brokers: this.settings.brokers,
      logLevel: kafkaLogLevel(this.settings.logLevel),
      logCreator: kafkaLogCreator(this.logger),
    });
  }

  /** Creates `topic` (and its `.dlq`, unless it is one) with the configured partitions if missing. */
  ensureTopic(topic: string): Promise<void> {
    let ready = this.topics.get(topic);
    if (!ready) {
      ready = this.createTopics(topic);
      this.topics.set(topic, ready);
      // A failed attempt is not remembered: the next call tries again.
      ready.catch(() => this.topics.delete(topic));
    }
    return ready;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    // Still open while closing: in-flight handlers may publish (e.g. to a dead-letter topic).
    if (this.closed) throw new UnavailableError('the Kafka stream is closed');
    if (messages.length === 0) return;
    await this.ensureTopic(topic);
    const producer = await this.producer();
    // Dead letters always go compressed: they are rare, and one may carry a payload that only
    // reached the source topic compressed (above the broker's 1 MiB limit uncompressed).
    const compression =
      this.settings.compression === 'gzip' || topic.endsWith(DEAD_LETTER_SUFFIX)
        ? CompressionTypes.GZIP
        : CompressionTypes.None;
    // In order, one request at a time: a key's messages keep their order across chunks.
    for (const chunk of chunkBySize(messages)) {
      try {
        await producer.send({ topic, acks: -1, compression, messages: chunk.map(toKafkaMessage) });
      } catch (error) {
        throw publishError(topic, error);
      }
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.closing) throw new UnavailableError('the Kafka stream is closed');
    await this.ensureTopic(options.topic);
    const subscription = await KafkaSubscription.start(options, {
      kafka: this.kafka,
      settings: this.settings,
      logger: this.logger,
      onHandlerError: this.options.onHandlerError,
      onStopped: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async lag(topic: string, groupId: string): Promise<number> {
    const admin = await this.admin();
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) return 0;
    const [topicOffsets, groupOffsets] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    return consumerLag(topicOffsets, groupOffsets.find((t) => t.topic === topic)?.partitions ?? []);
  }

  /** Stops every subscription (each finishes and commits its in-flight batch), then disconnects. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const stops = await Promise.allSettled([...this.subscriptions].map((s) => s.stop()));
    this.closed = true;
    const clients = [this.producerReady, this.adminReady].filter((c) => c !== undefined);
    const disconnects = await Promise.allSettled(
      clients.map(async (ready) => (await ready).disconnect()),
    );
    for (const result of [...stops, ...disconnects]) {
      if (result.status === 'rejected') {
        this.logger.warn(`error while closing the Kafka stream: ${String(result.reason)}`);
      }
    }
  }

  private producer(): Promise<Producer> {
    this.producerReady ??= this.connect(
      this.kafka.producer({
        idempotent: true,
        // kafkajs keeps per-partition sequence numbers in order only with one request in flight.
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
      () => (this.producerReady = undefined),
    );
    return this.producerReady;
  }

  private admin(): Promise<Admin> {
    this.adminReady ??= this.connect(this.kafka.admin(), () => (this.adminReady = undefined));
    return this.adminReady;
  }

  private async connect<C extends Producer | Admin>(client: C, forget: () => void): Promise<C> {
    try {
      await client.connect();
      return client;
    } catch (error) {
      forget();
      throw new UnavailableError(
        `cannot reach Kafka at ${this.settings.brokers.join(',')}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }

  private async createTopics(topic: string): Promise<void> {
    const admin = await this.admin();
    const wanted = topic.endsWith(DEAD_LETTER_SUFFIX)
      ? [topic]
      : [topic, topic + DEAD_LETTER_SUFFIX];
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    // false when another client created them first: fine either way.
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((name) => ({
        topic: name,
        numPartitions: this.settings.partitions,
        replicationFactor: this.settings.replicationFactor,
      })),
    });
    this.logger.log(
      `created ${missing.join(', ')} (${this.settings.partitions} partitions, ` +
        `replication ${this.settings.replicationFactor})`,
    );
  }
}
