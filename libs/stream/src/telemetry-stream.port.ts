/** A message to publish. Messages with the same key keep their order (one partition). */
export interface OutgoingMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A consumed message with its position in the stream. */
export interface IncomingMessage extends OutgoingMessage {
  readonly topic: string;
  readonly partition: number;
  /** Stream offset as a decimal string (Kafka offsets exceed 2^53). */
  readonly offset: string;
  /** Publish time, epoch ms. */
  readonly timestamp: number;
}

/** Messages of one partition, in order. */
export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly IncomingMessage[];
}

export interface SubscribeOptions {
  readonly topic: string;
  /** Consumers with the same group id share the partitions; each message goes to one of them. */
  readonly groupId: string;
  /** Upper bound on messages handed to one handler call. Default 1000. */
  readonly maxBatchMessages?: number;
  /** How long to wait for more messages before handing over a partial batch. Default 100 ms. */
  readonly maxWaitMs?: number;
  /**
   * Processes one batch. When it resolves, the batch's offsets are committed; when it rejects,
   * nothing of the batch is committed and the batch is delivered again.
   */
  readonly handler: (batch: ConsumedBatch) => Promise<void>;
}

export interface Subscription {
  /** Stops fetching, lets the in-flight batch finish and commit, then resolves. */
  stop(): Promise<void>;
}

/**
 * The telemetry stream port. Adapters: embedded (in-process, bounded) and Kafka.
 * An abstract class so that it doubles as the Nest injection token.
 */
export abstract class TelemetryStream {
  abstract readonly kind: 'embedded' | 'kafka';
  /** Resolves once the stream has accepted every message; waits while the stream is full. */
  abstract publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  abstract subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Messages published to `topic` and not yet committed by `groupId`, over all partitions. */
  abstract lag(topic: string, groupId: string): Promise<number>;
  abstract close(): Promise<void>;
}
