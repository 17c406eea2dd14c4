import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '@fleetfm/simulator';
import { pinballLoss, pinballSums, type PinballOptions } from '../heads/pinball-loss';
import { fusedAdamApply } from '../kernels/adam.kernel';
import { sumOfSquares } from '../kernels/sum-squares';
import { checkDropoutRate, type Dropout } from '../layers/dropout';
import type { PatchModel } from '../patch-model';
import { naiveErrors, toModelInputs, type ForecastBatch } from './forecast-batch';

export interface TrainerArgs {
  /** Adam learning rate. Default 1e-3. */
  readonly learningRate?: number;
  /** Clip gradients to this global L2 norm; 0 disables. Default 1. */
  readonly clipNorm?: number;
  /** Adam β1. Default 0.9. */
  readonly beta1?: number;
  /** Adam β2. Default 0.999. */
  readonly beta2?: number;
  /** How the forecast loss aggregates over a batch's windows. Default the masked mean. */
  readonly loss?: PinballOptions;
  /**
   * Dropout rate of the training steps' forward passes (residual branches and the quantile
   * head's input; see `PatchModel.predictQuantiles`). Validation never drops. Default 0.
   */
  readonly dropout?: number;
  /** Seeds the dropout masks together with each step's noise key. Default 0. */
  readonly dropoutSeed?: number;
}

/** A validation pass's loss totals (see `pinballSums`; `finishPinball` turns them into the loss). */
export interface EvalSums {
  readonly sum: number;
  readonly count: number;
}

/** Gradients keyed by the model's weight path (stable across processes, e.g. for workers). */
export type NamedGradients = Map<string, tf.Tensor>;

/**
 * Adam with global-norm clipping. `computeGradients` is a pure function of (weights, batch), so
 * data-parallel workers can compute gradients on their shard, average them, and
 * `applyGradients` the mean.
 */
export class Trainer {
  readonly optimizer: tf.AdamOptimizer;
  readonly clipNorm: number;
  readonly loss: PinballOptions;
  readonly dropout: number;
  private readonly dropoutSeed: number;
  private stepsTaken = 0;
  private readonly byPath: Map<string, tf.Variable>;

  constructor(
    readonly model: PatchModel,
    args: TrainerArgs = {},
  ) {
    const lr = args.learningRate ?? 1e-3;
    if (!(lr > 0)) throw new Error(`Trainer: learningRate must be > 0, got ${lr}`);
    this.clipNorm = args.clipNorm ?? 1;
    if (!(this.clipNorm >= 0)) throw new Error(`Trainer: clipNorm must be >= 0`);
    this.loss = args.loss ?? {};
    this.dropout = args.dropout ?? 0;
    checkDropoutRate(this.dropout, 'Trainer: dropout');
    this.dropoutSeed = args.dropoutSeed ?? 0;
    this.optimizer = tf.train.adam(lr, args.beta1 ?? 0.9, args.beta2 ?? 0.999);
    this.byPath = new Map(model.namedWeights().map((w) => [w.name, w.variable]));
  }

  /**
   * Loss (scalar tensor) and raw gradients of the pinball loss; the caller disposes them.
   * `noiseKey` picks the step's dropout masks (e.g. [step, worker]): the same key, the same
   * masks.
   */
  computeGradients(
    batch: ForecastBatch,
    noiseKey: readonly number[] = [],
  ): { loss: tf.Scalar; grads: NamedGradients } {
    const c = this.model.config;
    const inputs = toModelInputs(batch);
    const dropout: Dropout | undefined =
      this.dropout > 0
        ? { rate: this.dropout, seed: deriveSeed(this.dropoutSeed, ...noiseKey) }
        : undefined;
    try {
      return this.gradientsOf(() => {
        const target = tf.tensor2d(batch.target, [batch.batch, c.horizon]);
        const mask = tf.tensor2d(batch.targetMask, [batch.batch, c.horizon]);
        return pinballLoss(
          this.model.predictQuantiles(inputs, dropout),
          target,
          mask,
          c.quantiles,
          this.loss,
          this.naiveErrors(batch),
        );
      });
    } finally {
      inputs.values.dispose();
      inputs.mask.dispose();
    }
  }

