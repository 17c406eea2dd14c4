import * as tf from '@tensorflow/tfjs';
import { FleetLayer, requirePositiveInt, type LayerArgs } from './fleet-layer';
import { layerNormOp } from './ops';

export interface LayerNormArgs extends LayerArgs {
  /** Size of the normalised (last) axis. Required. */
  readonly dim: number;
}

/** Layer normalisation over the last axis (eps 1e-5) with learned gain and bias. */
export class LayerNorm extends FleetLayer {
  static readonly className = 'FleetFM>LayerNorm';
  readonly dim: number;
  private gamma?: tf.Variable;
  private beta?: tf.Variable;

  constructor(args: LayerNormArgs) {
    super(args.seed ?? 0);
    this.dim = requirePositiveInt('LayerNorm', 'dim', args.dim);
  }

  protected buildWeights(): void {
    this.gamma = this.addWeight('gamma', [this.dim], 'ones');
    this.beta = this.addWeight('beta', [this.dim], 'zeros');
  }

  call(x: tf.Tensor): tf.Tensor {
    this.build();
    return tf.tidy(() => {
      const x2 = tf.reshape(x, [-1, this.dim]) as tf.Tensor2D;
      const y = layerNormOp(
        x2,
        this.gamma as tf.Variable<tf.Rank.R1>,
        this.beta as tf.Variable<tf.Rank.R1>,
      );
      return tf.reshape(y, x.shape);
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { dim: this.dim, seed: this.seed };
  }
}
tf.serialization.registerClass(LayerNorm);
