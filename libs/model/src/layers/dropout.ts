import * as tf from '@tensorflow/tfjs';
import { ValidationError } from '@fleetfm/domain';
import { Prng, deriveSeed } from '@fleetfm/simulator';

/**
 * Training-time dropout: each activation is zeroed with probability `rate` and the kept ones
 * scaled by 1 / (1 − rate), so the expected activation is unchanged and inference (no dropout)
 * needs no rescaling. The masks are a pure function of `seed` and the site, so data-parallel
 * replicas and reruns draw the same ones.
 */
export interface Dropout {
  /** Share of activations zeroed, in [0, 1). */
  readonly rate: number;
  /** Seeds the masks of one forward pass; each site derives its own stream from it. */
  readonly seed: number;
}

/** Throws ValidationError unless 0 ≤ rate < 1. */
export function checkDropoutRate(rate: number, what = 'dropout'): void {
  if (!(rate >= 0 && rate < 1)) {
    throw new ValidationError(`${what} must be in [0, 1), got ${rate}`);
  }
}

/** The dropout of a sub-site (e.g. block i's attention): same rate, its own seed. */
export function dropoutAt(d: Dropout | undefined, site: number): Dropout | undefined {
  return d && d.rate > 0 ? { rate: d.rate, seed: deriveSeed(d.seed, 'site', site) } : undefined;
}

/**
 * x with dropout applied (x itself when `d` is undefined or its rate 0). The mask is drawn on
 * the host (a few hundred thousand values per site and step, well under a millisecond each) and
 * multiplied in, so the gradient is dy · mask through the ordinary `mul`.
 */
export function applyDropout<T extends tf.Tensor>(x: T, d: Dropout | undefined): T {
  if (!d || d.rate === 0) return x;
  checkDropoutRate(d.rate);
  const keep = 1 - d.rate;
  const scale = 1 / keep;
  const mask = new Float32Array(x.size);
  const prng = new Prng(d.seed);
  for (let i = 0; i < mask.length; i++) mask[i] = prng.next() < keep ? scale : 0;
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape)) as T);
}
