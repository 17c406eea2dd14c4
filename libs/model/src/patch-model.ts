import * as tf from '@tensorflow/tfjs';
import { applyDropout, dropoutAt, type Dropout } from './layers/dropout';
import { FleetLayer } from './layers/fleet-layer';
import { LayerNorm } from './layers/layer-norm.layer';
import { Linear } from './layers/linear.layer';
import { addRow, linearOfData } from './layers/ops';
import { PatchEmbedding } from './layers/patch-embedding.layer';
import { TransformerBlock } from './layers/transformer-block.layer';
import {
  resolveModelConfig,
  type PatchModelArgs,
  type PatchModelConfig,
} from './patch-model.config';

/** Model inputs for a batch of B channels (already tokenized: normalised, padded, masked). */
export interface PatchModelInputs {
  /** Normalised context values [B, contextLength]; gaps and padding 0. */
  readonly values: tf.Tensor2D;
  /** Observation mask [B, contextLength]: 1 observed, 0 gap/padding. */
  readonly mask: tf.Tensor2D;
  /** Signal id per channel (0 = unknown), length B, each < numSignals. */
  readonly signalIds: Int32Array;
}

/** Encoder output: token states after the final layer norm, and which tokens hold data. */
export interface Encoded {
  readonly hidden: tf.Tensor3D;
  readonly tokenMask: tf.Tensor2D;
}

/** Added to attention scores of fully padded tokens so that no query attends to them. */
const MASKED_SCORE = -1e9;

/**
 * PatchTST / Chronos-Bolt-style encoder: residual-MLP patch embedding + signal-id embedding +
 * learned positions, pre-LN transformer blocks, and two heads: direct multi-horizon quantiles
 * (flattened tokens -> horizon × quantiles, in normalised units) and a pooled L2-normalised
 * window embedding.
 */
export class PatchModel extends FleetLayer {
  static readonly className = 'FleetFM>PatchModel';
  readonly config: PatchModelConfig;
  readonly numTokens: number;
  private readonly patchEmbedding: PatchEmbedding;
  private readonly blocks: TransformerBlock[];
  private readonly finalNorm: LayerNorm;
  private readonly quantileHead: Linear;
  private readonly embeddingHead: Linear;
  private signalTable?: tf.Variable;
  private positions?: tf.Variable;

  constructor(args: PatchModelArgs = {}) {
    const config = resolveModelConfig(args);
    super(config.seed);
    this.config = config;
    const c = config;
    this.numTokens = c.contextLength / c.patchLength;
    const s = c.seed * 100;
    this.patchEmbedding = this.addChild(
      'patchEmbedding',
      new PatchEmbedding({ dModel: c.dModel, patchLength: c.patchLength, seed: s + 1 }),
    );
    this.blocks = Array.from({ length: c.numLayers }, (_, i) =>
      this.addChild(
        `blocks.${i}`,
        new TransformerBlock({
          dModel: c.dModel,
          ffnDim: c.ffnDim,
          numHeads: c.numHeads,
          seed: s + 10 + i,
        }),
      ),
    );
    this.finalNorm = this.addChild('finalNorm', new LayerNorm({ dim: c.dModel }));
    this.quantileHead = this.addChild(
      'quantileHead',
      new Linear({
        inputDim: this.numTokens * c.dModel,
        seed: s + 2,
        units: c.horizon * c.quantiles.length,
      }),
    );
    this.embeddingHead = this.addChild(
      'embeddingHead',
      new Linear({ inputDim: c.dModel, seed: s + 3, units: c.embeddingDim }),
    );
  }

  protected buildWeights(): void {
    const c = this.config;
    this.signalTable = this.addWeight('signalTable', [c.numSignals, c.dModel], { normal: 0.02 });
    this.positions = this.addWeight('positions', [this.numTokens, c.dModel], { normal: 0.02 });
  }

