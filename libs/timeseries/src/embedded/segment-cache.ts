import type { LoadedSegment } from './segment-file';

/**
 * Least-recently-used cache of decoded segments, bounded by bytes, so that months of history
 * on disk cost memory only for what queries touch. Concurrent loads of one file are shared.
 */
export class SegmentCache {
  private readonly entries = new Map<string, LoadedSegment>();
  private readonly loading = new Map<string, Promise<LoadedSegment>>();
  private used = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly load: (file: string) => Promise<LoadedSegment>,
  ) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(file: string): Promise<LoadedSegment> {
    const hit = this.entries.get(file);
    if (hit) {
      this.hits += 1;
      this.touch(file, hit);
      return hit;
    }
    this.misses += 1;
    let pending = this.loading.get(file);
    if (!pending) {
      pending = this.load(file).finally(() => this.loading.delete(file));
      this.loading.set(file, pending);
      this.put(file, await pending);
    }
    return pending;
  }

  /** Adds a segment that is already in memory (just written). */
  put(file: string, segment: LoadedSegment): void {
    const old = this.entries.get(file);
    if (old) this.used -= old.bytes;
    this.entries.delete(file);
    this.entries.set(file, segment);
    this.used += segment.bytes;
    // Evict oldest first; a single segment larger than the budget is still served, then dropped.
    for (const [key, value] of this.entries) {
      if (this.used <= this.maxBytes || key === file) break;
      this.entries.delete(key);
      this.used -= value.bytes;
    }
  }

  private touch(file: string, segment: LoadedSegment): void {
    this.entries.delete(file);
    this.entries.set(file, segment);
  }
}
