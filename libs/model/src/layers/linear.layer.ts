import * as tf from '@tensorflow/tfjs';
import { FleetLayer, requirePositiveInt, type Initializer, type LayerArgs } from './fleet-layer';
import { linearNoBias, linearOfData, linearWithBias } from './ops';

export interface LinearArgs extends LayerArgs {
  /** Size of the last input axis. Required. */
  readonly inputDim: number;
  /** Size of the output. Required. */
  readonly units: number;
  /** Add a bias. Default true. */
  readonly useBias?: boolean;
  /** Kernel initialiser: 'glorot' (uniform), 'zeros', or { normal: std }. Default 'glorot'. */
  readonly kernelInitializer?: 'glorot' | 'zeros' | { readonly normal: number };
}

/** Dense layer on [..., inputDim] with a custom gradient that is fast on wasm. */
export class Linear extends FleetLayer {
  static readonly className = 'FleetFM>Linear';
  readonly inputDim: number;
  readonly units: number;
  readonly useBias: boolean;
  private readonly kernelInit: Initializer;
  private kernel?: tf.Variable;
  private bias?: tf.Variable;

  constructor(args: LinearArgs) {
    super(args.seed ?? 0);
    this.inputDim = requirePositiveInt('Linear', 'inputDim', args.inputDim);
    this.units = requirePositiveInt('Linear', 'units', args.units);
    this.useBias = args.useBias ?? true;
    this.kernelInit = args.kernelInitializer ?? 'glorot';
  }

  protected buildWeights(): void {
    this.kernel = this.addWeight('kernel', [this.inputDim, this.units], this.kernelInit);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], 'zeros');
  }

  /**
   * [..., inputDim] -> [..., units]. `dataInput`: x is data, not a function of any weight, so no
   * gradient is computed for it (default false).
   */
  call(x: tf.Tensor, dataInput = false): tf.Tensor {
    this.build();
    if (x.shape[x.shape.length - 1] !== this.inputDim) {
      throw new Error(`Linear: expected last axis ${this.inputDim}, got shape [${x.shape}]`);
    }
    return tf.tidy(() => {
      const x2 = tf.reshape(x, [-1, this.inputDim]) as tf.Tensor2D;
      const w = this.kernel as tf.Variable<tf.Rank.R2>;
      const b = this.bias as tf.Variable<tf.Rank.R1> | undefined;
      let y: tf.Tensor2D;
      if (dataInput) y = linearOfData(x2, w, b);
      else y = b ? linearWithBias(x2, w, b) : linearNoBias(x2, w);
      return tf.reshape(y, [...x.shape.slice(0, -1), this.units]);
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    const init = this.kernelInit;
    return {
      inputDim: this.inputDim,
      kernelInitializer: typeof init === 'string' ? init : { normal: init.normal },
      seed: this.seed,
      units: this.units,
      useBias: this.useBias,
    };
  }
}
tf.serialization.registerClass(Linear);
