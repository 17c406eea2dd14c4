import type { ConsumedBatch, IncomingMessage, SubscribeOptions } from '../telemetry-stream.port';
import type { PartitionLog } from './partition-log';

/** What a consumer group needs from its topic. */
export interface GroupHost {
  readonly topic: string;
  readonly logs: readonly PartitionLog[];
  now(): number;
  /** The topic is at capacity: waiting for more messages would only stall its publishers. */
  full(): boolean;
  /** Called after a group committed on `partition`, so the topic can truncate and free space. */
  committed(partition: number): void;
}

export interface RedeliveryBackoff {
  /** Delay before the first redelivery of a rejected batch; doubles on each further rejection. */
  readonly baseMs: number;
  readonly maxMs: number;
}

export type HandlerErrorListener = (error: unknown, batch: ConsumedBatch, groupId: string) => void;

/** What the group hands a member: a batch to process now, or how long to wait for one. */
export type NextDelivery =
  | { readonly partition: number; readonly messages: IncomingMessage[] }
  | { readonly waitMs: number | undefined };

/** One subscriber of a group: the part of the group's state that belongs to a member. */
export interface GroupMemberView {
  readonly maxBatchMessages: number;
  readonly maxWaitMs: number;
  readonly handler: SubscribeOptions['handler'];
  /** Partition to look at first next time, so that busy partitions cannot starve the others. */
  cursor: number;
  wake(): void;
}

/**
 * Offsets and partition assignment of one consumer group on one topic. Partition p goes to
 * member p mod n (members in join order); a partition has at most one batch in flight, and its
 * committed offset moves only after the handler resolved, so a rejected batch is delivered
 * again from the committed offset. Offsets outlive the members: a group that subscribes again
 * resumes where it committed.
 */
export class ConsumerGroup {
  /** Next offset to deliver (== committed offset) per partition. */
  readonly committed: number[];
  private readonly inFlight: boolean[];
  private readonly failures: number[];
  private readonly retryAt: number[];
  private members: GroupMemberView[] = [];
  private assignment: (GroupMemberView | undefined)[];

  constructor(
    readonly groupId: string,
    private readonly host: GroupHost,
    private readonly backoff: RedeliveryBackoff,
    private readonly onHandlerError?: HandlerErrorListener,
  ) {
    const n = host.logs.length;
    // A new group starts at the oldest retained message.
    this.committed = host.logs.map((log) => log.startOffset);
    this.inFlight = new Array<boolean>(n).fill(false);
    this.failures = new Array<number>(n).fill(0);
    this.retryAt = new Array<number>(n).fill(0);
    this.assignment = new Array<GroupMemberView | undefined>(n).fill(undefined);
  }

  get memberCount(): number {
    return this.members.length;
  }

  join(member: GroupMemberView): void {
    this.members.push(member);
    this.rebalance();
  }

  leave(member: GroupMemberView): void {
    this.members = this.members.filter((m) => m !== member);
    this.rebalance();
  }

  /** Partitions currently assigned to `member`. */
  partitionsOf(member: GroupMemberView): number[] {
    return this.assignment.flatMap((m, p) => (m === member ? [p] : []));
  }

  lag(): number {
    return this.host.logs.reduce((sum, log, p) => sum + (log.endOffset - this.committed[p]), 0);
  }

  wakeAll(): void {
    for (const member of this.members) member.wake();
  }

  /**
   * A full batch is handed over at once; a partial one once its oldest message has waited
   * `maxWaitMs`, or at once when the topic is at capacity (no more messages can arrive before
   * something is committed). A partition that just rejected a batch waits out its backoff first.
   */
  next(member: GroupMemberView): NextDelivery {
    const now = this.host.now();
    const n = this.host.logs.length;
    let waitMs: number | undefined;
    const waitAtMost = (ms: number): void => {
      const clamped = Math.max(1, Math.min(ms, Math.max(member.maxWaitMs, this.backoff.maxMs)));
      waitMs = waitMs === undefined ? clamped : Math.min(waitMs, clamped);
    };
    const full = this.host.full();
    for (let k = 0; k < n; k++) {
      const p = (member.cursor + k) % n;
      if (this.assignment[p] !== member || this.inFlight[p]) continue;
      const log = this.host.logs[p];
      const from = this.committed[p];
      const available = log.endOffset - from;
      if (available <= 0) continue;
      if (this.retryAt[p] > now) {
        waitAtMost(this.retryAt[p] - now);
        continue;
      }
      const oldest = log.at(from)?.timestamp ?? now;
      if (full || available >= member.maxBatchMessages || now - oldest >= member.maxWaitMs) {
        member.cursor = (p + 1) % n;
        return { partition: p, messages: log.read(from, member.maxBatchMessages) };
      }
      waitAtMost(oldest + member.maxWaitMs - now);
    }
    return { waitMs };
  }

  /** Runs the handler on one batch; commits when it resolves, schedules redelivery when not. */
  async deliver(
    member: GroupMemberView,
    partition: number,
    messages: IncomingMessage[],
  ): Promise<void> {
    const batch: ConsumedBatch = { topic: this.host.topic, partition, messages };
    this.inFlight[partition] = true;
    try {
      await member.handler(batch);
      const end = Number(messages[messages.length - 1].offset) + 1;
      this.committed[partition] = Math.max(this.committed[partition], end);
      this.failures[partition] = 0;
      this.retryAt[partition] = 0;
      this.host.committed(partition);
    } catch (error) {
      this.failures[partition] += 1;
      const delay = Math.min(
        this.backoff.baseMs * 2 ** (this.failures[partition] - 1),
        this.backoff.maxMs,
      );
      this.retryAt[partition] = this.host.now() + delay;
      this.onHandlerError?.(error, batch, this.groupId);
    } finally {
      this.inFlight[partition] = false;
      // The partition may have moved to another member while it was in flight.
      this.wakeAll();
    }
  }

  private rebalance(): void {
    const m = this.members.length;
    this.assignment = this.assignment.map((_, p) => (m === 0 ? undefined : this.members[p % m]));
    this.wakeAll();
  }
}
