import * as tf from '@tensorflow/tfjs';
import { FleetLayer, requirePositiveInt, type LayerArgs } from '../layers/fleet-layer';
import { Linear } from '../layers/linear.layer';
import { SEGMENT_STYLE_VECTOR_DIM } from './style-segment-vector';

export interface SegmentStyleHeadArgs extends LayerArgs {
  /** Statistics per segment (`segmentStyleVector`). Default SEGMENT_STYLE_VECTOR_DIM. */
  readonly featureDim?: number;
  /** Hidden units of the MLP. Default 128. */
  readonly hiddenDim?: number;
  /** Output size. Default 32. */
  readonly embeddingDim?: number;
  /** Standardised features are clipped to ±this (robust to odd user data). Default 6. */
  readonly clip?: number;
}

export type SegmentStyleHeadConfig = Required<SegmentStyleHeadArgs>;

/** A batch of segment statistics ready for the head: NaN replaced by 0 and flagged in `missing`. */
export interface SegmentHeadInput {
  readonly rows: number;
  readonly values: Float32Array;
  readonly missing: Float32Array;
}

/** Packs `segmentStyleVector` rows (NaN = no support in the segment) for `SegmentStyleHead`. */
export function segmentHeadInput(
  vectors: readonly ArrayLike<number>[],
  dim: number,
): SegmentHeadInput {
  const values = new Float32Array(vectors.length * dim);
  const missing = new Float32Array(vectors.length * dim);
  vectors.forEach((v, r) => {
    if (v.length !== dim)
      throw new Error(`SegmentStyleHead: a row has ${v.length} values, expected ${dim}`);
    for (let j = 0; j < dim; j++) {
      const x = v[j];
      if (Number.isFinite(x)) values[r * dim + j] = x;
      else missing[r * dim + j] = 1;
    }
  });
  return { missing, rows: vectors.length, values };
}

/**
 * Segment-level driver-style head: one embedding per multi-channel driving segment. It reads the
 * segment's cross-channel statistics (`segmentStyleVector`: conditional levels, event-aligned
 * pedal and acceleration profiles), standardises them with statistics fitted on the training
 * fleet (a missing statistic becomes the mean, and a missing-flag input says so), and maps them
 * through a two-layer MLP to an L2-normalised embedding. It does not read the encoder, so it is
 * valid with any checkpoint.
 */
export class SegmentStyleHead extends FleetLayer {
  static readonly className = 'FleetFM>SegmentStyleHead';
  readonly config: SegmentStyleHeadConfig;
  private readonly hidden: Linear;
  private readonly output: Linear;
  private featureMean?: tf.Variable;
  private featureStd?: tf.Variable;

  constructor(args: SegmentStyleHeadArgs = {}) {
    super(args.seed ?? 0);
    const name = 'SegmentStyleHead';
    const c: SegmentStyleHeadConfig = {
      clip: args.clip ?? 6,
      embeddingDim: requirePositiveInt(name, 'embeddingDim', args.embeddingDim ?? 32),
      featureDim: requirePositiveInt(
        name,
        'featureDim',
        args.featureDim ?? SEGMENT_STYLE_VECTOR_DIM,
      ),
      hiddenDim: requirePositiveInt(name, 'hiddenDim', args.hiddenDim ?? 128),
      seed: args.seed ?? 0,
    };
    if (!(c.clip > 0)) throw new Error(`${name}: clip must be > 0, got ${c.clip}`);
    this.config = c;
    this.hidden = this.addChild(
      'hidden',
      new Linear({ inputDim: 2 * c.featureDim, seed: c.seed * 10 + 1, units: c.hiddenDim }),
    );
    this.output = this.addChild(
      'output',
      new Linear({ inputDim: c.hiddenDim, seed: c.seed * 10 + 2, units: c.embeddingDim }),
    );
  }

  protected buildWeights(): void {
    const c = this.config;
    this.featureMean = this.addWeight('featureMean', [1, c.featureDim], 'zeros');
    this.featureStd = this.addWeight('featureStd', [1, c.featureDim], 'ones');
  }

  /** The MLP's weights (the standardisation is fitted, not learned). */
  trainableWeights(): tf.Variable[] {
    return this.namedWeights()
      .filter((w) => !w.name.startsWith('feature'))
      .map((w) => w.variable);
  }

  /** Sets the standardisation (featureDim values each); stds below 1e-6 become 1. */
  setStandardisation(mean: ArrayLike<number>, std: ArrayLike<number>): void {
    this.build();
    const d = this.config.featureDim;
    if (mean.length !== d || std.length !== d) {
      throw new Error(
        `SegmentStyleHead: standardisation needs ${d} values, got ${mean.length}/${std.length}`,
      );
    }
    const safe = Float32Array.from(std, (s) => (s > 1e-6 ? s : 1));
    tf.tidy(() => {
      (this.featureMean as tf.Variable).assign(tf.tensor2d(Float32Array.from(mean), [1, d]));
      (this.featureStd as tf.Variable).assign(tf.tensor2d(safe, [1, d]));
    });
  }

  /** A packed batch -> L2-normalised [rows, embeddingDim]. */
  call(input: SegmentHeadInput): tf.Tensor2D {
    this.build();
    const c = this.config;
    const shape: [number, number] = [input.rows, c.featureDim];
    if (input.values.length !== input.rows * c.featureDim) {
      throw new Error(
        `SegmentStyleHead: expected ${input.rows} × ${c.featureDim} values, got ${input.values.length}`,
      );
    }
    return tf.tidy(() => {
      const missing = tf.tensor2d(input.missing, shape);
      const z = tf.clipByValue(
        tf.div(
          tf.sub(tf.tensor2d(input.values, shape), this.featureMean as tf.Variable),
          this.featureStd as tf.Variable,
        ),
        -c.clip,
        c.clip,
      );
      const x = tf.concat([tf.mul(z, tf.sub(1, missing)), missing], 1);
      const h = tf.relu(this.hidden.call(x));
      const e = this.output.call(h) as tf.Tensor2D;
      return tf.mul(e, tf.rsqrt(tf.add(tf.sum(tf.square(e), -1, true), 1e-12))) as tf.Tensor2D;
    });
  }

  /** Embeddings of `segmentStyleVector` rows, read back. */
  embed(vectors: readonly ArrayLike<number>[]): Float32Array[] {
    if (vectors.length === 0) return [];
    const out = this.call(segmentHeadInput(vectors, this.config.featureDim));
    const data = out.dataSync() as Float32Array;
    out.dispose();
    const d = this.config.embeddingDim;
    return vectors.map((_, r) => data.slice(r * d, (r + 1) * d));
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...this.config };
  }
}
tf.serialization.registerClass(SegmentStyleHead);
