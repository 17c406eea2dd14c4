import type { IncomingMessage, OutgoingMessage } from '../telemetry-stream.port';
import { ConsumerGroup, type HandlerErrorListener, type RedeliveryBackoff } from './consumer-group';
import { PartitionLog } from './partition-log';
import { partitionForKey } from './partitioner';

interface PendingPublish {
  readonly messages: readonly OutgoingMessage[];
  next: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export interface TopicOptions {
  readonly name: string;
  readonly partitions: number;
  readonly capacity: number;
  readonly backoff: RedeliveryBackoff;
  readonly now: () => number;
  readonly onHandlerError?: HandlerErrorListener;
}

/**
 * One topic: partition logs, its consumer groups, and the capacity bound. A message stays in
 * memory until every group of the topic has committed it. While `capacity` messages are
 * retained, publishers queue (FIFO, so concurrent publishers keep their order) until commits
 * free space. A topic no group has subscribed to yet has nobody to wait for: when full it drops
 * its oldest messages instead (counted in `evicted`), like a size-bounded Kafka topic.
 */
export class Topic {
  readonly logs: PartitionLog[];
  readonly groups = new Map<string, ConsumerGroup>();
  private retainedCount = 0;
  private evictedCount = 0;
  private readonly pending: PendingPublish[] = [];

  constructor(private readonly options: TopicOptions) {
    this.logs = Array.from({ length: options.partitions }, () => new PartitionLog());
  }

  get name(): string {
    return this.options.name;
  }

  get retained(): number {
    return this.retainedCount;
  }

  get evicted(): number {
    return this.evictedCount;
  }

  get waitingPublishers(): number {
    return this.pending.length;
  }

  group(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId);
    if (!group) {
      const host = {
        topic: this.options.name,
        logs: this.logs,
        now: this.options.now,
        full: (): boolean => this.retainedCount >= this.options.capacity || this.pending.length > 0,
        committed: (partition: number): void => this.truncate(partition),
      };
      group = new ConsumerGroup(groupId, host, this.options.backoff, this.options.onHandlerError);
      this.groups.set(groupId, group);
    }
    return group;
  }

  publish(messages: readonly OutgoingMessage[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const request: PendingPublish = { messages, next: 0, resolve, reject };
      if (this.pending.length === 0 && this.append(request)) {
        resolve();
      } else {
        this.pending.push(request);
      }
    });
  }

  /** Fails every queued publish; used when the stream closes. */
  rejectPending(error: Error): void {
    for (const request of this.pending.splice(0)) request.reject(error);
  }

  /** Appends what fits; true when the whole request is in. */
  private append(request: PendingPublish): boolean {
    const { messages } = request;
    const appendedFrom = request.next;
    while (request.next < messages.length) {
      if (this.retainedCount >= this.options.capacity) {
        if (this.groups.size > 0) break;
        this.evictOldest();
      }
      const message = messages[request.next];
      const partition = partitionForKey(message.key, this.logs.length);
      const log = this.logs[partition];
      const incoming: IncomingMessage = {
        topic: this.options.name,
        partition,
        offset: String(log.endOffset),
        timestamp: this.options.now(),
        key: message.key,
        value: message.value,
        headers: message.headers,
      };
      log.append(incoming);
      this.retainedCount += 1;
      request.next += 1;
    }
    if (request.next > appendedFrom) {
      for (const group of this.groups.values()) group.wakeAll();
    }
    return request.next === messages.length;
  }

  private evictOldest(): void {
    let fullest = this.logs[0];
    for (const log of this.logs) if (log.size > fullest.size) fullest = log;
    this.retainedCount -= fullest.truncateBefore(fullest.startOffset + 1);
    this.evictedCount += 1;
  }

  /** Drops what every group has committed on `partition`, then lets queued publishers in. */
  private truncate(partition: number): void {
    let upTo = Infinity;
    for (const group of this.groups.values()) upTo = Math.min(upTo, group.committed[partition]);
    if (upTo === Infinity) return;
    this.retainedCount -= this.logs[partition].truncateBefore(upTo);
    while (this.pending.length > 0 && this.retainedCount < this.options.capacity) {
      const head = this.pending[0];
      if (!this.append(head)) break;
      this.pending.shift();
      head.resolve();
    }
  }
}
