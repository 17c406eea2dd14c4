import { BARRIER_INTS, SharedBarrier } from './shared-barrier';

/**
 * The shared memory of one data-parallel run: a barrier, then for each of two step parities the
 * workers' shard weights, one flat Float32 gradient slot of `size` floats per worker, and one
 * slot for their weighted sum. Worker w writes its raw gradient into slot [parity][w] and its
 * weight; after a barrier each worker sums its own share of the range over all slots (in worker
 * order, `reduceShare`) into the sum slot; after a second barrier every worker reads the whole
 * sum, so all replicas apply bit-identical updates and each does 1/workers of the summing.
 * Alternating parities means a fast worker can start writing step k+1 while a slow one is still
 * reading step k; it cannot get to step k+2 before the slow one has passed the barriers of
 * step k+1.
 */
export class GradientExchange {
  readonly barrier: SharedBarrier;
  private readonly slots: Float32Array[][];
  private readonly sums: Float32Array[];
  private readonly weights: Float64Array[];

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly workers: number,
    readonly size: number,
  ) {
    if (buffer.byteLength < GradientExchange.bytesFor(workers, size)) {
      throw new Error('GradientExchange: shared buffer is too small');
    }
    this.barrier = new SharedBarrier(buffer, workers);
    const weightsAt = GradientExchange.weightsOffset();
    this.weights = [0, 1].map(
      (parity) => new Float64Array(buffer, weightsAt + parity * workers * 8, workers),
    );
    const base = weightsAt + 2 * workers * 8;
    this.slots = [0, 1].map((parity) =>
      Array.from(
        { length: workers },
        (_, w) => new Float32Array(buffer, base + (parity * workers + w) * size * 4, size),
      ),
    );
    const sumsAt = base + 2 * workers * size * 4;
    this.sums = [0, 1].map((parity) => new Float32Array(buffer, sumsAt + parity * size * 4, size));
  }

  private static weightsOffset(): number {
    return Math.ceil((BARRIER_INTS * 4) / 8) * 8;
  }

  static bytesFor(workers: number, size: number): number {
    return GradientExchange.weightsOffset() + 2 * workers * 8 + 2 * (workers + 1) * size * 4;
  }

  static allocate(workers: number, size: number): SharedArrayBuffer {
    return new SharedArrayBuffer(GradientExchange.bytesFor(workers, size));
  }

  slot(step: number, worker: number): Float32Array {
    return this.slots[step & 1][worker];
  }

  /** This worker's shard weight for `step` (its gradient is scaled by it in the sum). */
  setWeight(step: number, worker: number, weight: number): void {
    this.weights[step & 1][worker] = weight;
  }

  /** The range of the flat gradient whose weighted sum `worker` computes. */
  share(worker: number): [number, number] {
    const per = Math.ceil(this.size / this.workers / 4) * 4;
    return [Math.min(this.size, worker * per), Math.min(this.size, (worker + 1) * per)];
  }

  /**
   * Sum slot [i] = f32(Σ_w slot_w[i]·weight_w), the products and their sum taken in f64 in
   * worker order and rounded once, for i in this worker's share. Call between the two barriers
   * of a step. (JS arithmetic is deterministic, so every worker would compute the same bits.)
   */
  reduceShare(step: number, worker: number): void {
    const [lo, hi] = this.share(worker);
    const slots = this.slots[step & 1];
    const weights = this.weights[step & 1];
    const out = this.sums[step & 1];
    const a = slots[0];
    const wa = weights[0];
    if (slots.length === 2) {
      const b = slots[1];
      const wb = weights[1];
      for (let i = lo; i < hi; i++) out[i] = a[i] * wa + b[i] * wb;
      return;
    }
    for (let i = lo; i < hi; i++) {
      let s = a[i] * wa;
      for (let w = 1; w < slots.length; w++) s += slots[w][i] * weights[w];
      out[i] = s;
    }
  }

  /** The weighted sum of `step` (complete after the second barrier). */
  sum(step: number): Float32Array {
    return this.sums[step & 1];
  }

  /** Sums the range [offset, offset + length) over all workers' slots of `step`, in worker order. */
  sumInto(step: number, offset: number, length: number, out: Float32Array): void {
    const slots = this.slots[step & 1];
    out.set(slots[0].subarray(offset, offset + length));
    for (let w = 1; w < slots.length; w++) {
      const s = slots[w];
      for (let i = 0; i < length; i++) out[i] += s[offset + i];
    }
  }
}
