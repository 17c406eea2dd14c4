export interface StuckOptions {
  /**
   * A value that holds at least this share of the series' rows is a resting value (0 km/h at a
   * stop, a released pedal): repeating it is normal, so its runs score 0. Default 0.05.
   */
  readonly restingShare?: number;
  /**
   * Optional per-row context: 1 where the vehicle is known to be moving (other signals change).
   * A run of a resting value still scores 0; a run of any other value scores its length only
   * while moving, when a context is given.
   */
  readonly moving?: ArrayLike<number>;
}

/**
 * Stuck-sensor evidence: for each row, how many rows before it repeat exactly the same value
 * (0 for the first row of a run, NaN for a missing value). A sensor that normally varies rarely
 * repeats a value for long; a frozen one repeats it for the whole fault. Runs of resting values
 * (values the series sits at for a large share of its rows) are normal and score 0.
 */
export function stuckRunLength(values: ArrayLike<number>, o: StuckOptions = {}): Float64Array {
  const n = values.length;
  const out = new Float64Array(n).fill(Number.NaN);
  const resting = restingValues(values, o.restingShare ?? 0.05);
  let run = 0;
  for (let t = 0; t < n; t++) {
    const v = values[t];
    if (!Number.isFinite(v)) {
      run = 0;
      continue;
    }
    run = t > 0 && values[t - 1] === v ? run + 1 : 0;
    const moving = o.moving ? o.moving[t] > 0 : true;
    out[t] = v === 0 || resting.has(v) || !moving ? 0 : run;
  }
  return out;
}

/**
 * Values the series rests at: they occur in at least `share` of the finite rows, and either the
 * series comes back to them (two or more separate runs) or they are its minimum (0 m/s, a released
 * pedal). A frozen sensor holds one arbitrary value in one run, so it is not taken for one.
 */
export function restingValues(values: ArrayLike<number>, share: number): Set<number> {
  const counts = new Map<number, number>();
  const runs = new Map<number, number>();
  let finite = 0;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    finite++;
    if (v < min) min = v;
    counts.set(v, (counts.get(v) ?? 0) + 1);
    if (i === 0 || values[i - 1] !== v) runs.set(v, (runs.get(v) ?? 0) + 1);
  }
  const out = new Set<number>();
  for (const [v, c] of counts) {
    if (c > 1 && c >= share * finite && ((runs.get(v) ?? 0) >= 2 || v === min)) out.add(v);
  }
  return out;
}
