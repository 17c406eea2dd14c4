import { ExactCosineIndex } from './exact-cosine.index';
import { Prng } from '@fleetfm/simulator';

describe('ExactCosineIndex', () => {
  it('ranks by cosine similarity on hand-made vectors, ignoring length', () => {
    const sut = new ExactCosineIndex(2, 1);
    sut.add('east', [10, 0]);
    sut.add('north', [0, 3]);
    sut.add('north-east', [1, 1]);
    sut.add('west', [-2, 0]);
    const hits = sut.search([1, 0.2], 3);
    expect(hits.map((h) => h.id)).toEqual(['east', 'north-east', 'north']);
    // cos = 1/√1.04 and (1.2/√2)/√1.04.
    expect(hits[0].score).toBeCloseTo(1 / Math.sqrt(1.04), 6);
    expect(hits[1].score).toBeCloseTo(1.2 / Math.sqrt(2) / Math.sqrt(1.04), 6);
    expect(sut.search([1, 0], 1, { exclude: (id) => id === 'east' })[0].id).toBe('north-east');
  });

  it('agrees with a brute-force sort on random data (k-NN is exact)', () => {
    const rng = new Prng(3);
    const dim = 16;
    const vectors = Array.from({ length: 500 }, () =>
      Array.from({ length: dim }, () => rng.normal()),
    );
    const sut = new ExactCosineIndex(dim, 8);
    vectors.forEach((v, i) => sut.add(`v${i}`, v));
    expect(sut.size).toBe(500);
    const cos = (a: number[], b: number[]): number => {
      let d = 0,
        na = 0,
        nb = 0;
      for (let j = 0; j < dim; j++) {
        d += a[j] * b[j];
        na += a[j] * a[j];
        nb += b[j] * b[j];
      }
      return d / Math.sqrt(na * nb);
    };
    for (let q = 0; q < 5; q++) {
      const query = Array.from({ length: dim }, () => rng.normal());
      const expected = vectors
        .map((v, i) => ({ id: `v${i}`, s: cos(query, v) }))
        .sort((a, b) => b.s - a.s)
        .slice(0, 10)
        .map((h) => h.id);
      expect(sut.search(query, 10).map((h) => h.id)).toEqual(expected);
    }
  });

  it('replaces an item added twice and rejects wrong dimensions and zero vectors', () => {
    const sut = new ExactCosineIndex(2);
    sut.add('a', [1, 0]);
    sut.add('a', [0, 1]);
    expect(sut.size).toBe(1);
    expect(sut.search([0, 1], 1)[0].score).toBeCloseTo(1, 6);
    expect(() => sut.add('b', [1, 2, 3])).toThrow('vector has 3 dimensions, the index 2');
    expect(() => sut.add('c', [0, 0])).toThrow('zero or non-finite');
  });
});
