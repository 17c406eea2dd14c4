import * as tf from '@tensorflow/tfjs';
import { FleetLayer, requirePositiveInt, type LayerArgs } from './fleet-layer';
import { Linear } from './linear.layer';

export interface MultiHeadAttentionArgs extends LayerArgs {
  /** Model width. Required; divisible by numHeads. */
  readonly dModel: number;
  /** Number of heads. Default 4. */
  readonly numHeads?: number;
}

/**
 * Multi-head self-attention over a short token sequence. Query/key/value are separate
 * projections (slicing one fused output is slow on wasm); all transposes are rank 4.
 */
export class MultiHeadAttention extends FleetLayer {
  static readonly className = 'FleetFM>MultiHeadAttention';
  readonly dModel: number;
  readonly numHeads: number;
  readonly headDim: number;
  private readonly query: Linear;
  private readonly key: Linear;
  private readonly value: Linear;
  private readonly output: Linear;

  constructor(args: MultiHeadAttentionArgs) {
    super(args.seed ?? 0);
    this.dModel = requirePositiveInt('MultiHeadAttention', 'dModel', args.dModel);
    this.numHeads = requirePositiveInt('MultiHeadAttention', 'numHeads', args.numHeads ?? 4);
    if (this.dModel % this.numHeads !== 0) {
      throw new Error(
        `MultiHeadAttention: dModel (${this.dModel}) must be divisible by numHeads (${this.numHeads})`,
      );
    }
    this.headDim = this.dModel / this.numHeads;
    const d = this.dModel;
    const s = this.seed * 10;
    this.query = this.addChild('query', new Linear({ inputDim: d, seed: s + 1, units: d }));
    this.key = this.addChild('key', new Linear({ inputDim: d, seed: s + 2, units: d }));
    this.value = this.addChild('value', new Linear({ inputDim: d, seed: s + 3, units: d }));
    this.output = this.addChild('output', new Linear({ inputDim: d, seed: s + 4, units: d }));
  }

  protected buildWeights(): void {
    // All weights live in the projections.
  }

  /**
   * x: [B, T, dModel]; keyBias: optional additive bias [B, 1, 1, T] (0 for real tokens, a large
   * negative number for padding) -> [B, T, dModel].
   */
  call(x: tf.Tensor3D, keyBias?: tf.Tensor4D): tf.Tensor3D {
    this.build();
    const [b, t] = x.shape;
    const h = this.numHeads;
    const dh = this.headDim;
    return tf.tidy(() => {
      const heads = (y: tf.Tensor, perm: number[]): tf.Tensor4D =>
        tf.transpose(tf.reshape(y, [b, t, h, dh]), perm) as tf.Tensor4D;
      // Scale folded into the queries: one small multiply instead of one on the scores.
      const q = heads(tf.mul(this.query.call(x), 1 / Math.sqrt(dh)), [0, 2, 1, 3]);
      const kT = heads(this.key.call(x), [0, 2, 3, 1]);
      const v = heads(this.value.call(x), [0, 2, 1, 3]);
      let scores = tf.matMul(q, kT);
      if (keyBias) scores = tf.add(scores, keyBias);
      const context = tf.matMul(tf.softmax(scores), v);
      const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [b, t, this.dModel]);
      return this.output.call(merged) as tf.Tensor3D;
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { dModel: this.dModel, numHeads: this.numHeads, seed: this.seed };
  }
}
tf.serialization.registerClass(MultiHeadAttention);
