/**
 * Gaussian-process kernels over the step index t = 0 … n-1, as in Chronos' KernelSynth: inputs
 * are scaled to x = t / n (so length scales are fractions of the series), except the periodic
 * kernel, whose period is given in steps so that a period of 24 repeats every 24 steps.
 */
export type Kernel =
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'linear'; readonly sigma0: number }
  | { readonly kind: 'rbf'; readonly lengthScale: number }
  | { readonly kind: 'periodic'; readonly period: number; readonly lengthScale: number }
  | { readonly kind: 'rational-quadratic'; readonly alpha: number; readonly lengthScale: number }
  | { readonly kind: 'white'; readonly noise: number }
  | { readonly kind: 'sum'; readonly left: Kernel; readonly right: Kernel }
  | { readonly kind: 'product'; readonly left: Kernel; readonly right: Kernel };

/** Periods in steps from KernelSynth's bank (hourly, daily, weekly, monthly, … seasonalities). */
export const KERNEL_SYNTH_PERIODS: readonly number[] = [
  4, 6, 7, 10, 12, 14, 24, 26, 30, 40, 48, 52, 60, 96, 168, 336, 365, 672, 730,
];

/** The kernel bank of KernelSynth (Ansari et al. 2024, Chronos, appendix). */
export const KERNEL_BANK: readonly Kernel[] = [
  ...KERNEL_SYNTH_PERIODS.map((period): Kernel => ({ kind: 'periodic', lengthScale: 1, period })),
  { kind: 'linear', sigma0: 0 },
  { kind: 'linear', sigma0: 1 },
  { kind: 'linear', sigma0: 10 },
  { kind: 'rbf', lengthScale: 0.1 },
  { kind: 'rbf', lengthScale: 1 },
  { kind: 'rbf', lengthScale: 10 },
  { alpha: 0.1, kind: 'rational-quadratic', lengthScale: 1 },
  { alpha: 1, kind: 'rational-quadratic', lengthScale: 1 },
  { alpha: 10, kind: 'rational-quadratic', lengthScale: 1 },
  { kind: 'white', noise: 0.1 },
  { kind: 'white', noise: 1 },
  { kind: 'constant', value: 1 },
];

/** k(d) of a stationary leaf for a lag of d steps in a series of n; null if not stationary. */
function stationary(kernel: Kernel, d: number, n: number): number | null {
  const x = d / n;
  switch (kernel.kind) {
    case 'constant':
      return kernel.value;
    case 'rbf':
      return Math.exp(-(x * x) / (2 * kernel.lengthScale ** 2));
    case 'periodic': {
      const s = Math.sin((Math.PI * d) / kernel.period);
      return Math.exp((-2 * s * s) / kernel.lengthScale ** 2);
    }
    case 'rational-quadratic':
      return (1 + (x * x) / (2 * kernel.alpha * kernel.lengthScale ** 2)) ** -kernel.alpha;
    case 'white':
      return d === 0 ? kernel.noise : 0;
    default:
      return null;
  }
}

/** The n×n covariance matrix K[i][j] = k(tᵢ, tⱼ), row-major. */
export function covarianceMatrix(kernel: Kernel, n: number): Float64Array {
  const k = new Float64Array(n * n);
  switch (kernel.kind) {
    case 'sum':
    case 'product': {
      const a = covarianceMatrix(kernel.left, n);
      const b = covarianceMatrix(kernel.right, n);
      for (let i = 0; i < k.length; i++) k[i] = kernel.kind === 'sum' ? a[i] + b[i] : a[i] * b[i];
      return k;
    }
    case 'linear': {
      const s2 = kernel.sigma0 * kernel.sigma0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) k[i * n + j] = s2 + (i / n) * (j / n);
      }
      return k;
    }
    default: {
      // Stationary: one value per lag, then a Toeplitz fill.
      const byLag = new Float64Array(n);
      for (let d = 0; d < n; d++) byLag[d] = stationary(kernel, d, n) as number;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) k[i * n + j] = byLag[Math.abs(i - j)];
      }
      return k;
    }
  }
}

/** A readable formula, e.g. `(Periodic(24) * RBF(0.1)) + Linear(1)`; also the scenario label. */
export function describeKernel(kernel: Kernel): string {
  switch (kernel.kind) {
    case 'constant':
      return `Constant(${kernel.value})`;
    case 'linear':
      return `Linear(${kernel.sigma0})`;
    case 'rbf':
      return `RBF(${kernel.lengthScale})`;
    case 'periodic':
      return kernel.lengthScale === 1
        ? `Periodic(${kernel.period})`
        : `Periodic(${kernel.period}, ${kernel.lengthScale})`;
    case 'rational-quadratic':
      return `RQ(${kernel.alpha})`;
    case 'white':
      return `White(${kernel.noise})`;
    case 'sum':
      return `(${describeKernel(kernel.left)} + ${describeKernel(kernel.right)})`;
    case 'product':
      return `(${describeKernel(kernel.left)} * ${describeKernel(kernel.right)})`;
  }
}
