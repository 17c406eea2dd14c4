import { ValidationError } from '@fleetfm/domain';
import {
  SCALING_METHODS,
  fitInstanceScale,
  type InstanceScale,
  type ScalingMethod,
} from './instance-scaler';
import { patchify } from './patcher';

export interface PatchTokenizerArgs {
  /** Steps per patch (one token). Default 16. */
  readonly patchLength?: number;
  /** Steps of context a window is cut (or left-padded) to; a multiple of patchLength. Default 512. */
  readonly contextLength?: number;
  /** Location/scale estimator. Default 'mean-std'. */
  readonly scaling?: ScalingMethod;
  /** Relative spread below which a series counts as constant (scale 1). Default 1e-5. */
  readonly minScale?: number;
}

export type PatchTokenizerConfig = Required<PatchTokenizerArgs>;

/** One channel's context: normalised patches plus the statistics to undo the normalisation. */
export interface TokenizedSeries {
  readonly scale: InstanceScale;
  /** Normalised values, [numPatches · patchLength]; gaps and padding are 0. */
  readonly values: Float32Array;
  /** 1 for observed steps, 0 for gaps and left padding. */
  readonly mask: Float32Array;
  readonly padding: number;
}

/** A batch of channels flattened row-major: values/mask are [batch, numPatches, patchLength]. */
export interface TokenizedBatch {
  readonly batch: number;
  readonly numPatches: number;
  readonly patchLength: number;
  readonly values: Float32Array;
  readonly mask: Float32Array;
  readonly scales: readonly InstanceScale[];
}

/**
 * Instance normalisation + patching: the tokenizer in front of the patch model. Statistics are
 * taken over the observed part of the context window only, so no future value leaks into them.
 */
export class PatchTokenizer {
  readonly config: PatchTokenizerConfig;

  constructor(args: PatchTokenizerArgs = {}) {
    const config: PatchTokenizerConfig = {
      contextLength: args.contextLength ?? 512,
      minScale: args.minScale ?? 1e-5,
      patchLength: args.patchLength ?? 16,
      scaling: args.scaling ?? 'mean-std',
    };
    if (!Number.isInteger(config.patchLength) || config.patchLength < 1) {
      throw new ValidationError(
        `patchLength must be a positive integer, got ${config.patchLength}`,
      );
    }
    if (
      !Number.isInteger(config.contextLength) ||
      config.contextLength < config.patchLength ||
      config.contextLength % config.patchLength !== 0
    ) {
      throw new ValidationError(
        `contextLength must be a positive multiple of patchLength (${config.patchLength}), got ${config.contextLength}`,
      );
    }
    if (!SCALING_METHODS.includes(config.scaling)) {
      throw new ValidationError(
        `scaling must be one of ${SCALING_METHODS.map((m) => `'${m}'`).join(', ')}, got ${config.scaling}`,
      );
    }
    if (!(config.minScale >= 0)) {
      throw new ValidationError(`minScale must be >= 0, got ${config.minScale}`);
    }
    this.config = config;
  }

  get numPatches(): number {
    return this.config.contextLength / this.config.patchLength;
  }

  /** Tokenizes the last `contextLength` steps of one series (left-padded if shorter). */
  encode(series: Float32Array): TokenizedSeries {
    const { contextLength, patchLength, scaling, minScale } = this.config;
    const window =
      series.length > contextLength ? series.subarray(series.length - contextLength) : series;
    const scale = fitInstanceScale(window, scaling, minScale);
    const patches = patchify(window, patchLength, contextLength);
    const values = patches.values;
    for (let i = 0; i < values.length; i++) {
      if (patches.mask[i] === 1) values[i] = (values[i] - scale.loc) / scale.scale;
    }
    return { mask: patches.mask, padding: patches.padding, scale, values };
  }

  encodeBatch(series: readonly Float32Array[]): TokenizedBatch {
    const n = this.config.contextLength;
    const values = new Float32Array(series.length * n);
    const mask = new Float32Array(series.length * n);
    const scales: InstanceScale[] = [];
    series.forEach((s, b) => {
      const t = this.encode(s);
      values.set(t.values, b * n);
      mask.set(t.mask, b * n);
      scales.push(t.scale);
    });
    return {
      batch: series.length,
      mask,
      numPatches: this.numPatches,
      patchLength: this.config.patchLength,
      scales,
      values,
    };
  }

  /** Normalises future values with a context's statistics (training targets); NaN stays NaN. */
  scaleTarget(future: Float32Array, scale: InstanceScale): Float32Array {
    const out = new Float32Array(future.length);
    for (let i = 0; i < future.length; i++) out[i] = (future[i] - scale.loc) / scale.scale;
    return out;
  }

  /** Undoes the normalisation of model outputs: loc + scale · z. */
  decode(normalised: Float32Array, scale: InstanceScale): Float32Array {
    const out = new Float32Array(normalised.length);
    for (let i = 0; i < normalised.length; i++) out[i] = scale.loc + scale.scale * normalised[i];
    return out;
  }
}
