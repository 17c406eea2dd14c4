import { Prng } from '@fleetfm/simulator';

/**
 * Held-out "beyond driving" series in the spirit of the public zero-shot benchmarks (Chronos
 * Benchmark II, GIFT-Eval): energy-like hourly loads, monthly and daily seasonal sales, random
 * walks, autoregressive noise, intermittent demand and regime changes. They are written as
 * explicit structural models — not Gaussian-process draws like the training corpus' KernelSynth
 * series — so that the slice measures transfer to series the model has never seen the like of.
 */

/** Seed of the zero-shot slice; the training corpus draws KernelSynth series from its own seed. */
export const ZERO_SHOT_SEED = 20_261_129;

export const BENCHMARK_FAMILIES = [
  'hourly-additive',
  'hourly-multiplicative',
  'daily-weekly',
  'monthly-yearly',
  'random-walk',
  'autoregressive',
  'intermittent',
  'level-shift',
] as const;
export type BenchmarkFamily = (typeof BENCHMARK_FAMILIES)[number];

export interface BenchmarkSeries {
  /** `hourly-additive/3`. */
  readonly id: string;
  readonly family: BenchmarkFamily;
  /** The family's seasonal period in steps (1 = none): the season of its seasonal naive. */
  readonly season: number;
  /** Steps of history each evaluation window gives the model (128, 256 or 512). */
  readonly context: number;
  readonly horizon: number;
  /** Evaluation windows: the last `windows` non-overlapping horizons of the series. */
  readonly windows: number;
  /** `context + windows · horizon` values. */
  readonly values: Float32Array;
  /** The generator's parameters (drift, AR coefficients, shift positions …), for tests and logs. */
  readonly params: Readonly<Record<string, number | readonly number[]>>;
}

export interface HeldOutBenchmarkOptions {
  /** Default `ZERO_SHOT_SEED`. */
  readonly seed?: number;
  /** Default 20 (160 series in all). */
  readonly seriesPerFamily?: number;
  /** Default 2. */
  readonly windowsPerSeries?: number;
}

interface FamilySpec {
  readonly season: number;
  readonly contexts: readonly number[];
  readonly horizons: readonly number[];
  readonly draw: (rng: Prng, length: number) => Sampled;
}

interface Sampled {
  readonly values: Float64Array;
  readonly params: Record<string, number | readonly number[]>;
}

const ALL_CONTEXTS = [128, 256, 512] as const;

const FAMILIES: Readonly<Record<BenchmarkFamily, FamilySpec>> = {
  autoregressive: { contexts: ALL_CONTEXTS, draw: autoregressive, horizons: [64], season: 1 },
  'daily-weekly': {
    contexts: ALL_CONTEXTS,
    draw: seasonalWithTrendChanges(7),
    horizons: [14],
    season: 7,
  },
  'hourly-additive': {
    contexts: ALL_CONTEXTS,
    draw: hourly(false),
    horizons: [24, 48],
    season: 24,
  },
  'hourly-multiplicative': {
    contexts: ALL_CONTEXTS,
    draw: hourly(true),
    horizons: [48, 24],
    season: 24,
  },
  intermittent: { contexts: ALL_CONTEXTS, draw: intermittent, horizons: [64], season: 1 },
  'level-shift': { contexts: ALL_CONTEXTS, draw: levelShift, horizons: [64], season: 1 },
  'monthly-yearly': {
    contexts: [128, 256],
    draw: seasonalWithTrendChanges(12),
    horizons: [12, 18],
    season: 12,
  },
  'random-walk': { contexts: ALL_CONTEXTS, draw: randomWalk, horizons: [64], season: 1 },
};

/**
 * The slice: `seriesPerFamily` series of each family, each from its own stream forked from
 * (seed, family, index), with contexts and horizons cycling over the family's lists so that
 * every family has contexts of 128, 256 and 512 steps (monthly: 128 and 256).
 */
