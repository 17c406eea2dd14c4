/**
 * Our own small seeded PRNG (mulberry32), so that a seed reproduces a fleet bit for bit on any
 * Node version; Math.random cannot be seeded. 32 bits of state is plenty for simulation noise
 * (period 2^32), and it is a handful of integer ops per draw, which the corpus generator needs.
 */
export class Prng {
  private state: number;
  private spareNormal = Number.NaN;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Log-uniform in [lo, hi) (lo > 0): each factor of the range is as likely. */
  logUniform(lo: number, hi: number): number {
    return Math.exp(this.uniform(Math.log(lo), Math.log(hi)));
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    return items[this.int(items.length)];
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, sd = 1): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = Number.NaN;
      return mean + sd * z;
    }
    let u = this.next();
    while (u <= Number.EPSILON) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const phi = 2 * Math.PI * this.next();
    this.spareNormal = r * Math.sin(phi);
    return mean + sd * r * Math.cos(phi);
  }

  /**
   * An independent stream for a named purpose. Derived from the seed, not the current state, so
   * that adding draws in one component never shifts the numbers another component sees.
   */
  fork(...labels: readonly (string | number)[]): Prng {
    return new Prng(deriveSeed(this.seed, ...labels));
  }
}

/** Mixes a seed with labels into a new 32-bit seed (FNV-1a over the labels, then a murmur3 finaliser). */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (const label of labels) {
    const text = `${typeof label}:${label}|`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
