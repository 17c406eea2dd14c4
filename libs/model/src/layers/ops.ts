import * as tf from '@tensorflow/tfjs';
import { columnSum } from '../kernels/column-sum.kernel';
import { gemmKernel } from '../kernels/gemm.kernel';
import '../kernels/shared-identity.kernel';
import { geluKernel } from '../kernels/gelu.kernel';
import { blockedKernelGradient, blockedWideMatMul } from '../kernels/kernel-gradient';
import { layerNormGradKernel } from '../kernels/layer-norm-grad.kernel';
import { layerNormKernel, type LayerNormParts } from '../kernels/layer-norm.kernel';

/**
 * Hand-written gradients for the hot ops, following /work/shared/PERF-NOTES.md: no transpose
 * flags in matMul (explicit transposes instead), bias/row-sum gradients as column sums (a SIMD
 * kernel on wasm) rather than `sum(dy, 0)`, large transposes through a rank-3 view, and no tanh/erf/maximum.
 */

/** Above this many rows a 2-D transpose is slow on wasm; a rank-3 view is ~2× faster. */
const LARGE_ROWS = 1024;

/** Transpose of a 2-D matrix that stays fast for tall matrices. */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  const [rows, cols] = x.shape;
  if (rows <= LARGE_ROWS) return tf.transpose(x);
  let a = 64;
  while (a > 1 && rows % a !== 0) a /= 2;
  const x3 = tf.reshape(x, [a, rows / a, cols]);
  // [a, b, c] -> [c, a, b] in one rank-3 transpose for narrow matrices; wide ones are faster in
  // two steps (measured on wasm: 1.9 vs 3.2 ms at 2048×128, 7.3 vs 10.4 ms at 2048×512).
  const t =
    cols < 256 ? tf.transpose(x3, [2, 0, 1]) : tf.transpose(tf.transpose(x3, [0, 2, 1]), [1, 0, 2]);
  return tf.reshape(t, [cols, rows]);
}

/**
 * The engine copies every saved tensor (wasm's clone is a memcpy). A weight that is a Variable
 * does not change between the forward and backward pass (the optimizer runs after), so the
 * gradient reads it directly and only the activation is saved.
 */
function saveWithWeight(save: tf.GradSaveFunc, x: tf.Tensor2D, w: tf.Tensor2D): void {
  save(w instanceof tf.Variable ? [x] : [x, w]);
}

function savedWithWeight(saved: tf.Tensor[], w: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  return [saved[0] as tf.Tensor2D, (w instanceof tf.Variable ? w : saved[1]) as tf.Tensor2D];
}

/**
 * xᵀ·dy for a linear layer's kernel gradient: blocked SIMD kernels on wasm (kernel-gradient.ts;
 * no transpose, no re-packing), else stock matMuls. The wasm matMul re-packs its right operand on every
 * call with new data (~7 ms for a [2048, 512] operand, more than the tall transpose), so the
 * narrower of x and dy is the one packed: xᵀ·dy when dy is narrower or as wide (FFN output:
 * x [2048, 512], dy [2048, 128]), (dyᵀ·x)ᵀ when x is narrower (FFN input: x [2048, 128],
 * dy [2048, 512]) and the kernel is small enough for its final transpose to be cheap.
 * Measured on wasm with fresh operands: 20.6 vs 23.3 ms and 20.1 vs 25.4 ms.
 */
function kernelGradient(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  const blocked = blockedKernelGradient(x, dy);
  if (blocked) return blocked;
  const [, inDim] = x.shape;
  const outDim = dy.shape[1];
  if (outDim > inDim && inDim * outDim <= 1 << 18) {
    return tf.transpose(tf.matMul(transpose2d(dy), x)) as tf.Tensor2D;
  }
  return tf.matMul(transpose2d(x), dy);
}

/**
 * dy·Wᵀ for a linear layer's input gradient. With few rows and a tall kernel (the flattened
 * quantile head: dy [64, 576], W [4096, 576]) it is computed as (W·dyᵀ)ᵀ: no transpose or
 * re-packing of the large kernel (measured 2.7× faster on wasm); otherwise as dy·Wᵀ with the
 * SIMD gemm where it applies.
 */
function inputGradient(dy: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  if (dy.shape[0] < w.shape[0]) return transpose2d(tf.matMul(w, transpose2d(dy)));
  const wt = transpose2d(w);
  return gemmKernel(dy, wt) ?? tf.matMul(dy, wt);
}

/**
 * x·W (+ b): the SIMD gemm on wasm (no per-call re-packing of W; 17 vs 13 GFLOP/s at
 * 2048×128×512 with fresh weights), else tfjs's fused matMul.
 */
function dense(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const fast = gemmKernel(x, w, b);
  if (fast) return fast;
  return b ? (tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D) : tf.matMul(x, w);
}

