import { ValidationError } from '@fleetfm/domain';

export interface PatchModelArgs {
  /** Context steps per series; a multiple of patchLength. Default 512. */
  readonly contextLength?: number;
  /** Steps per token. Default 16. */
  readonly patchLength?: number;
  /** Model width. Default 128. */
  readonly dModel?: number;
  /** Transformer blocks. Default 3. */
  readonly numLayers?: number;
  /** Attention heads. Default 4. */
  readonly numHeads?: number;
  /** Feed-forward hidden width. Default 512. */
  readonly ffnDim?: number;
  /** Steps forecast in one pass. Default 64. */
  readonly horizon?: number;
  /** Quantile levels of the forecast head, ascending in (0, 1). Default 0.1 … 0.9 (9 levels). */
  readonly quantiles?: readonly number[];
  /** Size of the signal/channel-id vocabulary (id 0 = unknown). Default 16. */
  readonly numSignals?: number;
  /** Width of the pooled, L2-normalised window embedding. Default 64. */
  readonly embeddingDim?: number;
  /** Seed for weight initialisation. Default 42. */
  readonly seed?: number;
}

export type PatchModelConfig = Required<PatchModelArgs>;

export const DEFAULT_QUANTILES: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** ≈3.0M parameters, 45.6 MFLOP per series forward. */
export const DEFAULT_MODEL_ARGS: PatchModelConfig = {
  contextLength: 512,
  dModel: 128,
  embeddingDim: 64,
  ffnDim: 512,
  horizon: 64,
  numHeads: 4,
  numLayers: 3,
  numSignals: 16,
  patchLength: 16,
  quantiles: DEFAULT_QUANTILES,
  seed: 42,
};

/** A few thousand parameters, for unit tests. */
export const TINY_MODEL_ARGS: PatchModelConfig = {
  contextLength: 32,
  dModel: 16,
  embeddingDim: 8,
  ffnDim: 32,
  horizon: 8,
  numHeads: 2,
  numLayers: 2,
  numSignals: 4,
  patchLength: 8,
  quantiles: [0.1, 0.5, 0.9],
  seed: 7,
};

function positiveInt(field: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) {
    throw new ValidationError(`PatchModel: ${field} must be a positive integer, got ${v}`);
  }
}

/** Fills defaults and validates; throws ValidationError naming the bad field. */
export function resolveModelConfig(args: PatchModelArgs = {}): PatchModelConfig {
  const c: PatchModelConfig = {
    ...DEFAULT_MODEL_ARGS,
    ...Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)),
  };
  for (const field of [
    'contextLength',
    'patchLength',
    'dModel',
    'numLayers',
    'numHeads',
    'ffnDim',
    'horizon',
    'numSignals',
    'embeddingDim',
  ] as const) {
    positiveInt(field, c[field]);
  }
  if (c.contextLength % c.patchLength !== 0) {
    throw new ValidationError(
      `PatchModel: contextLength (${c.contextLength}) must be a multiple of patchLength (${c.patchLength})`,
    );
  }
  if (c.dModel % c.numHeads !== 0) {
    throw new ValidationError(
      `PatchModel: dModel (${c.dModel}) must be divisible by numHeads (${c.numHeads})`,
    );
  }
  const q = c.quantiles;
  if (q.length === 0 || q.some((v, i) => !(v > 0 && v < 1) || (i > 0 && v <= q[i - 1]))) {
    throw new ValidationError(
      `PatchModel: quantiles must be strictly ascending in (0, 1), got [${q.join(', ')}]`,
    );
  }
  if (!Number.isInteger(c.seed)) throw new ValidationError(`PatchModel: seed must be an integer`);
  return { ...c, quantiles: [...q] };
}

/** Analytic forward FLOPs per series (multiply-add = 2), for throughput reports. */
export function forwardFlopsPerSeries(c: PatchModelConfig): number {
  const t = c.contextLength / c.patchLength;
  const d = c.dModel;
  const embed = 2 * t * (2 * c.patchLength * d * 2 + d * d);
  const block = 2 * t * (4 * d * d + 2 * d * c.ffnDim) + 2 * 2 * t * t * d;
  const head = 2 * t * d * c.horizon * c.quantiles.length;
  const pool = 2 * d * c.embeddingDim;
  return embed + c.numLayers * block + head + pool;
}
