/**
 * Per-bucket mean / min / max of columns fed in time order. Buckets start at multiples of
 * `every` since the epoch; only buckets with at least one row are emitted; NaN values are
 * skipped, and a signal with no value in a bucket yields NaN for all three aggregates.
 */
export class BucketAggregator {
  private readonly starts: number[] = [];
  private readonly sums: number[][];
  private readonly counts: number[][];
  private readonly mins: number[][];
  private readonly maxs: number[][];
  private current = Number.NaN;

  constructor(
    private readonly every: number,
    private readonly width: number,
  ) {
    const make = (): number[][] => Array.from({ length: width }, () => []);
    this.sums = make();
    this.counts = make();
    this.mins = make();
    this.maxs = make();
  }

  /** Adds rows; `ts` must not go back in time across calls. */
  add(ts: Float64Array, columns: readonly Float64Array[]): void {
    let b = this.starts.length - 1;
    for (let i = 0; i < ts.length; i++) {
      const start = Math.floor(ts[i] / this.every) * this.every;
      if (start !== this.current) {
        this.current = start;
        this.starts.push(start);
        b += 1;
        for (let j = 0; j < this.width; j++) {
          this.sums[j].push(0);
          this.counts[j].push(0);
          this.mins[j].push(Number.POSITIVE_INFINITY);
          this.maxs[j].push(Number.NEGATIVE_INFINITY);
        }
      }
      for (let j = 0; j < this.width; j++) {
        const v = columns[j][i];
        if (v !== v) continue; // NaN: not measured
        this.sums[j][b] += v;
        this.counts[j][b] += 1;
        if (v < this.mins[j][b]) this.mins[j][b] = v;
        if (v > this.maxs[j][b]) this.maxs[j][b] = v;
      }
    }
  }

  finish(): {
    bucketStart: Float64Array;
    aggregates: { mean: Float64Array; min: Float64Array; max: Float64Array }[];
  } {
    const n = this.starts.length;
    const aggregates = Array.from({ length: this.width }, (_, j) => {
      const mean = new Float64Array(n);
      const min = new Float64Array(n);
      const max = new Float64Array(n);
      for (let b = 0; b < n; b++) {
        const count = this.counts[j][b];
        mean[b] = count === 0 ? Number.NaN : this.sums[j][b] / count;
        min[b] = count === 0 ? Number.NaN : this.mins[j][b];
        max[b] = count === 0 ? Number.NaN : this.maxs[j][b];
      }
      return { mean, min, max };
    });
    return { bucketStart: Float64Array.from(this.starts), aggregates };
  }
}