export function heldOutBenchmarkSeries(options: HeldOutBenchmarkOptions = {}): BenchmarkSeries[] {
  const root = new Prng(options.seed ?? ZERO_SHOT_SEED);
  const perFamily = options.seriesPerFamily ?? 20;
  const windows = options.windowsPerSeries ?? 2;
  const out: BenchmarkSeries[] = [];
  for (const family of BENCHMARK_FAMILIES) {
    const spec = FAMILIES[family];
    for (let i = 0; i < perFamily; i++) {
      const context = spec.contexts[i % spec.contexts.length];
      const horizon = spec.horizons[Math.floor(i / spec.contexts.length) % spec.horizons.length];
      const length = context + windows * horizon;
      const { values, params } = spec.draw(root.fork(family, i), length);
      out.push({
        context,
        family,
        horizon,
        id: `${family}/${i}`,
        params,
        season: spec.season,
        values: Float32Array.from(values),
        windows,
      });
    }
  }
  return out;
}

/** A positive level spanning five orders of magnitude, so no family has one typical scale. */
function randomLevel(rng: Prng): number {
  return 10 ** rng.uniform(-1, 4);
}

/** Student-t-like heavy-tailed noise with unit scale (normal over √(χ²₄ / 4)). */
function heavyTailed(rng: Prng): number {
  let chi = 0;
  for (let k = 0; k < 4; k++) chi += rng.normal() ** 2;
  return rng.normal() / Math.sqrt(chi / 4 + 1e-9);
}

/**
 * A daily load curve: a morning and an evening bump of random heights, widths and hours, with
 * weekday/weekend levels (period 168) and a linear trend. Additive: noise whose standard
 * deviation follows the load curve. Multiplicative: the seasonal factors scale the trend level
 * and the noise is log-normal, so amplitude and noise grow with the level.
 */
function hourly(multiplicative: boolean): FamilySpec['draw'] {
  return (rng, length) => {
    const level = randomLevel(rng);
    const peaks = [rng.uniform(6, 10), rng.uniform(16, 21)];
    const heights = [rng.uniform(0.2, 1), rng.uniform(0.4, 1.2)];
    const widths = [rng.uniform(1.5, 3.5), rng.uniform(2, 4)];
    const weekend = rng.uniform(-0.4, 0.1);
    const amplitude = rng.uniform(0.3, 0.8);
    const trend = rng.uniform(-0.3, 0.6) / length;
    const noise = rng.uniform(0.01, 0.03);
    const phase = rng.int(168);
    const values = new Float64Array(length);
    for (let t = 0; t < length; t++) {
      const hour = (t + phase) % 24;
      const day = Math.floor(((t + phase) % 168) / 24);
      let daily = -0.35;
      for (let k = 0; k < 2; k++) {
        const d = Math.min(Math.abs(hour - peaks[k]), 24 - Math.abs(hour - peaks[k]));
        daily += heights[k] * Math.exp(-(d * d) / (2 * widths[k] ** 2));
      }
      const weekly = day >= 5 ? weekend : 0;
      const base = 1 + trend * t;
      const seasonal = amplitude * daily + 0.5 * amplitude * weekly;
      values[t] = multiplicative
        ? level * base * Math.max(0.05, 1 + seasonal) * Math.exp(noise * rng.normal())
        : level * (base + seasonal + noise * (1 + Math.abs(daily)) * rng.normal());
    }
    return { params: { amplitude, multiplicative: multiplicative ? 1 : 0, noise, trend }, values };
  };
}

/**
 * A fixed seasonal profile of `period` values (zero mean) that drifts slowly, on a piecewise
 * linear trend with 1–3 slope changes, with Gaussian noise; additive or multiplicative.
 */
function seasonalWithTrendChanges(period: number): FamilySpec['draw'] {
  return (rng, length) => {
    const level = randomLevel(rng);
    const profile = Array.from({ length: period }, () => rng.normal());
    const mean = profile.reduce((a, b) => a + b, 0) / period;
    const rms = Math.sqrt(profile.reduce((a, b) => a + (b - mean) ** 2, 0) / period);
    const amplitude = rng.uniform(0.1, 0.3);
    for (let k = 0; k < period; k++) profile[k] = (amplitude * (profile[k] - mean)) / rms;
    const changes = Array.from({ length: 1 + rng.int(3) }, () => rng.int(length)).sort(
      (a, b) => a - b,
    );
    const slopes = [0, ...changes].map(() => rng.uniform(-0.5, 1) / length);
    const multiplicative = rng.chance(0.5);
    const noise = rng.uniform(0.01, 0.05);
    const values = new Float64Array(length);
    let trend = 1;
    let segment = 0;
    for (let t = 0; t < length; t++) {
      while (segment < changes.length && t >= changes[segment]) segment++;
      trend += slopes[segment];
      const k = t % period;
      profile[k] += 0.01 * amplitude * rng.normal();
      const s = profile[k];
      values[t] = multiplicative
        ? level * Math.max(0.05, trend) * (1 + s) * (1 + noise * rng.normal())
        : level * (trend + s + noise * rng.normal());
    }
    return {
      params: { amplitude, changes, multiplicative: multiplicative ? 1 : 0, period },
      values,
    };
  };
}