/** y = x·W + b with a fused forward and a transpose-flag-free backward. */
export const linearWithBias = tf.customGrad(
  // customGrad's typing passes inputs as (Tensor | GradSaveFunc)[]; the call sites are typed below.
  (...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    saveWithWeight(save, x, w);
    // A large weight with few rows (the quantile head) in depth blocks with the SIMD kernel.
    const wide = blockedWideMatMul(x, w);
    const value = wide ? tf.add(wide, b) : dense(x, w, b);
    if (wide) wide.dispose();
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xs, ws] = savedWithWeight(saved, w);
      const dy2 = dy as tf.Tensor2D;
      return [inputGradient(dy2, ws), kernelGradient(xs, dy2), columnSum(dy2)];
    };
    return { value, gradFunc };
  },
) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** y = x·W (no bias). */
export const linearNoBias = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  saveWithWeight(save, x, w);
  const value = dense(x, w);
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [xs, ws] = savedWithWeight(saved, w);
    const dy2 = dy as tf.Tensor2D;
    return [inputGradient(dy2, ws), kernelGradient(xs, dy2)];
  };
  return { value, gradFunc };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * y = x·W (+ b) for an input that is data, not a function of any weight (patch values, one-hot
 * rows): the gradient flows to W and b only, so the backward pass skips dy·Wᵀ.
 */
export function linearOfData(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([x]);
    const value = dense(x, w, b);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const dy2 = dy as tf.Tensor2D;
      const dw = kernelGradient(saved[0] as tf.Tensor2D, dy2);
      return b ? [dw, columnSum(dy2)] : [dw];
    };
    return { value, gradFunc };
  });
  return (b ? f(w, b) : f(w)) as tf.Tensor2D;
}

/** The stock-op layer norm (eps 1e-5) where the SIMD kernel does not apply. */
function layerNormParts(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D): LayerNormParts {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), 1e-5)) as tf.Tensor2D;
  const xhat = tf.mul(xc, rstd) as tf.Tensor2D;
  return { rstd, value: tf.add(tf.mul(xhat, gamma), beta) as tf.Tensor2D, xhat };
}

/** Layer normalisation over the last axis of a 2-D tensor, eps 1e-5. */
export const layerNormOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, gamma, beta, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
  const { value, xhat, rstd } =
    layerNormKernel(x, gamma, beta, 1e-5) ?? layerNormParts(x, gamma, beta);
  save(gamma instanceof tf.Variable ? [xhat, rstd] : [xhat, rstd, gamma]);
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [xh, rs] = saved;
    const g = gamma instanceof tf.Variable ? gamma : saved[2];
    const dy2 = dy as tf.Tensor2D;
    const fast = layerNormGradKernel(dy2, xh as tf.Tensor2D, rs as tf.Tensor2D, g as tf.Tensor1D);
    if (fast) return [fast.dx, fast.dGamma, fast.dBeta];
    const gx = tf.mul(dy2, g);
    const dx = tf.mul(
      rs,
      tf.sub(tf.sub(gx, tf.mean(gx, -1, true)), tf.mul(xh, tf.mean(tf.mul(gx, xh), -1, true))),
    );
    const dGamma = columnSum(tf.mul(dy2, xh) as tf.Tensor2D);
    const dBeta = columnSum(dy2);
    return [dx, dGamma, dBeta];
  };
  return { value, gradFunc };
}) as (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor2D;

/** 2·sqrt(2/π) and 2·sqrt(2/π)·0.044715: tanh-GELU = x·sigmoid(x·(C1 + C2·x²)). */
const C1 = 1.5957691216057308;
const C2 = 0.07135481627159869;

/** tanh-approximated GELU written with sigmoid (tanh is ~15× slower on wasm). */
export const gelu = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const fast = geluKernel(x, C1, C2);
  if (fast) {
    // One SIMD pass computes the value and the derivative; the backward pass is dy·derivative.
    save([fast.derivative]);
    return {
      gradFunc: (dy: tf.Tensor, [d]: tf.Tensor[]): tf.Tensor => tf.mul(dy, d),
      value: fast.value,
    };
  }
  const x2 = tf.square(x);
  const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(x2, C2), C1)));
  save([x, x2, s]);
  const value = tf.mul(x, s);
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
    const [xs, x2s, ss] = saved;
    // d/dx [x·s(u)] = s + x·s·(1 - s)·(C1 + 3·C2·x²)
    const du = tf.add(tf.mul(x2s, 3 * C2), C1);
    const ds = tf.mul(tf.mul(ss, tf.sub(1, ss)), tf.mul(xs, du));
    return tf.mul(dy, tf.add(ss, ds));
  };
  return { value, gradFunc };
}) as <T extends tf.Tensor>(x: T) => T;

/** x [B, F] + row [1, F] broadcast over the batch; the row's gradient is the column sum of dy. */
export const addRow = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, row] = args as [tf.Tensor2D, tf.Tensor2D];
  const value = tf.add(x, row) as tf.Tensor2D;
  const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
    const dy2 = dy as tf.Tensor2D;
    // A gradient must be a new tensor: handing `dy` itself back lets the tape free it twice,
    // which corrupts the wasm heap.
    return [tf.clone(dy2), tf.reshape(columnSum(dy2), [1, dy2.shape[1]])];
  };
  return { value, gradFunc };
}) as (x: tf.Tensor2D, row: tf.Tensor2D) => tf.Tensor2D;
