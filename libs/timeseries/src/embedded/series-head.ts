import { SIGNAL_NAMES } from '@fleetfm/domain';
import type { ColumnBatch } from './column-batch';
import type { SeriesSource } from './series-source';

const WIDTH = SIGNAL_NAMES.length;
const INITIAL_CAPACITY = 256;

/**
 * The mutable, in-memory newest part of one vehicle's series: growable sorted columns.
 * Appends in time order are O(1); an equal timestamp replaces the row (last write wins);
 * an older timestamp marks the head unsorted and `normalize()` sorts and de-duplicates it
 * (stable, so the later write wins) before anything reads it.
 */
export class SeriesHead implements SeriesSource {
  length = 0;
  ts = new Float64Array(INITIAL_CAPACITY);
  /** LSN of the oldest WAL record with a row in this head; 0 when empty. */
  firstLsn = 0;
  /** LSN of the newest WAL record with a row in this head. */
  lastLsn = 0;
  private cols = SeriesHead.columns(INITIAL_CAPACITY);
  private drv = new Int32Array(INITIAL_CAPACITY);
  private drivers: string[] = [];
  private driverCodes = new Map<string, number>();
  private sorted = true;

  private static columns(capacity: number): Float64Array[] {
    return SIGNAL_NAMES.map(() => new Float64Array(capacity));
  }

  get capacityBytes(): number {
    return this.ts.length * (8 * (WIDTH + 1) + 4);
  }

  /** Applies row `row` of a batch (whose vehicle is this head's). */
  append(batch: ColumnBatch, row: number): void {
    const t = batch.ts[row];
    let at = this.length;
    if (at > 0 && this.sorted) {
      const last = this.ts[at - 1];
      if (t === last) at -= 1;
      else if (t < last) this.sorted = false;
    }
    if (at === this.length) {
      if (at === this.ts.length) this.grow(at * 2);
      this.length += 1;
    }
    this.ts[at] = t;
    for (let k = 0; k < WIDTH; k++) this.cols[k][at] = batch.signals[k][row];
    const d = batch.driver[row];
    this.drv[at] = d < 0 ? -1 : this.driverCode(batch.strings[d]);
    if (this.firstLsn === 0) this.firstLsn = batch.lsn;
    this.lastLsn = batch.lsn;
  }

  /** Restores the invariant "sorted by ts, one row per ts" after out-of-order appends. */
  normalize(): void {
    if (this.sorted) return;
    const n = this.length;
    const ts = this.ts;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // Ties keep arrival order, so the last of equal timestamps is the latest write.
    order.sort((a, b) => ts[a] - ts[b] || a - b);
    const keep: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i === n - 1 || ts[order[i + 1]] !== ts[order[i]]) keep.push(order[i]);
    }
    const capacity = this.ts.length;
    const nextTs = new Float64Array(capacity);
    const nextCols = SeriesHead.columns(capacity);
    const nextDrv = new Int32Array(capacity);
    for (let j = 0; j < keep.length; j++) {
      const src = keep[j];
      nextTs[j] = ts[src];
      for (let k = 0; k < WIDTH; k++) nextCols[k][j] = this.cols[k][src];
      nextDrv[j] = this.drv[src];
    }
    this.ts = nextTs;
    this.cols = nextCols;
    this.drv = nextDrv;
    this.length = keep.length;
    this.sorted = true;
  }

  column(k: number): Float64Array {
    return this.cols[k];
  }

  driverAt(row: number): string | undefined {
    const code = this.drv[row];
    return code < 0 ? undefined : this.drivers[code];
  }

  /** Empties the head and gives its memory back (after a flush to a segment). */
  clear(): void {
    this.length = 0;
    this.ts = new Float64Array(INITIAL_CAPACITY);
    this.cols = SeriesHead.columns(INITIAL_CAPACITY);
    this.drv = new Int32Array(INITIAL_CAPACITY);
    this.drivers = [];
    this.driverCodes = new Map();
    this.sorted = true;
    this.firstLsn = 0;
    this.lastLsn = 0;
  }

  private driverCode(id: string): number {
    let code = this.driverCodes.get(id);
    if (code === undefined) {
      code = this.drivers.length;
      this.drivers.push(id);
      this.driverCodes.set(id, code);
    }
    return code;
  }

  private grow(capacity: number): void {
    const ts = new Float64Array(capacity);
    ts.set(this.ts);
    this.ts = ts;
    this.cols = this.cols.map((col) => {
      const next = new Float64Array(capacity);
      next.set(col);
      return next;
    });
    const drv = new Int32Array(capacity);
    drv.set(this.drv);
    this.drv = drv;
  }
}
