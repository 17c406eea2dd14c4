import { BARRIER_INTS, SharedBarrier } from './shared-barrier';

/**
 * The shared memory of one data-parallel run: a barrier, then for each of two step parities one
 * flat Float32 gradient slot of `size` floats per worker. Worker w writes its (weighted) gradient
 * into slot [parity][w]; after the barrier every worker sums all slots in the same order, so all
 * replicas apply bit-identical updates. Alternating parities means a fast worker can start
 * writing step k+1 while a slow one is still reading step k; it cannot get to step k+2 before
 * the slow one has passed the barrier of step k+1, so no second barrier is needed.
 */
export class GradientExchange {
  readonly barrier: SharedBarrier;
  private readonly slots: Float32Array[][];

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly workers: number,
    readonly size: number,
  ) {
    if (buffer.byteLength < GradientExchange.bytesFor(workers, size)) {
      throw new Error('GradientExchange: shared buffer is too small');
    }
    this.barrier = new SharedBarrier(buffer, workers);
    const base = BARRIER_INTS * 4;
    this.slots = [0, 1].map((parity) =>
      Array.from(
        { length: workers },
        (_, w) => new Float32Array(buffer, base + (parity * workers + w) * size * 4, size),
      ),
    );
  }

  static bytesFor(workers: number, size: number): number {
    return BARRIER_INTS * 4 + 2 * workers * size * 4;
  }

  static allocate(workers: number, size: number): SharedArrayBuffer {
    return new SharedArrayBuffer(GradientExchange.bytesFor(workers, size));
  }

  slot(step: number, worker: number): Float32Array {
    return this.slots[step & 1][worker];
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
