import { HttpError } from '@influxdata/influxdb-client';
import { UnavailableError, ValidationError, type TelemetrySample } from '@fleetfm/domain';
import { ChunkedWriter, type ChunkedWriterOptions, type PostLines } from './chunked-writer';

const T0 = Date.UTC(2026, 0, 1);
const samples = (n: number): TelemetrySample[] =>
  Array.from({ length: n }, (_, i) => ({ vehicleId: 'v', ts: T0 + i, signals: { speed_mps: i } }));
const refused = (): Error =>
  Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

function setup(post: PostLines, options: ChunkedWriterOptions = {}) {
  const sleeps: number[] = [];
  const sut = new ChunkedWriter(
    post,
    { retryBaseMs: 100, retryMaxMs: 1000, ...options },
    async (ms) => {
      sleeps.push(ms);
    },
    () => 0.5, // no jitter
  );
  return { sut, sleeps };
}

describe('ChunkedWriter', () => {
  it('sends chunks of batchSize lines, at most maxInFlight at once', async () => {
    const bodies: string[] = [];
    let inFlight = 0;
    let peak = 0;
    const { sut } = setup(
      async (body) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        bodies.push(body);
        inFlight--;
      },
      { batchSize: 4, maxInFlight: 2 },
    );
    await sut.write(samples(10));
    expect(bodies.map((b) => b.split('\n').length - 1).sort()).toEqual([2, 4, 4]);
    expect(peak).toBe(2);
    expect(bodies.join('').split('\n').filter(Boolean)).toHaveLength(10);
  });

  it('retries transient failures with exponential backoff, then succeeds', async () => {
    const post = jest
      .fn<Promise<void>, [string]>()
      .mockRejectedValueOnce(refused())
      .mockRejectedValueOnce(new HttpError(503, 'Service Unavailable'))
      .mockResolvedValueOnce(undefined);
    const { sut, sleeps } = setup(post);
    await sut.write(samples(1));
    expect(post).toHaveBeenCalledTimes(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up after maxRetries with UnavailableError', async () => {
    const post = jest.fn<Promise<void>, [string]>().mockRejectedValue(refused());
    const { sut, sleeps } = setup(post, { maxRetries: 5 });
    const error = await sut.write(samples(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe(
      'InfluxDB write failed after 6 attempts: connect ECONNREFUSED',
    );
    expect(sleeps).toEqual([100, 200, 400, 800, 1000]);
  });

  it('honours Retry-After of a 429, capped at retryMaxMs', async () => {
    const post = jest
      .fn<Promise<void>, [string]>()
      .mockRejectedValueOnce(new HttpError(429, 'Too Many Requests', '', '3'))
      .mockResolvedValueOnce(undefined);
    const { sut, sleeps } = setup(post, { retryMaxMs: 2000 });
    await sut.write(samples(1));
    expect(sleeps).toEqual([2000]);
  });

  it('does not retry a refused body and reports it as ValidationError', async () => {
    const post = jest
      .fn<Promise<void>, [string]>()
      .mockRejectedValue(new HttpError(400, 'Bad Request', '{"error":"field type conflict"}'));
    const { sut } = setup(post);
    await expect(sut.write(samples(1))).rejects.toThrow(ValidationError);
    expect(post).toHaveBeenCalledTimes(1);
  });

  it('stops sending further chunks once one failed for good', async () => {
    const post = jest.fn<Promise<void>, [string]>().mockRejectedValue(new HttpError(404, 'nf'));
    const { sut } = setup(post, { batchSize: 1, maxInFlight: 1 });
    await expect(sut.write(samples(5))).rejects.toThrow(UnavailableError);
    expect(post).toHaveBeenCalledTimes(1);
  });

  it.each([{ batchSize: 0 }, { maxInFlight: 0 }, { maxRetries: -1 }])('refuses %j', (options) => {
    expect(() => setup(jest.fn(), options)).toThrow(/must be/);
  });
});
