import { forwardFlopsPerSeries, type PatchModelConfig } from '../patch-model.config';

/**
 * Model FLOPs of one forecasting training step per series (multiply-add = 2), for throughput
 * reports: every matMul of the quantile-loss path forward (the pooled embedding head is not part
 * of that loss) and twice again backward (input and weight gradients), except the two patch
 * projections and the signal table, whose input is data and gets no gradient. The one-hot
 * signal-table product is an embedding lookup and not counted at all (conservative).
 */
export function trainFlopsPerSeries(c: PatchModelConfig): number {
  const t = c.contextLength / c.patchLength;
  const pool = 2 * c.dModel * c.embeddingDim;
  const patchProjections = 2 * (2 * t * 2 * c.patchLength * c.dModel);
  return 3 * (forwardFlopsPerSeries(c) - pool) - patchProjections;
}
