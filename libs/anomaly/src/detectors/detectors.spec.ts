import { driftScores } from './drift.detector';
import { decelerationEvidence } from './harsh-braking.detector';
import { spikeScore } from './spike.detector';
import { stuckRunLength } from './stuck.detector';

/** Deterministic pseudo-noise in [-0.5, 0.5) (LCG), so the tests are seeded. */
function noise(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

describe('stuckRunLength', () => {
  it('counts exact repeats of a varying value', () => {
    const v = [1, 2, 3, 3, 3, 3, 4, 5];
    expect(Array.from(stuckRunLength(v, { restingShare: 0.9 }))).toEqual([0, 0, 0, 1, 2, 3, 0, 0]);
  });

  it('gives a resting value (0 m/s at a stop) no evidence however long it lasts', () => {
    const speed = [0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 7, 0, 0, 0];
    const out = stuckRunLength(speed);
    expect(Array.from(out).every((x) => x === 0)).toBe(true);
  });

  it('gives no evidence where the vehicle is known to be still', () => {
    const v = [1, 2, 2, 2, 2];
    expect(Array.from(stuckRunLength(v, { moving: [1, 1, 1, 0, 0], restingShare: 0.9 }))).toEqual([
      0, 0, 1, 0, 0,
    ]);
  });

  it('leaves missing values unscored and restarts the run after them', () => {
    const out = stuckRunLength([5, 5, Number.NaN, 5, 5], { restingShare: 2 });
    expect(Array.from(out)).toEqual([0, 1, Number.NaN, 0, 1]);
  });
});

describe('spikeScore', () => {
  const base = Float64Array.from({ length: 60 }, (_, t) => t * 0.1);

  it('scores each row of a short spike far above the rest', () => {
    const v = Float64Array.from(base);
    v[30] += 10;
    v[31] += 10;
    const s = spikeScore(v);
    // Steps are 0.1 (MAD 0): the series' scale is 0.01 × the 1-99% range 13.041 - 0.059 =
    // 0.12982, the neighbourhood's 1.4826 × median |step| 0.1 = 0.14826 (the larger, used).
    // Row 30 (13.0): 10.5 from the median before (2.5), 9.4 from the median after (3.6) -> 63.4.
    // Ordinary rows are at most 0.5 from a side median -> 3.37.
    expect(s[30]).toBeCloseTo(9.4 / 0.14826, 1);
    expect(s[31]).toBeGreaterThan(60);
    for (let t = 0; t < 60; t++) if (t !== 30 && t !== 31) expect(s[t]).toBeLessThan(4);
  });

  it('measures a row against the changes of its neighbourhood, not of the whole series', () => {
    // Calm (steps 0.1) then hard driving (steps ±2): a 3-unit jump is a spike when calm only.
    const v = Float64Array.from({ length: 120 }, (_, t) => (t < 60 ? t * 0.1 : (t % 2) * 2));
    v[30] += 3;
    v[90] += 3;
    const s = spikeScore(v);
    expect(s[30]).toBeGreaterThan(15);
    expect(s[90]).toBeLessThan(3);
  });

  it('does not score a level shift after its first rows', () => {
    const v = Float64Array.from({ length: 40 }, (_, t) => (t < 20 ? 0 : 50) + 0.01 * (t % 3));
    const s = spikeScore(v);
    for (let t = 0; t < 40; t++) expect(s[t]).toBeLessThan(5);
  });
});

describe('decelerationEvidence', () => {
  it('reads deceleration from acceleration, brake and speed, nothing from other signals', () => {
    expect(Array.from(decelerationEvidence('accel_mps2', [1, -7]) ?? [])).toEqual([-1, 7]);
    expect(Array.from(decelerationEvidence('brake_pct', [0, 90]) ?? [])).toEqual([0, 90]);
    expect(Array.from(decelerationEvidence('speed_mps', [20, 13]) ?? [])).toEqual([Number.NaN, 7]);
    expect(decelerationEvidence('soc_pct', [50, 50])).toBeUndefined();
  });
});

describe('driftScores', () => {
  // Two physically tied signals: the state of charge falls by 0.001 %/A per row of current, and
  // is read with a little noise.
  const n = 600;
  const e = noise(n, 7);
  const current = Float64Array.from({ length: n }, (_, t) => 50 + 40 * Math.sin(t / 15));
  const soc = new Float64Array(n);
  soc[0] = 80;
  for (let t = 1; t < n; t++) soc[t] = soc[t - 1] - 0.001 * current[t];
  const read = soc.map((v, t) => v + 0.002 * e[t]);

  it('raises the drifting signal once a linear offset builds up, not before', () => {
    const drifted = Float64Array.from(read);
    for (let t = 400; t < 500; t++) drifted[t] += ((t - 400) / 100) * 1.0;
    const clean = driftScores({ battery_current_a: current, soc_pct: read });
    const out = driftScores({ battery_current_a: current, soc_pct: drifted });
    const maxOf = (a: Float64Array, from: number, to: number): number =>
      Math.max(...Array.from(a.subarray(from, to)).filter(Number.isFinite));
    // Before the drift the statistic stays in the clean series' range; in it, far out.
    expect(maxOf(out.soc_pct, 450, 500)).toBeGreaterThan(3 * maxOf(clean.soc_pct, 20, n));
    expect(maxOf(out.soc_pct, 20, 390)).toBeLessThan(2 * maxOf(clean.soc_pct, 20, n));
  });

  it('needs at least two signals', () => {
    expect(driftScores({ soc_pct: read })).toEqual({});
  });
});
