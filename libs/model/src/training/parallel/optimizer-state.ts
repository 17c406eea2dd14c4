import * as tf from '@tensorflow/tfjs';

/** Adam's moments and iteration count, encoded like TF.js weights (for resuming a run). */
export interface OptimizerSnapshot {
  readonly specs: tf.io.WeightsManifestEntry[];
  readonly data: ArrayBuffer;
}

/**
 * Adam keeps its moments in a list indexed by the position of each weight in the gradient list,
 * named after the process-local variable name; names are rewritten to weight paths so a snapshot
 * reads sensibly, and positions are what restores them.
 */
export async function snapshotOptimizer(
  optimizer: tf.Optimizer,
  pathOf: ReadonlyMap<string, string>,
): Promise<OptimizerSnapshot> {
  const weights = await optimizer.getWeights();
  const renamed = weights.map((w) => {
    const [variable, moment] = splitName(w.name);
    const path = pathOf.get(variable);
    return { name: path && moment ? `${path}/${moment}` : w.name, tensor: w.tensor };
  });
  const { data, specs } = await tf.io.encodeWeights(renamed);
  // getWeights makes a fresh scalar for the iteration count; the moments are the optimizer's own.
  tf.dispose(weights.filter((w) => w.name === 'iter').map((w) => w.tensor));
  return { data, specs };
}

export async function restoreOptimizer(
  optimizer: tf.Optimizer,
  snapshot: OptimizerSnapshot,
): Promise<void> {
  const decoded = tf.io.decodeWeights(snapshot.data, snapshot.specs);
  const list = snapshot.specs.map((s) => ({ name: s.name, tensor: decoded[s.name] }));
  await optimizer.setWeights(list);
  // setWeights made variables of its own from these.
  tf.dispose(Object.values(decoded));
}

function splitName(name: string): [string, string | undefined] {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? [name, undefined] : [name.slice(0, slash), name.slice(slash + 1)];
}

/** Sets Adam's learning rate in place (the schedule changes it every step). */
export function setLearningRate(optimizer: tf.AdamOptimizer, learningRate: number): void {
  // tfjs declares it protected but reads it on every applyGradients; no public setter exists.
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
