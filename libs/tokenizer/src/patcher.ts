import { ValidationError } from '@fleetfm/domain';

/** A context cut into fixed-length patches: `values` and `mask` are [numPatches · patchLength]. */
export interface Patches {
  readonly numPatches: number;
  readonly patchLength: number;
  /** Observed values; gaps (NaN) and left padding are 0. */
  readonly values: Float32Array;
  /** 1 where a value was observed, 0 for gaps and left padding. */
  readonly mask: Float32Array;
  /** How many steps of left padding were added. */
  readonly padding: number;
}

/**
 * Cuts a series into patches of `patchLength`. With `length` the series is first cut to its last
 * `length` steps (or left-padded up to it); otherwise it is left-padded to the next multiple of the
 * patch length. Left padding keeps the most recent step at the end of the last patch, where the
 * forecast starts.
 */
export function patchify(series: Float32Array, patchLength: number, length?: number): Patches {
  if (!Number.isInteger(patchLength) || patchLength < 1) {
    throw new ValidationError(`patchLength must be a positive integer, got ${patchLength}`);
  }
  const target = length ?? Math.ceil(series.length / patchLength) * patchLength;
  if (!Number.isInteger(target) || target < 0 || target % patchLength !== 0) {
    throw new ValidationError(
      `length must be a non-negative multiple of patchLength ${patchLength}, got ${target}`,
    );
  }
  const tail = series.length > target ? series.subarray(series.length - target) : series;
  const padding = target - tail.length;
  const values = new Float32Array(target);
  const mask = new Float32Array(target);
  for (let i = 0; i < tail.length; i++) {
    const v = tail[i];
    if (Number.isFinite(v)) {
      values[padding + i] = v;
      mask[padding + i] = 1;
    }
  }
  return { numPatches: target / patchLength, patchLength, values, mask, padding };
}
