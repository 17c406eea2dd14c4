import { Prng } from '@fleetfm/simulator';
import { cholesky, choleskyWithJitter, lowerTriangularTimes } from './cholesky';
import { kernelSynthSeries, randomKernel, sampleGaussianProcess } from './kernel-synth';
import { KERNEL_BANK, covarianceMatrix, describeKernel, type Kernel } from './kernels';

function autocorrelation(values: Float32Array, lag: number): number {
  const n = values.length;
  let mean = 0;
  for (const v of values) mean += v / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    den += (values[i] - mean) ** 2;
    if (i + lag < n) num += (values[i] - mean) * (values[i + lag] - mean);
  }
  return num / den;
}

describe('cholesky', () => {
  it('factors the textbook SPD matrix exactly', () => {
    const a = Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]);
    expect(Array.from(cholesky(a, 3) ?? [])).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
  });

  it('returns null for an indefinite matrix', () => {
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBeNull();
  });

  it('adds the smallest jitter that works to a singular matrix', () => {
    const { factor, jitter } = choleskyWithJitter(Float64Array.from([1, 1, 1, 1]), 2);
    expect(jitter).toBe(1e-8);
    // L·Lᵀ = A + εI: l00² = 1 + ε, l10·l00 = 1, l10² + l11² = 1 + ε.
    expect(factor[0] ** 2).toBeCloseTo(1 + 1e-8, 12);
    expect(factor[2] * factor[0]).toBeCloseTo(1, 12);
    expect(factor[2] ** 2 + factor[3] ** 2).toBeCloseTo(1 + 1e-8, 12);
  });

  it('starts the jitter ladder where asked, relative to the mean diagonal', () => {
    const a = Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]);
    expect(choleskyWithJitter(a, 3, 1e-6).jitter).toBeCloseTo((139 / 3) * 1e-6, 18);
    expect(choleskyWithJitter(a, 3).jitter).toBe(0);
  });

  it('multiplies by a lower-triangular factor', () => {
    const l = Float64Array.from([2, 0, 0, 6, 1, 0, -8, 5, 3]);
    expect(Array.from(lowerTriangularTimes(l, 3, [1, 1, 1]))).toEqual([2, 7, 0]);
  });
});

describe('kernels', () => {
  it.each<[string, Kernel, number, number, number, number]>([
    ['rbf', { kind: 'rbf', lengthScale: 0.5 }, 4, 0, 1, Math.exp(-0.125)],
    [
      'periodic half period',
      { kind: 'periodic', lengthScale: 1, period: 4 },
      8,
      0,
      2,
      Math.exp(-2),
    ],
    ['periodic full period', { kind: 'periodic', lengthScale: 1, period: 4 }, 8, 1, 5, 1],
    [
      'rational quadratic',
      { alpha: 1, kind: 'rational-quadratic', lengthScale: 1 },
      2,
      0,
      1,
      1 / 1.125,
    ],
    ['linear', { kind: 'linear', sigma0: 1 }, 2, 1, 1, 1.25],
    ['white off-diagonal', { kind: 'white', noise: 0.1 }, 3, 0, 1, 0],
    ['white diagonal', { kind: 'white', noise: 0.1 }, 3, 2, 2, 0.1],
    [
      'sum of product',
      {
        kind: 'sum',
        left: {
          kind: 'product',
          left: { kind: 'constant', value: 2 },
          right: { kind: 'white', noise: 3 },
        },
        right: { kind: 'constant', value: 1 },
      },
      2,
      1,
      1,
      7,
    ],
  ])('%s: K[%#] closed form', (_name, kernel, n, i, j, expected) => {
    expect(covarianceMatrix(kernel, n)[i * n + j]).toBeCloseTo(expected, 12);
  });

  it('describes a composite kernel', () => {
    const kernel: Kernel = {
      kind: 'sum',
      left: {
        kind: 'product',
        left: { kind: 'periodic', lengthScale: 1, period: 24 },
        right: { kind: 'rbf', lengthScale: 0.1 },
      },
      right: { kind: 'linear', sigma0: 1 },
    };
    expect(describeKernel(kernel)).toBe('((Periodic(24) * RBF(0.1)) + Linear(1))');
  });

  it('has a bank with periods of 24, 48, 96 and 168 steps and every kernel family', () => {
    const periods = KERNEL_BANK.flatMap((k) => (k.kind === 'periodic' ? [k.period] : []));
    expect(periods).toEqual(expect.arrayContaining([24, 48, 96, 168]));
    expect(new Set(KERNEL_BANK.map((k) => k.kind))).toEqual(
      new Set(['periodic', 'linear', 'rbf', 'rational-quadratic', 'white', 'constant']),
    );
  });
});

