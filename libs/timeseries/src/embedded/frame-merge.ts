import type { SeriesSource } from './series-source';

/** Rows [lo, hi) of a source. Slices are given oldest first: later ones win on equal ts. */
export interface SourceSlice {
  readonly source: SeriesSource;
  readonly lo: number;
  readonly hi: number;
}

export interface MergedColumns {
  readonly ts: Float64Array;
  /** One column per requested signal index, NaN where missing. */
  readonly columns: Float64Array[];
}

/**
 * Merges sorted, duplicate-free slices into one sorted, duplicate-free set of columns.
 * Fast path (the usual case: segments and head cover disjoint time spans): block copies in
 * time order. Otherwise (late or replayed data): a stable sort by (ts, precedence) keeping
 * the newest row of each timestamp.
 */
export function mergeSlices(
  slices: readonly SourceSlice[],
  signals: readonly number[],
): MergedColumns {
  const byStart = [...slices].sort((a, b) => a.source.ts[a.lo] - b.source.ts[b.lo]);
  let disjoint = true;
  for (let i = 1; i < byStart.length && disjoint; i++) {
    const prev = byStart[i - 1];
    disjoint = byStart[i].source.ts[byStart[i].lo] > prev.source.ts[prev.hi - 1];
  }
  return disjoint ? concatenate(byStart, signals) : sortMerge(slices, signals);
}

function concatenate(slices: readonly SourceSlice[], signals: readonly number[]): MergedColumns {
  const total = slices.reduce((sum, s) => sum + (s.hi - s.lo), 0);
  const ts = new Float64Array(total);
  const columns = signals.map(() => new Float64Array(total));
  let at = 0;
  for (const { source, lo, hi } of slices) {
    ts.set(source.ts.subarray(lo, hi), at);
    signals.forEach((k, j) => {
      const col = source.column(k);
      if (col) columns[j].set(col.subarray(lo, hi), at);
      else columns[j].fill(Number.NaN, at, at + hi - lo);
    });
    at += hi - lo;
  }
  return { ts, columns };
}

function sortMerge(slices: readonly SourceSlice[], signals: readonly number[]): MergedColumns {
  const total = slices.reduce((sum, s) => sum + (s.hi - s.lo), 0);
  const allTs = new Float64Array(total);
  const sliceOf = new Uint32Array(total);
  const rowOf = new Uint32Array(total);
  let at = 0;
  slices.forEach(({ source, lo, hi }, s) => {
    for (let r = lo; r < hi; r++, at++) {
      allTs[at] = source.ts[r];
      sliceOf[at] = s;
      rowOf[at] = r;
    }
  });
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  // Positions follow precedence (older slices first), so the last of equal ts is the newest.
  order.sort((a, b) => allTs[a] - allTs[b] || a - b);
  const keep: number[] = [];
  for (let i = 0; i < total; i++) {
    if (i === total - 1 || allTs[order[i + 1]] !== allTs[order[i]]) keep.push(order[i]);
  }
  const ts = new Float64Array(keep.length);
  const columns = signals.map(() => new Float64Array(keep.length));
  const sourceCols = slices.map(({ source }) => signals.map((k) => source.column(k)));
  keep.forEach((p, i) => {
    ts[i] = allTs[p];
    const cols = sourceCols[sliceOf[p]];
    const row = rowOf[p];
    for (let j = 0; j < signals.length; j++) {
      const col = cols[j];
      columns[j][i] = col ? col[row] : Number.NaN;
    }
  });
  return { ts, columns };
}
