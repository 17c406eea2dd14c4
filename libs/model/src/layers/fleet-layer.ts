import * as tf from '@tensorflow/tfjs';

export type Initializer = 'glorot' | 'zeros' | 'ones' | { readonly normal: number };

export interface NamedVariable {
  /** Path of the weight inside the model, e.g. `blocks.0.attention.query.kernel`. */
  readonly name: string;
  readonly variable: tf.Variable;
}

/** Arguments every layer takes. */
export interface LayerArgs {
  /** Seed for weight initialisation. Default 0. */
  readonly seed?: number;
}

/**
 * Base of the model's layers, in the tfjs-layers style: arguments validated in the constructor,
 * weights created in `build()` (idempotent, also called lazily), math in `call()` under `tidy`,
 * `getConfig()` returning the constructor arguments so `new Cls(getConfig())` round-trips.
 * Unlike `tf.layers.Layer` it tracks nested layers' weights and has no symbolic mode, which keeps
 * the per-call overhead low for the small tensors of single-series inference.
 */
export abstract class FleetLayer extends tf.serialization.Serializable {
  private readonly ownWeights: Array<[string, tf.Variable]> = [];
  private readonly children: Array<[string, FleetLayer]> = [];
  private weightCounter = 0;
  protected built = false;

  constructor(protected readonly seed: number) {
    super();
  }

  /** Creates the layer's weights; the subclass adds its own with `addWeight` in `buildWeights`. */
  build(): void {
    if (this.built) return;
    this.buildWeights();
    for (const [, child] of this.children) child.build();
    this.built = true;
  }

  protected abstract buildWeights(): void;

  protected addChild<L extends FleetLayer>(name: string, layer: L): L {
    this.children.push([name, layer]);
    return layer;
  }

  protected addWeight(name: string, shape: number[], init: Initializer): tf.Variable {
    const seed = this.seed * 1000 + this.weightCounter++;
    const value = tf.tidy(() => {
      if (init === 'zeros') return tf.zeros(shape);
      if (init === 'ones') return tf.ones(shape);
      if (init === 'glorot') {
        const fanIn = shape.length > 1 ? shape[shape.length - 2] : shape[0];
        const fanOut = shape[shape.length - 1];
        const limit = Math.sqrt(6 / (fanIn + fanOut));
        return tf.randomUniform(shape, -limit, limit, 'float32', seed);
      }
      return tf.truncatedNormal(shape, 0, init.normal, 'float32', seed);
    });
    // No tf name: engine variable names are global, and two models may live side by side.
    const variable = tf.variable(value, true);
    value.dispose();
    this.ownWeights.push([name, variable]);
    return variable;
  }

  /** All weights of this layer and its children, with dotted path names, in creation order. */
  namedWeights(prefix = ''): NamedVariable[] {
    this.build();
    const out: NamedVariable[] = this.ownWeights.map(([name, variable]) => ({
      name: `${prefix}${name}`,
      variable,
    }));
    for (const [name, child] of this.children) out.push(...child.namedWeights(`${prefix}${name}.`));
    return out;
  }

  countParams(): number {
    return this.namedWeights().reduce((n, w) => n + w.variable.size, 0);
  }

  dispose(): void {
    for (const [, v] of this.ownWeights) v.dispose();
    for (const [, child] of this.children) child.dispose();
    this.ownWeights.length = 0;
  }
}

export function requirePositiveInt(layer: string, field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${layer}: ${field} must be a positive integer, got ${value}`);
  }
  return value;
}
