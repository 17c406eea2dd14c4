import { ValidationError } from '@fleetfm/domain';

export interface QuantizerArgs {
  /** Vocabulary size including the special tokens. Default 4096 (Chronos). */
  readonly vocabSize?: number;
  /** Lowest bin centre in mean-scaled units. Default -15. */
  readonly low?: number;
  /** Highest bin centre in mean-scaled units. Default 15. */
  readonly high?: number;
}

export interface QuantizedSeries {
  readonly tokens: Int32Array;
  /** Mean of |x| over observed values (1 when that is 0 or nothing was observed). */
  readonly scale: number;
}

/** Token for a gap (NaN) or padding. */
export const PAD_TOKEN = 0;
/** End-of-sequence token (reserved, as in Chronos). */
export const EOS_TOKEN = 1;
const NUM_SPECIAL = 2;

/**
 * Chronos-style quantiser: divide by the mean absolute value of the context, then map to the
 * nearest of `vocabSize - 2` uniformly spaced bin centres in [low, high] (values beyond are
 * clamped to the edge bins). Decoding returns the bin centre times the scale, so the round-trip
 * error is at most half a bin width times the scale inside [low, high].
 */
export class MeanScaleQuantizer {
  readonly vocabSize: number;
  readonly low: number;
  readonly high: number;
  readonly numBins: number;
  readonly binWidth: number;

  constructor(args: QuantizerArgs = {}) {
    this.vocabSize = args.vocabSize ?? 4096;
    this.low = args.low ?? -15;
    this.high = args.high ?? 15;
    if (!Number.isInteger(this.vocabSize) || this.vocabSize < NUM_SPECIAL + 2) {
      throw new ValidationError(`vocabSize must be an integer >= 4, got ${this.vocabSize}`);
    }
    if (!(this.high > this.low)) {
      throw new ValidationError(`high (${this.high}) must be greater than low (${this.low})`);
    }
    this.numBins = this.vocabSize - NUM_SPECIAL;
    this.binWidth = (this.high - this.low) / (this.numBins - 1);
  }

  encode(values: Float32Array, scale?: number): QuantizedSeries {
    const s = scale ?? meanAbsScale(values);
    const tokens = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) {
        tokens[i] = PAD_TOKEN;
        continue;
      }
      const bin = Math.round((v / s - this.low) / this.binWidth);
      tokens[i] = NUM_SPECIAL + Math.min(this.numBins - 1, Math.max(0, bin));
    }
    return { tokens, scale: s };
  }

  /** Bin centres times scale; special tokens decode to NaN. */
  decode(tokens: Int32Array, scale: number): Float32Array {
    const out = new Float32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      out[i] =
        t < NUM_SPECIAL || t >= this.vocabSize
          ? Number.NaN
          : (this.low + (t - NUM_SPECIAL) * this.binWidth) * scale;
    }
    return out;
  }
}

/** Mean |x| over finite values; 1 for an all-zero or all-NaN series (no division by zero). */
export function meanAbsScale(values: Float32Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      sum += Math.abs(v);
      n++;
    }
  }
  const s = n > 0 ? sum / n : 0;
  return s > 0 ? s : 1;
}
