/**
 * Detection and retrieval metrics. AUC-PR is computed as average precision (the step-wise area
 * under the precision–recall curve, as scikit-learn does), with tied scores taken as one
 * threshold so that the order of ties cannot change the result.
 */

interface Point {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly threshold: number;
}

function prCurve(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): Point[] {
  const idx: number[] = [];
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) continue;
    idx.push(i);
    if (labels[i]) positives++;
  }
  idx.sort((a, b) => scores[b] - scores[a]);
  const points: Point[] = [];
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < idx.length; j++) {
    if (labels[idx[j]]) tp++;
    else fp++;
    if (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[j]]) continue;
    const precision = tp / (tp + fp);
    const recall = positives > 0 ? tp / positives : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    points.push({ f1, precision, recall, threshold: scores[idx[j]] });
  }
  return points;
}

/** Average precision = Σ (R_i - R_{i-1}) P_i over thresholds; NaN without positives. */
export function averagePrecision(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
): number {
  let prev = 0;
  let ap = 0;
  const points = prCurve(scores, labels);
  if (points.length === 0 || points[points.length - 1].recall === 0) return Number.NaN;
  for (const p of points) {
    ap += (p.recall - prev) * p.precision;
    prev = p.recall;
  }
  return ap;
}

/** The best F1 over all thresholds, and the threshold (flag when score ≥ threshold). */
export function bestF1(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
): { f1: number; threshold: number; precision: number; recall: number } {
  let best = { f1: 0, precision: 0, recall: 0, threshold: Number.NaN };
  for (const p of prCurve(scores, labels)) if (p.f1 > best.f1) best = p;
  return best;
}

/** Share of the first k retrieved labels equal to the query's label. */
export function precisionAtK<T>(retrieved: readonly T[], relevant: T, k: number): number {
  let hits = 0;
  for (let i = 0; i < Math.min(k, retrieved.length); i++) if (retrieved[i] === relevant) hits++;
  return hits / k;
}
