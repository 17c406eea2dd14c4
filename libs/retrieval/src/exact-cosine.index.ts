import { InvalidRequestError } from '@fleetfm/domain';
import { VectorIndex, type SearchOptions, type VectorHit } from './vector-index.port';

/**
 * Exact k-NN by cosine similarity: vectors are L2-normalised on the way in and kept in one
 * growing Float32Array, so a query is a single pass of dot products (fine up to ~10^5 items).
 */
export class ExactCosineIndex extends VectorIndex {
  private data: Float32Array;
  private readonly ids: string[] = [];
  private readonly positions = new Map<string, number>();

  constructor(
    readonly dim: number,
    capacity = 1024,
  ) {
    super();
    if (!Number.isInteger(dim) || dim < 1) {
      throw new InvalidRequestError(`dim must be a positive integer, got ${dim}`);
    }
    this.data = new Float32Array(dim * Math.max(1, capacity));
  }

  get size(): number {
    return this.ids.length;
  }

  add(id: string, vector: ArrayLike<number>): void {
    const unit = normalised(vector, this.dim);
    let row = this.positions.get(id);
    if (row === undefined) {
      row = this.ids.length;
      if ((row + 1) * this.dim > this.data.length) {
        const grown = new Float32Array(this.data.length * 2);
        grown.set(this.data);
        this.data = grown;
      }
      this.ids.push(id);
      this.positions.set(id, row);
    }
    this.data.set(unit, row * this.dim);
  }

  search(query: ArrayLike<number>, k: number, options: SearchOptions = {}): VectorHit[] {
    if (!Number.isInteger(k) || k < 1) {
      throw new InvalidRequestError(`k must be a positive integer, got ${k}`);
    }
    const q = normalised(query, this.dim);
    const hits: VectorHit[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      const id = this.ids[i];
      if (options.exclude?.(id)) continue;
      let dot = 0;
      const base = i * this.dim;
      for (let j = 0; j < this.dim; j++) dot += q[j] * this.data[base + j];
      if (hits.length < k || dot > hits[hits.length - 1].score) insert(hits, { id, score: dot }, k);
    }
    return hits;
  }
}

/** Inserts into a list sorted by descending score, keeping at most k (stable for ties). */
function insert(hits: VectorHit[], hit: VectorHit, k: number): void {
  let i = hits.length;
  while (i > 0 && hits[i - 1].score < hit.score) i--;
  hits.splice(i, 0, hit);
  if (hits.length > k) hits.pop();
}

function normalised(vector: ArrayLike<number>, dim: number): Float32Array {
  if (vector.length !== dim) {
    throw new InvalidRequestError(`vector has ${vector.length} dimensions, the index ${dim}`);
  }
  let norm = 0;
  for (let j = 0; j < dim; j++) norm += vector[j] * vector[j];
  if (!(norm > 0) || !Number.isFinite(norm)) {
    throw new InvalidRequestError('cannot index a zero or non-finite vector by cosine');
  }
  const inv = 1 / Math.sqrt(norm);
  const out = new Float32Array(dim);
  for (let j = 0; j < dim; j++) out[j] = vector[j] * inv;
  return out;
}