  /** The training loss's totals on one validation batch (no gradients). */
  validationSums(batch: ForecastBatch): EvalSums {
    const c = this.model.config;
    const inputs = toModelInputs(batch);
    const target = tf.tensor2d(batch.target, [batch.batch, c.horizon]);
    const mask = tf.tensor2d(batch.targetMask, [batch.batch, c.horizon]);
    try {
      const pred = this.model.predictQuantiles(inputs);
      try {
        return pinballSums(pred, target, mask, c.quantiles, this.loss, this.naiveErrors(batch));
      } finally {
        pred.dispose();
      }
    } finally {
      tf.dispose([inputs.values, inputs.mask, target, mask]);
    }
  }

  /** The naive errors the loss's relative floor needs; none when it has none. */
  private naiveErrors(batch: ForecastBatch): Float32Array | undefined {
    return (this.loss.naiveEpsilon ?? 0) > 0
      ? naiveErrors(batch, this.loss.naiveSeasons ?? [])
      : undefined;
  }

  /** Loss and gradients of any scalar loss of the model's weights; the caller disposes them. */
  gradientsOf(lossFn: () => tf.Scalar): { loss: tf.Scalar; grads: NamedGradients } {
    const { value, grads } = tf.variableGrads(lossFn, [...this.byPath.values()]);
    const named: NamedGradients = new Map();
    // Weights the loss does not reach (e.g. the embedding head) get no gradient.
    for (const [path, v] of this.byPath) if (grads[v.name]) named.set(path, grads[v.name]);
    return { grads: named, loss: value };
  }

  /** One optimisation step on any scalar loss; returns the loss before the step. */
  stepOn(lossFn: () => tf.Scalar): number {
    const { loss, grads } = this.gradientsOf(lossFn);
    this.applyGradients(grads);
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  }

  /** Clips to the global norm and takes one Adam step; disposes the gradients. */
  applyGradients(grads: NamedGradients): void {
    try {
      const named: Array<{ name: string; tensor: tf.Tensor }> = [];
      for (const [path, g] of grads) {
        const v = this.byPath.get(path);
        if (!v) throw new Error(`Trainer: unknown weight ${path}`);
        named.push({ name: v.name, tensor: g });
      }
      const scale = this.clipNorm > 0 ? this.clipScale(named.map((n) => n.tensor)) : undefined;
      // One SIMD pass per weight on wasm; the same f32 arithmetic as tfjs's Adam otherwise.
      if (fusedAdamApply(this.optimizer, named, scale ?? 1)) return;
      tf.tidy(() => {
        this.optimizer.applyGradients(
          named.map(({ name, tensor }) => ({
            name,
            tensor: scale === undefined ? tensor : tf.mul(tensor, scale),
          })),
        );
      });
    } finally {
      for (const g of grads.values()) g.dispose();
    }
  }

  /** clip / max(norm, clip) as the f32 value tfjs computes, read back once. */
  private clipScale(list: tf.Tensor[]): number {
    const squares = sumOfSquares(list);
    if (squares !== null) {
      // The same f32 steps as below, on the SIMD kernel's sum of squares.
      const clip = Math.fround(this.clipNorm);
      const norm = Math.fround(Math.sqrt(squares));
      const excess = Math.max(0, Math.fround(norm - clip));
      return Math.fround(clip / Math.fround(clip + excess));
    }
    return tf.tidy(() => {
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
      // Written with relu (tf.maximum is slow on wasm).
      const scale = tf.div(
        this.clipNorm,
        tf.add(this.clipNorm, tf.relu(tf.sub(norm, this.clipNorm))),
      );
      return scale.dataSync()[0];
    });
  }

  /**
   * One optimisation step; returns the loss before the step. Dropout masks are keyed by the
   * number of steps this trainer has taken unless `noiseKey` is given.
   */
  trainStep(batch: ForecastBatch, noiseKey: readonly number[] = [this.stepsTaken]): number {
    this.stepsTaken++;
    const { loss, grads } = this.computeGradients(batch, noiseKey);
    this.applyGradients(grads);
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
