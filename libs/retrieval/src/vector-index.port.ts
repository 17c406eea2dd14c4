/** One search hit: the stored item's id and its cosine similarity to the query. */
export interface VectorHit {
  readonly id: string;
  readonly score: number;
}

export interface SearchOptions {
  /** Skip items for which this returns true (e.g. the query itself, or its own trip). */
  readonly exclude?: (id: string) => boolean;
}

/**
 * Nearest-neighbour search over embeddings by cosine similarity. An abstract class so that it
 * doubles as a Nest token; the exact index is the reference, an HNSW adapter can follow.
 */
export abstract class VectorIndex {
  abstract readonly dim: number;
  abstract readonly size: number;
  /** Adds (or replaces) an item. Vectors need not be normalised. */
  abstract add(id: string, vector: ArrayLike<number>): void;
  /** The k most similar items, most similar first (ties by insertion order). */
  abstract search(query: ArrayLike<number>, k: number, options?: SearchOptions): VectorHit[];
}
