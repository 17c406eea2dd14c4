import type { IncomingMessage } from '../telemetry-stream.port';

/** Compact the backing array once this many truncated entries pile up at its head. */
const COMPACT_AFTER = 1024;

/**
 * The retained messages of one partition. Offsets grow from 0 and are never reused; truncation
 * drops a prefix (messages every group has committed) without copying on each call.
 */
export class PartitionLog {
  private entries: IncomingMessage[] = [];
  /** Offset of entries[0]. */
  private base = 0;
  /** Index in `entries` of the first retained message. */
  private head = 0;

  /** Offset of the oldest retained message (== endOffset when empty). */
  get startOffset(): number {
    return this.base + this.head;
  }

  /** Offset the next appended message gets. */
  get endOffset(): number {
    return this.base + this.entries.length;
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  append(message: IncomingMessage): void {
    this.entries.push(message);
  }

  /** Messages with offsets in [from, from + max), clipped to what is retained. */
  read(from: number, max: number): IncomingMessage[] {
    const start = Math.max(from, this.startOffset) - this.base;
    return this.entries.slice(start, Math.min(start + max, this.entries.length));
  }

  /** The message at `offset`, if retained. */
  at(offset: number): IncomingMessage | undefined {
    if (offset < this.startOffset || offset >= this.endOffset) return undefined;
    return this.entries[offset - this.base];
  }

  /** Drops every message below `offset`; returns how many were dropped. */
  truncateBefore(offset: number): number {
    const target = Math.min(offset, this.endOffset) - this.base;
    if (target <= this.head) return 0;
    const dropped = target - this.head;
    // Release references now so the dropped payloads can be collected before compaction.
    for (let i = this.head; i < target; i++) (this.entries as unknown[])[i] = undefined;
    this.head = target;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
    return dropped;
  }
}
