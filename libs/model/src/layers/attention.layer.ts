import * as tf from '@tensorflow/tfjs';
import { FleetLayer, requirePositiveInt, type LayerArgs } from './fleet-layer';
import { smallBatchMatMul } from '../kernels/batched-matmul.kernel';
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
      // [B, T, dModel] -> [B·H, T, dh]: one rank-4 transpose per projection.
      const heads = (y: tf.Tensor): tf.Tensor3D =>
        tf.reshape(tf.transpose(tf.reshape(y, [b, t, h, dh]), [0, 2, 1, 3]), [b * h, t, dh]);
      // Scale folded into the queries: one small multiply instead of one on the scores.
      const q = heads(tf.mul(this.query.call(x), 1 / Math.sqrt(dh)));
      const k = heads(this.key.call(x));
      const v = heads(this.value.call(x));
      // Batched matMuls of [T, T] / [T, dh] matrices: a SIMD kernel on wasm (stock is ~1 GFLOP/s).
      let scores: tf.Tensor = smallBatchMatMul(q, k, false, true);
      if (keyBias) scores = tf.add(tf.reshape(scores, [b, h, t, t]), keyBias);
      const probs = tf.reshape(tf.softmax(scores), [b * h, t, t]) as tf.Tensor3D;
      const context = tf.reshape(smallBatchMatMul(probs, v), [b, h, t, dh]);
      const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [b, t, this.dModel]);
      return this.output.call(merged) as tf.Tensor3D;
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { dModel: this.dModel, numHeads: this.numHeads, seed: this.seed };
  }
}
tf.serialization.registerClass(MultiHeadAttention);
