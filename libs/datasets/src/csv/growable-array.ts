/** An append-only Float64 buffer that doubles as it grows; `toArray` trims to the length. */
export class GrowableFloat64 {
  private buffer: Float64Array;
  length = 0;

  constructor(capacity = 1024) {
    this.buffer = new Float64Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.buffer.length) {
      const next = new Float64Array(this.buffer.length * 2);
      next.set(this.buffer);
      this.buffer = next;
    }
    this.buffer[this.length++] = value;
  }

  get(index: number): number {
    return this.buffer[index];
  }

  toFloat64(): Float64Array {
    return this.buffer.slice(0, this.length);
  }

  toFloat32(): Float32Array {
    return Float32Array.from(this.buffer.subarray(0, this.length));
  }
}
