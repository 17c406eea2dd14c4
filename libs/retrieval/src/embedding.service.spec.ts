import { EmbeddingModelPort } from './embedding-model.port';
import { EmbeddingService, meanEmbedding } from './embedding.service';

/** Embeds a window as the unit vector along [first observed value, 1]. */
class FirstValueModel extends EmbeddingModelPort {
  readonly contextLength = 8;
  readonly embeddingDim = 2;
  async embed(windows: readonly Float32Array[]): Promise<Float32Array[]> {
    return windows.map((w) => meanEmbedding([[w.find((v) => !Number.isNaN(v)) ?? 0, 1]]));
  }
}

describe('EmbeddingService', () => {
  const a = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const b = Float32Array.from([NaN, NaN, NaN, 1, 1, 1, 1, 1, 1, 1]);

  it('embeds every whole window of each series and skips all-gap windows', async () => {
    const sut = new EmbeddingService(new FirstValueModel());
    const rows = await sut.embed(
      {
        series: [
          { name: 'a', values: a },
          { name: 'b', values: b },
        ],
        time: a.map((x) => x * 10),
      },
      { stride: 3, window: 3 },
    );
    // Starts 0, 3, 6 (9 + 3 > 10); b's window at 0 is all gaps.
    expect(rows.map((r) => `${r.series}@${r.windowStart}-${r.windowEnd}`)).toEqual([
      'a@0-20',
      'a@30-50',
      'b@30-50',
      'a@60-80',
      'b@60-80',
    ]);
    expect(Array.from(rows[1].embedding)).toEqual(
      [3 / Math.sqrt(10), 1 / Math.sqrt(10)].map(Math.fround),
    );
  });

  it('averages columns per window with combine', async () => {
    const sut = new EmbeddingService(new FirstValueModel());
    const rows = await sut.embed(
      {
        series: [
          { name: 'a', values: a },
          { name: 'b', values: b },
        ],
      },
      { combine: true, window: 5 },
    );
    expect(rows.map((r) => r.series)).toEqual(['a+b', 'a+b']);
    // Window at 5: a -> (5, 1)/√26, b -> (1, 1)/√2; their mean re-normalised.
    const u = [5 / Math.sqrt(26) + 1 / Math.sqrt(2), 1 / Math.sqrt(26) + 1 / Math.sqrt(2)];
    const n = Math.hypot(u[0], u[1]);
    expect(rows[1].embedding[0]).toBeCloseTo(u[0] / n, 6);
    expect(rows[1].embedding[1]).toBeCloseTo(u[1] / n, 6);
  });

  it('rejects windows longer than the data', async () => {
    const sut = new EmbeddingService(new FirstValueModel());
    await expect(sut.embed({ series: [{ name: 'a', values: a }] }, { window: 11 })).rejects.toThrow(
      'the data has 10 rows; --window 11 needs at least 11',
    );
  });
});
