import * as tf from '@tensorflow/tfjs';
import { MultiHeadAttention } from './attention.layer';
import { applyDropout, dropoutAt, type Dropout } from './dropout';
import { FleetLayer, requirePositiveInt, type LayerArgs } from './fleet-layer';
import { LayerNorm } from './layer-norm.layer';
import { Linear } from './linear.layer';
import { gelu } from './ops';

export interface TransformerBlockArgs extends LayerArgs {
  /** Model width. Required. */
  readonly dModel: number;
  /** Attention heads. Default 4. */
  readonly numHeads?: number;
  /** Hidden width of the feed-forward network. Default 4·dModel. */
  readonly ffnDim?: number;
}

/** Pre-LN encoder block: x + MHA(LN(x)), then x + FFN(LN(x)) with tanh-GELU. */
export class TransformerBlock extends FleetLayer {
  static readonly className = 'FleetFM>TransformerBlock';
  readonly dModel: number;
  readonly numHeads: number;
  readonly ffnDim: number;
  private readonly norm1: LayerNorm;
  private readonly attention: MultiHeadAttention;
  private readonly norm2: LayerNorm;
  private readonly ffnIn: Linear;
  private readonly ffnOut: Linear;

  constructor(args: TransformerBlockArgs) {
    super(args.seed ?? 0);
    this.dModel = requirePositiveInt('TransformerBlock', 'dModel', args.dModel);
    this.numHeads = requirePositiveInt('TransformerBlock', 'numHeads', args.numHeads ?? 4);
    this.ffnDim = requirePositiveInt('TransformerBlock', 'ffnDim', args.ffnDim ?? 4 * args.dModel);
    const d = this.dModel;
    const s = this.seed * 10;
    this.norm1 = this.addChild('norm1', new LayerNorm({ dim: d }));
    this.attention = this.addChild(
      'attention',
      new MultiHeadAttention({ dModel: d, numHeads: this.numHeads, seed: s + 1 }),
    );
    this.norm2 = this.addChild('norm2', new LayerNorm({ dim: d }));
    this.ffnIn = this.addChild(
      'ffnIn',
      new Linear({ inputDim: d, seed: s + 2, units: this.ffnDim }),
    );
    this.ffnOut = this.addChild(
      'ffnOut',
      new Linear({ inputDim: this.ffnDim, seed: s + 3, units: d }),
    );
  }

  protected buildWeights(): void {
    // All weights live in the sub-layers.
  }

  /**
   * x: [B, T, dModel] -> [B, T, dModel]. With `dropout` (training only), the attention and
   * feed-forward outputs are dropped before they join the residual stream.
   */
  call(x: tf.Tensor3D, keyBias?: tf.Tensor4D, dropout?: Dropout): tf.Tensor3D {
    this.build();
    return tf.tidy(() => {
      const attended = this.attention.call(this.norm1.call(x) as tf.Tensor3D, keyBias);
      const a = tf.add(x, applyDropout(attended, dropoutAt(dropout, 0)));
      const f = this.ffnOut.call(gelu(this.ffnIn.call(this.norm2.call(a))));
      return tf.add(a, applyDropout(f, dropoutAt(dropout, 1))) as tf.Tensor3D;
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { dModel: this.dModel, ffnDim: this.ffnDim, numHeads: this.numHeads, seed: this.seed };
  }
}
tf.serialization.registerClass(TransformerBlock);
