import { UnavailableError } from '@fleetfm/domain';
import {
  TelemetryStream,
  type OutgoingMessage,
  type SubscribeOptions,
  type Subscription,
} from '../telemetry-stream.port';
import type { HandlerErrorListener } from './consumer-group';
import { GroupMember } from './group-member';
import { Topic } from './topic';

export interface EmbeddedTelemetryStreamOptions {
  /** Partitions per topic. Default 6. */
  readonly partitions?: number;
  /** Most messages a topic retains in memory (config.stream.capacity). Default 100,000. */
  readonly capacity?: number;
  /** Delay before redelivering a rejected batch; doubles per rejection. Default 100 ms. */
  readonly retryBackoffMs?: number;
  /** Upper bound of the redelivery delay. Default 5,000 ms. */
  readonly maxRetryBackoffMs?: number;
  /** Told about every rejected batch (the batch itself is redelivered). */
  readonly onHandlerError?: HandlerErrorListener;
  /** Clock for message timestamps and waits. Default Date.now. */
  readonly now?: () => number;
}

export interface EmbeddedTopicStats {
  readonly retained: number;
  readonly evicted: number;
  readonly waitingPublishers: number;
  readonly endOffsets: number[];
}

/**
 * The in-process TelemetryStream: the single-process default. Kafka semantics on a small
 * scale — key-hashed partitions (order kept per key), consumer groups with committed offsets
 * per partition, commit only after the handler resolved, redelivery with backoff after it
 * rejected — bounded in memory: each topic retains at most `capacity` messages, a message is
 * dropped once every group has committed it, and `publish()` waits while the topic is full.
 *
 * It lives in memory only: what was not yet committed is lost if the process dies. In embedded
 * mode durability comes from the producer side (the simulator is deterministic and can replay)
 * and from the store's write-ahead log: a message counts as acknowledged once it is committed,
 * which ingestion does only after the store write resolved.
 */
export class EmbeddedTelemetryStream extends TelemetryStream {
  readonly kind = 'embedded' as const;
  private readonly topics = new Map<string, Topic>();
  private readonly members = new Set<GroupMember>();
  private readonly partitions: number;
  private readonly capacity: number;
  /** Set by close(): no new subscriptions. */
  private closing: Promise<void> | undefined;
  /** Set once close() has drained the subscriptions: no more publishing either. */
  private closed = false;

  constructor(private readonly options: EmbeddedTelemetryStreamOptions = {}) {
    super();
    this.partitions = options.partitions ?? 6;
    this.capacity = options.capacity ?? 100_000;
    if (!Number.isInteger(this.partitions) || this.partitions < 1) {
      throw new RangeError(`partitions must be a positive integer, got ${this.partitions}`);
    }
    if (!Number.isInteger(this.capacity) || this.capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${this.capacity}`);
    }
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    // Still open while closing: in-flight handlers may publish (e.g. to a dead-letter topic).
    if (this.closed) throw new UnavailableError('the embedded stream is closed');
    if (messages.length === 0) return;
    await this.topic(topic).publish(messages);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.closing) throw new UnavailableError('the embedded stream is closed');
    const group = this.topic(options.topic).group(options.groupId);
    const member = new GroupMember(group, options, (m) => this.members.delete(m));
    this.members.add(member);
    member.start();
    return member;
  }

  async lag(topic: string, groupId: string): Promise<number> {
    const state = this.topics.get(topic);
    if (!state) return 0;
    // A group that never subscribed would start at the oldest retained message.
    return state.groups.get(groupId)?.lag() ?? state.retained;
  }

  /** Memory and backpressure figures of one topic (for tests, metrics and benchmarks). */
  stats(topic: string): EmbeddedTopicStats {
    const state = this.topics.get(topic);
    return {
      retained: state?.retained ?? 0,
      evicted: state?.evicted ?? 0,
      waitingPublishers: state?.waitingPublishers ?? 0,
      endOffsets: state?.logs.map((log) => log.endOffset) ?? [],
    };
  }

  /**
   * Stops every subscription (each finishes and commits its in-flight batch), then fails the
   * publishers still waiting for space.
   */
  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  private async drain(): Promise<void> {
    await Promise.all([...this.members].map((m) => m.stop()));
    this.closed = true;
    const error = new UnavailableError('the embedded stream is closed');
    for (const topic of this.topics.values()) topic.rejectPending(error);
  }

  private topic(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = new Topic({
        name,
        partitions: this.partitions,
        capacity: this.capacity,
        backoff: {
          baseMs: this.options.retryBackoffMs ?? 100,
          maxMs: this.options.maxRetryBackoffMs ?? 5000,
        },
        now: this.options.now ?? Date.now,
        onHandlerError: this.options.onHandlerError,
      });
      this.topics.set(name, topic);
    }
    return topic;
  }
}