describe('KernelSynth', () => {
  it('combines 1 to 5 bank kernels', () => {
    const prng = new Prng(3);
    const leaves = (k: Kernel): number =>
      k.kind === 'sum' || k.kind === 'product' ? leaves(k.left) + leaves(k.right) : 1;
    const counts = new Set(Array.from({ length: 200 }, () => leaves(randomKernel(prng))));
    expect(counts).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it('gives periodic leaves the requested length scales, and leaves draws alone without them', () => {
    const periodicScales = (k: Kernel): number[] =>
      k.kind === 'sum' || k.kind === 'product'
        ? [...periodicScales(k.left), ...periodicScales(k.right)]
        : k.kind === 'periodic'
          ? [k.lengthScale]
          : [];
    const plain = Array.from({ length: 300 }, (_, i) => randomKernel(new Prng(i)));
    const sharp = Array.from({ length: 300 }, (_, i) =>
      randomKernel(new Prng(i), 5, KERNEL_BANK, [0.5, 0.25]),
    );
    expect(new Set(plain.flatMap(periodicScales))).toEqual(new Set([1]));
    expect(new Set(sharp.flatMap(periodicScales))).toEqual(new Set([0.5, 0.25]));
    // Without scales the draw is the one it always was (existing corpora stay reproducible).
    expect(randomKernel(new Prng(5), 5, KERNEL_BANK, [])).toEqual(randomKernel(new Prng(5)));
    expect(describeKernel({ kind: 'periodic', lengthScale: 0.25, period: 24 })).toBe(
      'Periodic(24, 0.25)',
    );
  });

  it('draws sharper seasonal profiles with a smaller periodic length scale', () => {
    // The share of a period-24 draw's power above the 2nd harmonic: the load-curve-like detail.
    const highHarmonics = (lengthScale: number): number => {
      const { values } = sampleGaussianProcess(
        { kind: 'periodic', lengthScale, period: 24 },
        240,
        new Prng(4),
      );
      let total = 0;
      let high = 0;
      for (let k = 1; k <= 12; k++) {
        let re = 0;
        let im = 0;
        for (let t = 0; t < values.length; t++) {
          re += values[t] * Math.cos((2 * Math.PI * k * t) / 24);
          im += values[t] * Math.sin((2 * Math.PI * k * t) / 24);
        }
        total += re * re + im * im;
        if (k > 2) high += re * re + im * im;
      }
      return high / total;
    };
    // Expected shares from the kernel's Bessel-function spectrum: ≈ 0.03 at scale 1, ≈ 0.6 at 0.25.
    expect(highHarmonics(1)).toBeLessThan(0.1);
    expect(highHarmonics(0.25)).toBeGreaterThan(0.3);
  });

  it('is reproducible with a seed, of the requested length, and finite', () => {
    const a = [...kernelSynthSeries(42, 4, { length: 96 })];
    const b = [...kernelSynthSeries(42, 4, { length: 96 })];
    const c = [...kernelSynthSeries(43, 4, { length: 96 })];
    expect(a.map((s) => s.description)).toEqual(b.map((s) => s.description));
    a.forEach((s, i) => {
      expect(s.values).toHaveLength(96);
      expect(s.values.every(Number.isFinite)).toBe(true);
      expect(s.values).toEqual(b[i].values);
    });
    expect(a.map((s) => Array.from(s.values))).not.toEqual(c.map((s) => Array.from(s.values)));
  });

  it('keeps series i the same whatever the count', () => {
    const few = [...kernelSynthSeries(7, 2, { length: 64 })];
    const more = [...kernelSynthSeries(7, 3, { length: 64 })];
    expect(more[1].values).toEqual(few[1].values);
  });

  it("shows a periodic kernel's period as an autocorrelation peak", () => {
    const { values } = sampleGaussianProcess(
      { kind: 'periodic', lengthScale: 1, period: 24 },
      240,
      new Prng(1),
    );
    const peak = autocorrelation(values, 24);
    expect(peak).toBeGreaterThan(0.85);
    for (const lag of [6, 12, 18]) expect(autocorrelation(values, lag)).toBeLessThan(peak - 0.2);
  });

  it('draws white noise with the kernel variance', () => {
    const { values, jitter } = sampleGaussianProcess(
      { kind: 'white', noise: 4 },
      400,
      new Prng(9),
      0,
    );
    expect(jitter).toBe(0);
    const variance = values.reduce((s, v) => s + v * v, 0) / values.length;
    // 400 draws: the sample variance has sd 4·sqrt(2/400) ≈ 0.28.
    expect(variance).toBeGreaterThan(4 - 1);
    expect(variance).toBeLessThan(4 + 1);
  });
});
