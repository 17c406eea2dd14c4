import * as tf from '@tensorflow/tfjs';
import { FleetLayer, requirePositiveInt, type LayerArgs } from '../layers/fleet-layer';
import { Linear } from '../layers/linear.layer';
import type { PatchModel, PatchModelInputs } from '../patch-model';
import { STYLE_FEATURE_DIM } from './style-features';

export interface StyleHeadArgs extends LayerArgs {
  /** Scale-aware statistics per window (`styleFeatures`). Default STYLE_FEATURE_DIM. */
  readonly featureDim?: number;
  /** Size of the pooled encoder state (the model's dModel). Required. */
  readonly pooledDim: number;
  /** The model's signal vocabulary (features are standardised per signal id). Required. */
  readonly numSignals: number;
  /** Hidden units of the MLP. Default 128. */
  readonly hiddenDim?: number;
  /** Output size. Default 32. */
  readonly embeddingDim?: number;
  /** Standardised features are clipped to ±this (robust to odd user data). Default 6. */
  readonly clip?: number;
}

/** Standardised features beyond ±clip are clipped. */
export type StyleHeadConfig = Required<StyleHeadArgs>;

/**
 * Scale-aware driver-style head. The encoder sees instance-normalised windows (shapes only); this
 * head adds what normalisation removes: per window it takes the raw window's statistics
 * (`styleFeatures`: levels, step and curvature distributions, plateaus, quantisation), standardises
 * them per signal id with statistics fitted on the training fleet, concatenates the pooled encoder
 * state and a one-hot of the signal id, and maps them through a two-layer MLP to an L2-normalised
 * embedding. A segment's (or driver's) embedding is the mean of its windows'.
 */
export class StyleHead extends FleetLayer {
  static readonly className = 'FleetFM>StyleHead';
  readonly config: StyleHeadConfig;
  private readonly hidden: Linear;
  private readonly output: Linear;
  private featureMean?: tf.Variable;
  private featureStd?: tf.Variable;

  constructor(args: StyleHeadArgs) {
    super(args.seed ?? 0);
    const c: StyleHeadConfig = {
      clip: args.clip ?? 6,
      embeddingDim: requirePositiveInt('StyleHead', 'embeddingDim', args.embeddingDim ?? 32),
      featureDim: requirePositiveInt(
        'StyleHead',
        'featureDim',
        args.featureDim ?? STYLE_FEATURE_DIM,
      ),
      hiddenDim: requirePositiveInt('StyleHead', 'hiddenDim', args.hiddenDim ?? 128),
      numSignals: requirePositiveInt('StyleHead', 'numSignals', args.numSignals),
      pooledDim: requirePositiveInt('StyleHead', 'pooledDim', args.pooledDim),
      seed: args.seed ?? 0,
    };
    if (!(c.clip > 0)) throw new Error(`StyleHead: clip must be > 0, got ${c.clip}`);
    this.config = c;
    const inputDim = c.featureDim + c.pooledDim + c.numSignals;
    this.hidden = this.addChild(
      'hidden',
      new Linear({ inputDim, seed: c.seed * 10 + 1, units: c.hiddenDim }),
    );
    this.output = this.addChild(
      'output',
      new Linear({ inputDim: c.hiddenDim, seed: c.seed * 10 + 2, units: c.embeddingDim }),
    );
  }

  protected buildWeights(): void {
    const c = this.config;
    this.featureMean = this.addWeight('featureMean', [c.numSignals, c.featureDim], 'zeros');
    this.featureStd = this.addWeight('featureStd', [c.numSignals, c.featureDim], 'ones');
  }

  /** The MLP's weights (what training updates; the standardisation is fitted, not learned). */
  trainableWeights(): tf.Variable[] {
    return this.namedWeights()
      .filter((w) => !w.name.startsWith('feature'))
      .map((w) => w.variable);
  }

  /**
   * Sets the per-signal standardisation: mean and std [numSignals · featureDim] row-major. Stds
   * below 1e-3 become 1 (a feature constant on the training fleet carries no information).
   */
  setStandardisation(mean: Float32Array, std: Float32Array): void {
    this.build();
    const c = this.config;
    const n = c.numSignals * c.featureDim;
    if (mean.length !== n || std.length !== n) {
      throw new Error(
        `StyleHead: standardisation needs ${n} values, got ${mean.length}/${std.length}`,
      );
    }
    const safe = Float32Array.from(std, (s) => (s > 1e-3 ? s : 1));
    tf.tidy(() => {
      (this.featureMean as tf.Variable).assign(tf.tensor2d(mean, [c.numSignals, c.featureDim]));
      (this.featureStd as tf.Variable).assign(tf.tensor2d(safe, [c.numSignals, c.featureDim]));
    });
  }

  /**
   * features [B, featureDim] (`styleFeatures` rows), pooled [B, pooledDim], one signal id per row
   * (ids outside the vocabulary count as 0) -> L2-normalised [B, embeddingDim].
   */
  call(features: tf.Tensor2D, pooled: tf.Tensor2D, signalIds: ArrayLike<number>): tf.Tensor2D {
    this.build();
    const c = this.config;
    const b = features.shape[0];
    if (features.shape[1] !== c.featureDim || pooled.shape[0] !== b) {
      throw new Error(
        `StyleHead: expected features [B, ${c.featureDim}] and pooled [B, ${c.pooledDim}], got [${features.shape}] and [${pooled.shape}]`,
      );
    }
    if (signalIds.length !== b) throw new Error(`StyleHead: ${b} rows, ${signalIds.length} ids`);
    // Built in JS: tf.oneHot(..., 'float32') writes integer bits on the wasm backend (tfjs 4.22),
    // i.e. 1.4e-45 instead of 1.
    const hot = new Float32Array(b * c.numSignals);
    for (let i = 0; i < b; i++) {
      const id = signalIds[i];
      hot[i * c.numSignals + (Number.isInteger(id) && id >= 0 && id < c.numSignals ? id : 0)] = 1;
    }
    return tf.tidy(() => {
      const oneHot = tf.tensor2d(hot, [b, c.numSignals]);
      const m = tf.matMul(oneHot, this.featureMean as tf.Variable<tf.Rank.R2>);
      const s = tf.matMul(oneHot, this.featureStd as tf.Variable<tf.Rank.R2>);
      const z = tf.clipByValue(tf.div(tf.sub(features, m), s), -c.clip, c.clip);
      const x = tf.concat([z, pooled, oneHot], 1);
      const h = tf.relu(this.hidden.call(x));
      const e = this.output.call(h) as tf.Tensor2D;
      return tf.mul(e, tf.rsqrt(tf.add(tf.sum(tf.square(e), -1, true), 1e-12))) as tf.Tensor2D;
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...this.config };
  }
}
tf.serialization.registerClass(StyleHead);

/**
 * The style head's encoder input: the masked mean of the final token states [B, dModel] (what the
 * model's own embedding head pools), for tokenized inputs.
 */
export function pooledEncoderStates(model: PatchModel, inputs: PatchModelInputs): tf.Tensor2D {
  return tf.tidy(() => {
    const enc = model.encode(inputs);
    const [b, t, d] = enc.hidden.shape;
    const count = tf.add(tf.sum(enc.tokenMask, -1, true), 1e-6);
    const w = tf.reshape(tf.div(enc.tokenMask, count), [b, 1, t]);
    return tf.reshape(tf.matMul(w, enc.hidden), [b, d]) as tf.Tensor2D;
  });
}
