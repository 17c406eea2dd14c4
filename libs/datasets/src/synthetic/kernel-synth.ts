import { Prng } from '@fleetfm/simulator';
import { choleskyWithJitter, lowerTriangularTimes } from './cholesky';
import { KERNEL_BANK, covarianceMatrix, describeKernel, type Kernel } from './kernels';

export interface KernelSynthOptions {
  /** Series length in steps. Default 1024 (as in Chronos); cost grows as length³. */
  readonly length?: number;
  /** At most this many bank kernels are combined. Default 5. */
  readonly maxKernels?: number;
  /** Default `KERNEL_BANK`. */
  readonly bank?: readonly Kernel[];
  /**
   * When given, every periodic kernel picked from the bank gets one of these length scales at
   * random instead of its own (the bank's is 1). Smaller scales give sharper seasonal profiles
   * with more harmonics — a daily load curve rather than a sine. Default: the bank's own.
   */
  readonly periodicLengthScales?: readonly number[];
}

export interface SyntheticSeries {
  readonly values: Float32Array;
  readonly kernel: Kernel;
  /** `describeKernel(kernel)`. */
  readonly description: string;
  /** Diagonal jitter the Cholesky needed (0 if none). */
  readonly jitter: number;
}

/** A random KernelSynth kernel: 1…maxKernels bank kernels (with replacement) joined by random + or ×. */
export function randomKernel(
  prng: Prng,
  maxKernels = 5,
  bank: readonly Kernel[] = KERNEL_BANK,
  periodicLengthScales?: readonly number[],
): Kernel {
  const pick = (): Kernel => {
    const k = prng.pick(bank);
    if (k.kind !== 'periodic' || !periodicLengthScales?.length) return k;
    return { ...k, lengthScale: prng.pick(periodicLengthScales) };
  };
  const count = 1 + prng.int(maxKernels);
  let kernel = pick();
  for (let i = 1; i < count; i++) {
    const right = pick();
    kernel = prng.chance(0.5)
      ? { kind: 'sum', left: kernel, right }
      : { kind: 'product', left: kernel, right };
  }
  return kernel;
}

/**
 * Relative diagonal jitter a KernelSynth draw starts from: most bank mixtures are numerically
 * singular and need about this much, so starting here saves a failed factorisation per series
 * while adding noise of only 1e-4 of the signal's standard deviation.
 */
export const KERNEL_SYNTH_JITTER = 1e-8;

/** One draw from the zero-mean GP prior with this kernel: L·z with K + εI = L·Lᵀ, z ~ N(0, I). */
export function sampleGaussianProcess(
  kernel: Kernel,
  length: number,
  prng: Prng,
  firstRelativeJitter = KERNEL_SYNTH_JITTER,
): { values: Float32Array; jitter: number } {
  const { factor, jitter } = choleskyWithJitter(
    covarianceMatrix(kernel, length),
    length,
    firstRelativeJitter,
  );
  const z = new Float64Array(length);
  for (let i = 0; i < length; i++) z[i] = prng.normal();
  return { jitter, values: Float32Array.from(lowerTriangularTimes(factor, length, z)) };
}

/** One KernelSynth series drawn with `prng`. */
export function sampleKernelSynth(prng: Prng, options: KernelSynthOptions = {}): SyntheticSeries {
  const length = options.length ?? 1024;
  const kernel = randomKernel(
    prng,
    options.maxKernels ?? 5,
    options.bank ?? KERNEL_BANK,
    options.periodicLengthScales,
  );
  const { values, jitter } = sampleGaussianProcess(kernel, length, prng);
  return { description: describeKernel(kernel), jitter, kernel, values };
}

/**
 * `count` KernelSynth series. Series i is drawn from its own stream forked from (seed, i), so it
 * is the same whether 10 or 10 000 are generated and whichever are skipped.
 */
export function* kernelSynthSeries(
  seed: number,
  count: number,
  options: KernelSynthOptions = {},
): Generator<SyntheticSeries> {
  const root = new Prng(seed);
  for (let i = 0; i < count; i++) yield sampleKernelSynth(root.fork('kernel-synth', i), options);
}
