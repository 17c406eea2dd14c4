import { diff, quantileOf, robustScale } from './robust-stats';

export interface DriftOptions {
  /** EWMA smoothing factor of the residual (≈ 1 / memory in rows). Default 1/20. */
  readonly alpha?: number;
  /** Rows whose residual exceeds this many robust scales are left out of the refit. Default 3. */
  readonly trim?: number;
  /** Ridge penalty on standardized features. Default 1e-3. */
  readonly ridge?: number;
  /**
   * Leave out of the fit (not of the residual) rows with a feature beyond its 0.5-99.5% range
   * widened by this many times its width: a few rows of a spiking sensor far outside the range
   * would otherwise set a coefficient alone. Default: keep every row.
   */
  readonly leverage?: number;
  /** Iterations of a least-absolute-deviations fit (IRLS) before the trimmed refits. Default 0. */
  readonly l1?: number;
  /**
   * Trimmed refits after the first fit, each trimming by the previous fit's residual. With k > 1
   * the first refit drops the worst 10% of rows and the later ones anneal the trim from
   * 2^(k-2)·trim down to trim robust scales. Default 1.
   */
  readonly refits?: number;
  /**
   * Bounded influence of the least-absolute-deviations fit (Mallows weights): a row whose
   * standardized feature lies beyond this many standard deviations counts as if it lay at it
   * (weight `mallows / distance`). Plain LAD resists gross errors in y but not in the features:
   * 110 rows of a drifted torque at 8× the usual regenerative torque·speed outvoted 500 normal
   * rows and unfitted the whole regenerative branch of the power relation. Default: off.
   */
  readonly mallows?: number;
}

/**
 * Drift evidence for each signal of one vehicle: how far the signal has wandered from what the
 * other signals imply. Each signal's one-row change is regressed on the other
 * signals' levels, squares, pairwise products and one-row changes (which covers V·I vs torque ×
 * speed, acceleration vs Δspeed, Δsoc vs current), fitted robustly on the series itself (least
 * squares, then a refit without rows beyond `trim` robust scales). The residual is smoothed with
 * an EWMA, which a slowly growing offset (a constant bias of the change) pushes steadily away
 * from 0, and expressed in robust scales of the smoothed residual. (Regressing the level as well
 * measured worse on the eval fleet: 0.202 vs 0.217 AUC-PR for the component alone.)
 * A single signal has nothing to be checked against: the result is then empty.
 */
export function driftScores(
  columns: Readonly<Record<string, ArrayLike<number>>>,
  o: DriftOptions = {},
): Record<string, Float64Array> {
  const names = Object.keys(columns);
  const out: Record<string, Float64Array> = {};
  if (names.length < 2) return out;
  const n = columns[names[0]].length;
  const deltas = Object.fromEntries(names.map((k) => [k, diff(columns[k])]));
  for (const target of names) {
    const others = names.filter((k) => k !== target);
    const features: Float64Array[] = [];
    for (const k of others) {
      const x = Float64Array.from(columns[k]);
      features.push(
        x,
        x.map((v) => v * v),
        deltas[k],
      );
    }
    for (let a = 0; a < others.length; a++) {
      for (let b = a + 1; b < others.length; b++) {
        const xa = columns[others[a]];
        const xb = columns[others[b]];
        features.push(Float64Array.from({ length: n }, (_, t) => xa[t] * xb[t]));
      }
    }
    out[target] = smoothedStat(residual(deltas[target], features, o), o);
  }
  return out;
}