/** y_t = y_{t-1} + drift + σ·ε_t with heavy-tailed ε: naive (season 1) is close to optimal. */
function randomWalk(rng: Prng, length: number): Sampled {
  const level = randomLevel(rng);
  const sigma = level * rng.uniform(0.005, 0.03);
  const drift = sigma * rng.uniform(-0.3, 0.3);
  const values = new Float64Array(length);
  let y = level;
  for (let t = 0; t < length; t++) {
    y += drift + sigma * heavyTailed(rng);
    values[t] = y;
  }
  return { params: { drift, sigma }, values };
}

/** A stationary AR(1) or AR(2) (half each; AR(2) with complex roots, i.e. pseudo-cycles) around a level. */
function autoregressive(rng: Prng, length: number): Sampled {
  const level = randomLevel(rng);
  let phi: number[];
  if (rng.chance(0.5)) {
    phi = [rng.uniform(0.3, 0.95)];
  } else {
    // Roots r·e^{±iω}: φ1 = 2r·cos ω, φ2 = −r².
    const r = rng.uniform(0.7, 0.95);
    const omega = rng.uniform(0.2, 1.2);
    phi = [2 * r * Math.cos(omega), -r * r];
  }
  const sigma = level * rng.uniform(0.02, 0.1);
  const values = new Float64Array(length);
  let x1 = 0;
  let x2 = 0;
  for (let t = -200; t < length; t++) {
    const x = phi[0] * x1 + (phi[1] ?? 0) * x2 + sigma * rng.normal();
    x2 = x1;
    x1 = x;
    if (t >= 0) values[t] = level + x;
  }
  return { params: { phi, sigma }, values };
}

/** Sporadic demand: a positive count (1 + Poisson) with probability p in [0.05, 0.3], else 0. */
function intermittent(rng: Prng, length: number): Sampled {
  const p = rng.uniform(0.05, 0.3);
  const rate = rng.uniform(0.5, 8);
  const values = new Float64Array(length);
  for (let t = 0; t < length; t++) values[t] = rng.chance(p) ? 1 + poisson(rng, rate) : 0;
  return { params: { p, rate }, values };
}

function poisson(rng: Prng, rate: number): number {
  const limit = Math.exp(-rate);
  let k = 0;
  let prod = rng.next();
  while (prod > limit) {
    k++;
    prod *= rng.next();
  }
  return k;
}

/**
 * Regime changes: a level that jumps by 2–6 noise standard deviations at 2–5 random times, with
 * AR(1) noise (φ 0–0.5) whose standard deviation may also change at a jump.
 */
function levelShift(rng: Prng, length: number): Sampled {
  const level = randomLevel(rng);
  const sigma = level * rng.uniform(0.01, 0.05);
  const shifts = Array.from({ length: 2 + rng.int(4) }, () => 16 + rng.int(length - 32)).sort(
    (a, b) => a - b,
  );
  const phi = rng.uniform(0, 0.5);
  const values = new Float64Array(length);
  let mean = level;
  let sd = sigma;
  let x = 0;
  let next = 0;
  for (let t = 0; t < length; t++) {
    while (next < shifts.length && t === shifts[next]) {
      mean += (rng.chance(0.5) ? 1 : -1) * sigma * rng.uniform(2, 6);
      if (rng.chance(0.3)) sd = sigma * rng.uniform(0.5, 2);
      next++;
    }
    x = phi * x + sd * rng.normal();
    values[t] = mean + x;
  }
  return { params: { phi, shifts, sigma }, values };
}
