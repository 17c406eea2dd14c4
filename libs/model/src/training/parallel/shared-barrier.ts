/** Slots of the barrier's Int32 control array. */
const COUNT = 0;
const GENERATION = 1;
export const BARRIER_INTS = 2;

/**
 * A reusable barrier for `parties` threads over a SharedArrayBuffer (generation counting): the
 * last thread to arrive resets the count and bumps the generation, which wakes the others. The
 * wait has a timeout so that a crashed peer turns into an error instead of a hang.
 */
export class SharedBarrier {
  private readonly control: Int32Array;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly parties: number,
    byteOffset = 0,
    private readonly timeoutMs = 120_000,
  ) {
    this.control = new Int32Array(buffer, byteOffset, BARRIER_INTS);
  }

  /** Blocks until all parties have arrived. Must not be called on a thread that cannot block. */
  arriveAndWait(): void {
    if (this.parties === 1) return;
    const generation = Atomics.load(this.control, GENERATION);
    if (Atomics.add(this.control, COUNT, 1) === this.parties - 1) {
      Atomics.store(this.control, COUNT, 0);
      Atomics.add(this.control, GENERATION, 1);
      Atomics.notify(this.control, GENERATION);
      return;
    }
    const deadline = Date.now() + this.timeoutMs;
    while (Atomics.load(this.control, GENERATION) === generation) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`barrier: peers did not arrive within ${this.timeoutMs} ms`);
      }
      Atomics.wait(this.control, GENERATION, generation, left);
    }
  }
}
