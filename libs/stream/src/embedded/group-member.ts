import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { SubscribeOptions, Subscription } from '../telemetry-stream.port';
import type { ConsumerGroup, GroupMemberView } from './consumer-group';

export const DEFAULT_MAX_BATCH_MESSAGES = 1000;
export const DEFAULT_MAX_WAIT_MS = 100;

/**
 * One subscription: a loop that asks its group for the next batch, runs the handler, and
 * sleeps until woken (new messages, a rebalance, a finished batch) or until a timer is due.
 */
export class GroupMember implements GroupMemberView, Subscription {
  readonly maxBatchMessages: number;
  readonly maxWaitMs: number;
  readonly handler: SubscribeOptions['handler'];
  cursor = 0;
  private stopping = false;
  private sleeper: { timer: NodeJS.Timeout | undefined; resolve: () => void } | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly group: ConsumerGroup,
    options: SubscribeOptions,
    private readonly onStopped: (member: GroupMember) => void,
  ) {
    this.maxBatchMessages = options.maxBatchMessages ?? DEFAULT_MAX_BATCH_MESSAGES;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    if (!Number.isInteger(this.maxBatchMessages) || this.maxBatchMessages < 1) {
      throw new RangeError(
        `maxBatchMessages must be a positive integer, got ${this.maxBatchMessages}`,
      );
    }
    if (!(this.maxWaitMs >= 0)) {
      throw new RangeError(`maxWaitMs must be >= 0, got ${this.maxWaitMs}`);
    }
    this.handler = options.handler;
  }

  start(): void {
    this.group.join(this);
    this.loop = this.run();
  }

  wake(): void {
    const sleeper = this.sleeper;
    if (!sleeper) return;
    this.sleeper = undefined;
    clearTimeout(sleeper.timer);
    sleeper.resolve();
  }

  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.wake();
    }
    await this.loop;
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopping) {
        const next = this.group.next(this);
        if ('partition' in next) {
          await this.group.deliver(this, next.partition, next.messages);
          // Handlers that resolve at once would otherwise keep timers and I/O waiting.
          await yieldToEventLoop();
        } else {
          await this.sleep(next.waitMs);
        }
      }
    } finally {
      this.group.leave(this);
      this.onStopped(this);
    }
  }

  private sleep(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wake(), ms);
      this.sleeper = { timer, resolve };
    });
  }
}
