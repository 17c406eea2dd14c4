import * as tf from '@tensorflow/tfjs';
import { FleetLayer, requirePositiveInt, type LayerArgs } from './fleet-layer';
import { Linear } from './linear.layer';

export interface PatchEmbeddingArgs extends LayerArgs {
  /** Steps per patch. Required. The input per token is [values, mask]: 2·patchLength wide. */
  readonly patchLength: number;
  /** Output width. Required. */
  readonly dModel: number;
  /** Hidden width of the MLP. Default dModel. */
  readonly hiddenDim?: number;
}

/**
 * Chronos-Bolt-style residual MLP: out = W2·relu(W1·p) + Wr·p, where p is a patch's normalised
 * values concatenated with its observation mask (so a gap is distinguishable from a zero).
 */
export class PatchEmbedding extends FleetLayer {
  static readonly className = 'FleetFM>PatchEmbedding';
  readonly patchLength: number;
  readonly dModel: number;
  readonly hiddenDim: number;
  private readonly hidden: Linear;
  private readonly out: Linear;
  private readonly residual: Linear;

  constructor(args: PatchEmbeddingArgs) {
    super(args.seed ?? 0);
    this.patchLength = requirePositiveInt('PatchEmbedding', 'patchLength', args.patchLength);
    this.dModel = requirePositiveInt('PatchEmbedding', 'dModel', args.dModel);
    this.hiddenDim = requirePositiveInt(
      'PatchEmbedding',
      'hiddenDim',
      args.hiddenDim ?? args.dModel,
    );
    const inDim = 2 * this.patchLength;
    const s = this.seed * 10;
    this.hidden = this.addChild(
      'hidden',
      new Linear({ inputDim: inDim, seed: s + 1, units: this.hiddenDim }),
    );
    this.out = this.addChild(
      'out',
      new Linear({ inputDim: this.hiddenDim, seed: s + 2, units: this.dModel }),
    );
    this.residual = this.addChild(
      'residual',
      new Linear({ inputDim: inDim, seed: s + 3, units: this.dModel }),
    );
  }

  protected buildWeights(): void {
    // All weights live in the sub-layers.
  }

  /** values, mask: [B, T, patchLength] -> [B, T, dModel]. */
  call(values: tf.Tensor3D, mask: tf.Tensor3D): tf.Tensor3D {
    this.build();
    return tf.tidy(() => {
      const p = tf.concat([values, mask], -1);
      // p is data: its two projections compute no input gradient.
      return tf.add(
        this.out.call(tf.relu(this.hidden.call(p, true))),
        this.residual.call(p, true),
      ) as tf.Tensor3D;
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      dModel: this.dModel,
      hiddenDim: this.hiddenDim,
      patchLength: this.patchLength,
      seed: this.seed,
    };
  }
}
tf.serialization.registerClass(PatchEmbedding);