/** y minus its robust least-squares fit on the features; NaN where y or a feature is missing. */
export function residual(
  y: Float64Array,
  features: readonly Float64Array[],
  o: DriftOptions = {},
): Float64Array {
  const n = y.length;
  const p = features.length + 1;
  const usable = new Uint8Array(n);
  for (let t = 0; t < n; t++) {
    usable[t] = Number.isFinite(y[t]) && features.every((f) => Number.isFinite(f[t])) ? 1 : 0;
  }
  // Standardize features (mean 0, sd 1 over usable rows) so that one ridge fits all.
  const cols = features.map((f) => standardize(f, usable));
  const fitted = o.leverage === undefined ? usable : inRange(features, usable, o.leverage);
  const row = (t: number, buf: Float64Array): void => {
    buf[0] = 1;
    for (let j = 1; j < p; j++) buf[j] = cols[j - 1][t];
  };
  const fit = (weight: ArrayLike<number>): Float64Array => {
    const xtx = new Float64Array(p * p);
    const xty = new Float64Array(p);
    const x = new Float64Array(p);
    for (let t = 0; t < n; t++) {
      const w = weight[t];
      if (!w) continue;
      row(t, x);
      for (let i = 0; i < p; i++) {
        xty[i] += w * x[i] * y[t];
        for (let j = 0; j <= i; j++) xtx[i * p + j] += w * x[i] * x[j];
      }
    }
    let rows = 0;
    for (let t = 0; t < n; t++) rows += weight[t];
    for (let i = 1; i < p; i++) xtx[i * p + i] += (o.ridge ?? 1e-3) * Math.max(rows, 1);
    return solveSymmetric(xtx, xty, p);
  };
  const predict = (beta: Float64Array): Float64Array => {
    const out = new Float64Array(n).fill(Number.NaN);
    const x = new Float64Array(p);
    for (let t = 0; t < n; t++) {
      if (!usable[t]) continue;
      row(t, x);
      let s = 0;
      for (let j = 0; j < p; j++) s += beta[j] * x[j];
      out[t] = y[t] - s;
    }
    return out;
  };
  let r = predict(fit(fitted));
  if (o.l1) {
    // Least absolute deviations by reweighting: fits the rows that obey one relation exactly
    // however far off the others are (a minority regime is kept, gross faults do not pull).
    // The smallest residual that counts shrinks from 1e-2 to 1e-8 of y's spread (a continuation
    // that converges to the exact fit where plain reweighting stalls near the least-squares one).
    const spread = Math.max(robustScale(y.filter(Number.isFinite)), 1e-12);
    const w = new Float64Array(n);
    const bound = o.mallows ? mallowsWeights(cols, o.mallows) : undefined;
    for (let k = 0; k < o.l1; k++) {
      const floor = spread * Math.max(1e-8, 1e-2 * 0.5 ** k);
      for (let t = 0; t < n; t++) {
        w[t] = fitted[t] ? (bound ? bound[t] : 1) / Math.max(Math.abs(r[t]), floor) : 0;
      }
      r = predict(fit(w));
    }
  }
  const refits = o.refits ?? 1;
  for (let k = 0; k < refits; k++) {
    const scale = robustScale(r.filter(Number.isFinite));
    if (!(scale > 0)) break;
    // Several refits: the first drops the worst tenth (gross outliers have leverage enough to
    // make the first fit wrong on a whole regime, whose rows MAD-trimming would then drop).
    const limit =
      refits > 1 && k === 0 && !o.l1
        ? quantileOf(r.map(Math.abs), 0.9)
        : (o.trim ?? 3) * 2 ** Math.max(refits - 2 - k, 0) * scale;
    const keep = fitted.map((u, t) => (u && Math.abs(r[t]) <= limit ? 1 : 0));
    if (keep.reduce((a, b) => a + b, 0) <= 2 * p) break;
    r = predict(fit(keep));
  }
  return r;
}

/** min(1, bound / the row's largest |standardized feature|): Mallows weights of a fit. */
function mallowsWeights(cols: readonly Float64Array[], bound: number): Float64Array {
  const out = new Float64Array(cols[0]?.length ?? 0).fill(1);
  for (const c of cols) {
    for (let t = 0; t < c.length; t++) {
      const d = Math.abs(c[t]);
      if (d > bound) out[t] = Math.min(out[t], bound / d);
    }
  }
  return out;
}

/** |EWMA of the residual| in robust scales of the EWMA; missing rows carry the EWMA over. */
function smoothedStat(r: Float64Array, o: DriftOptions): Float64Array {
  const alpha = o.alpha ?? 1 / 20;
  const ewma = new Float64Array(r.length).fill(Number.NaN);
  let m = Number.NaN;
  for (let t = 0; t < r.length; t++) {
    if (Number.isFinite(r[t])) m = Number.isFinite(m) ? m + alpha * (r[t] - m) : r[t];
    ewma[t] = Number.isFinite(r[t]) ? m : Number.NaN;
  }
  const finite = ewma.filter(Number.isFinite);
  let center = 0;
  if (finite.length > 0) center = [...finite].sort((a, b) => a - b)[finite.length >> 1];
  const scale = Math.max(robustScale(finite), 1e-12);
  return ewma.map((v) => Math.abs(v - center) / scale);
}

/** Usable rows whose features all lie within their 0.5-99.5% range widened by k widths. */
function inRange(features: readonly Float64Array[], usable: Uint8Array, k: number): Uint8Array {
  const out = Uint8Array.from(usable);
  for (const f of features) {
    const lo = quantileOf(f, 0.005);
    const hi = quantileOf(f, 0.995);
    const w = hi - lo;
    for (let t = 0; t < f.length; t++) {
      if (out[t] && (f[t] < lo - k * w || f[t] > hi + k * w)) out[t] = 0;
    }
  }
  return out;
}

function standardize(f: Float64Array, usable: Uint8Array): Float64Array {
  let sum = 0;
  let count = 0;
  for (let t = 0; t < f.length; t++) {
    if (!usable[t]) continue;
    sum += f[t];
    count++;
  }
  const mean = count > 0 ? sum / count : 0;
  let ss = 0;
  for (let t = 0; t < f.length; t++) if (usable[t]) ss += (f[t] - mean) ** 2;
  const sd = count > 1 ? Math.sqrt(ss / (count - 1)) : 0;
  return f.map((v) => (sd > 0 ? (v - mean) / sd : 0));
}

/** Solves A x = b for symmetric positive (semi)definite A stored in its lower triangle. */
function solveSymmetric(lower: Float64Array, b: Float64Array, p: number): Float64Array {
  // Cholesky with a tiny jitter on non-positive pivots (constant features).
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = lower[i * p + j];
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
      if (i === j) l[i * p + i] = Math.sqrt(Math.max(s, 1e-9));
      else l[i * p + j] = s / l[j * p + j];
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * z[k];
    z[i] = s / l[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  return x;
}
