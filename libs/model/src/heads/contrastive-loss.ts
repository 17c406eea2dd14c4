import * as tf from '@tensorflow/tfjs';

/**
 * Symmetric InfoNCE (CLIP/SimCLR style) between two views: row i of `a` and row i of `b` are the
 * positive pair, every other row of the batch a negative. Inputs are L2-normalised [B, E].
 */
export function infoNceLoss(a: tf.Tensor2D, b: tf.Tensor2D, temperature = 0.1): tf.Scalar {
  if (!(temperature > 0)) throw new Error(`infoNceLoss: temperature must be > 0`);
  return tf.tidy(() => {
    const n = a.shape[0];
    const eye = tf.eye(n);
    // Explicit transposes: matMul's transpose flags are slow on wasm.
    const logits = tf.div(tf.matMul(a, tf.transpose(b)), temperature);
    const rows = tf.sum(tf.mul(tf.logSoftmax(logits), eye));
    const cols = tf.sum(tf.mul(tf.logSoftmax(tf.transpose(logits)), eye));
    return tf.div(tf.add(rows, cols), -2 * n) as tf.Scalar;
  });
}

/**
 * Supervised contrastive loss (Khosla et al. 2020): every other sample with the same label is a
 * positive for an anchor. Anchors without positives are left out of the mean. z: [B, E]
 * L2-normalised; labels: length B.
 */
export function supervisedContrastiveLoss(
  z: tf.Tensor2D,
  labels: ArrayLike<number>,
  temperature = 0.1,
): tf.Scalar {
  if (!(temperature > 0)) throw new Error(`supervisedContrastiveLoss: temperature must be > 0`);
  const n = z.shape[0];
  if (labels.length !== n)
    throw new Error(`supervisedContrastiveLoss: ${n} rows, ${labels.length} labels`);
  const positives = new Float32Array(n * n);
  const selfMask = new Float32Array(n * n);
  let anchors = 0;
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let j = 0; j < n; j++) if (j !== i && labels[j] === labels[i]) count++;
    for (let j = 0; j < n; j++) {
      if (j !== i && labels[j] === labels[i]) positives[i * n + j] = 1 / count;
    }
    selfMask[i * n + i] = -1e9;
    if (count > 0) anchors++;
  }
  return tf.tidy(() => {
    if (anchors === 0) return tf.scalar(0);
    const logits = tf.add(
      tf.div(tf.matMul(z, tf.transpose(z)), temperature),
      tf.tensor2d(selfMask, [n, n]),
    );
    const logProb = tf.logSoftmax(logits);
    const perAnchor = tf.sum(tf.mul(logProb, tf.tensor2d(positives, [n, n])));
    return tf.div(perAnchor, -anchors) as tf.Scalar;
  });
}