  /**
   * Token states [B, T, dModel] and token mask [B, T] (1 if the patch has any observation).
   * `dropout` (training only) drops each block's attention and feed-forward outputs.
   */
  encode(inputs: PatchModelInputs, dropout?: Dropout): Encoded {
    this.build();
    const c = this.config;
    const b = inputs.values.shape[0];
    const t = this.numTokens;
    this.checkInputs(inputs);
    // One-hot rows built on the host: tf.oneHot(..., 'float32') writes the integer bit pattern
    // on the wasm backend (tfjs 4.22), i.e. 1.4e-45 instead of 1, which silently zeroed the
    // signal embedding and its gradient.
    const hot = new Float32Array(b * t * c.numSignals);
    inputs.signalIds.forEach((id, i) => {
      for (let k = i * t; k < (i + 1) * t; k++) hot[k * c.numSignals + id] = 1;
    });
    return tf.tidy(() => {
      const values = tf.reshape(inputs.values, [b, t, c.patchLength]) as tf.Tensor3D;
      const mask = tf.reshape(inputs.mask, [b, t, c.patchLength]) as tf.Tensor3D;
      const tokenMask = tf.cast(tf.greater(tf.sum(mask, -1), 0), 'float32') as tf.Tensor2D;
      const keyBias = tf.reshape(tf.mul(tf.sub(1, tokenMask), MASKED_SCORE), [b, 1, 1, t]);
      const oneHot = tf.tensor2d(hot, [b * t, c.numSignals]);
      const signal = linearOfData(oneHot, this.signalTable as tf.Variable<tf.Rank.R2>);
      const embedded = tf.add(
        tf.reshape(this.patchEmbedding.call(values, mask), [b * t, c.dModel]),
        signal,
      );
      const positioned = addRow(
        tf.reshape(embedded, [b, t * c.dModel]) as tf.Tensor2D,
        tf.reshape(this.positions as tf.Variable, [1, t * c.dModel]) as tf.Tensor2D,
      );
      let x = tf.reshape(positioned, [b, t, c.dModel]) as tf.Tensor3D;
      this.blocks.forEach((block, i) => {
        x = block.call(x, keyBias as tf.Tensor4D, dropoutAt(dropout, i + 1));
      });
      return { hidden: this.finalNorm.call(x) as tf.Tensor3D, tokenMask };
    });
  }

  /**
   * Quantile forecast in normalised units: [B, horizon, numQuantiles]. `dropout` (training
   * only) drops the flattened token states the head reads.
   */
  forecastHead(hidden: tf.Tensor3D, dropout?: Dropout): tf.Tensor3D {
    const [b, t, d] = hidden.shape;
    const c = this.config;
    return tf.tidy(() => {
      const flat = applyDropout(tf.reshape(hidden, [b, t * d]) as tf.Tensor2D, dropout);
      return tf.reshape(this.quantileHead.call(flat), [
        b,
        c.horizon,
        c.quantiles.length,
      ]) as tf.Tensor3D;
    });
  }

  /** Masked mean over tokens -> projection -> L2 normalisation: [B, embeddingDim]. */
  embeddingHeadCall(encoded: Encoded): tf.Tensor2D {
    const [b, t, d] = encoded.hidden.shape;
    return tf.tidy(() => {
      const count = tf.add(tf.sum(encoded.tokenMask, -1, true), 1e-6);
      const weights = tf.reshape(tf.div(encoded.tokenMask, count), [b, 1, t]);
      const pooled = tf.reshape(tf.matMul(weights, encoded.hidden), [b, d]);
      const z = this.embeddingHead.call(pooled);
      return tf.mul(z, tf.rsqrt(tf.add(tf.sum(tf.square(z), -1, true), 1e-12))) as tf.Tensor2D;
    });
  }

  /**
   * Forecast in normalised units for tokenized inputs: [B, horizon, numQuantiles]. `dropout`
   * is for training steps only (see `Dropout`); inference passes none.
   */
  predictQuantiles(inputs: PatchModelInputs, dropout?: Dropout): tf.Tensor3D {
    return tf.tidy(() =>
      this.forecastHead(this.encode(inputs, dropout).hidden, dropoutAt(dropout, 0)),
    );
  }

  /** L2-normalised window embeddings [B, embeddingDim]. */
  embed(inputs: PatchModelInputs): tf.Tensor2D {
    return tf.tidy(() => this.embeddingHeadCall(this.encode(inputs)));
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...this.config, quantiles: [...this.config.quantiles] };
  }

  private checkInputs(inputs: PatchModelInputs): void {
    const c = this.config;
    const [b, l] = inputs.values.shape;
    if (l !== c.contextLength || inputs.mask.shape[0] !== b || inputs.mask.shape[1] !== l) {
      throw new Error(
        `PatchModel: expected values and mask [B, ${c.contextLength}], got [${inputs.values.shape}] and [${inputs.mask.shape}]`,
      );
    }
    if (inputs.signalIds.length !== b) {
      throw new Error(`PatchModel: expected ${b} signal ids, got ${inputs.signalIds.length}`);
    }
    for (const id of inputs.signalIds) {
      if (!Number.isInteger(id) || id < 0 || id >= c.numSignals) {
        throw new Error(`PatchModel: signal id ${id} outside [0, ${c.numSignals})`);
      }
    }
  }
}
tf.serialization.registerClass(PatchModel);
