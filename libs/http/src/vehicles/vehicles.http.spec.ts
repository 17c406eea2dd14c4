import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TimeSeriesStore } from '@fleetfm/timeseries';
import { createApiApp } from '../bootstrap';
import { readyApp, strictStore } from '../testing/http-test-app';

const T0 = Date.UTC(2026, 0, 1);

describe('vehicles HTTP API', () => {
  let app: NestFastifyApplication;
  let store: jest.Mocked<TimeSeriesStore>;

  beforeEach(async () => {
    store = strictStore();
    app = await readyApp(store);
  });

  afterEach(async () => {
    await app.close();
  });

  it('lists vehicles sorted by id', async () => {
    store.listVehicles.mockResolvedValue([
      { vehicleId: 'veh-2', firstTs: T0, lastTs: T0 + 10 },
      { vehicleId: 'veh-1', firstTs: T0, lastTs: T0 + 20 },
    ]);
    const res = await app.inject({ method: 'GET', url: '/v1/vehicles' });
    expect(res.statusCode).toBe(200);
    expect(res.json().vehicles.map((v: { vehicleId: string }) => v.vehicleId)).toEqual([
      'veh-1',
      'veh-2',
    ]);
  });

  it('returns raw telemetry columns with null for missing values', async () => {
    store.query.mockResolvedValue({
      vehicleId: 'veh-1',
      ts: Float64Array.from([T0, T0 + 100]),
      columns: { speed_mps: Float64Array.from([1, Number.NaN]) },
    });
    const res = await app.inject({
      method: 'GET',
      url: `/v1/vehicles/veh-1/telemetry?from=${T0}&to=2026-01-01T00:01:00Z&signals=speed_mps`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      vehicleId: 'veh-1',
      from: T0,
      to: T0 + 60_000,
      signals: ['speed_mps'],
      count: 2,
      ts: [T0, T0 + 100],
      values: { speed_mps: [1, null] },
    });
    expect(store.query).toHaveBeenCalledWith({
      vehicleId: 'veh-1',
      from: T0,
      to: T0 + 60_000,
      signals: ['speed_mps'],
    });
  });

  it('defaults the window to the 15 minutes before the latest sample', async () => {
    store.latest.mockResolvedValue({ vehicleId: 'veh-1', ts: T0, signals: { speed_mps: 3 } });
    store.query.mockResolvedValue({ vehicleId: 'veh-1', ts: new Float64Array(0), columns: {} });
    const res = await app.inject({ method: 'GET', url: '/v1/vehicles/veh-1/telemetry' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ from: T0 + 1 - 15 * 60_000, to: T0 + 1 });
  });

  it('downsamples with every', async () => {
    store.downsample.mockResolvedValue({
      vehicleId: 'veh-1',
      every: 10_000,
      bucketStart: Float64Array.from([T0]),
      columns: {
        soc_pct: {
          mean: Float64Array.from([50]),
          min: Float64Array.from([49]),
          max: Float64Array.from([51]),
        },
      },
    });
    const res = await app.inject({
      method: 'GET',
      url: `/v1/vehicles/veh-1/telemetry?from=${T0}&to=${T0 + 10_000}&signals=soc_pct&every=10s`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      every: 10_000,
      ts: [T0],
      values: { soc_pct: { mean: [50], min: [49], max: [51] } },
    });
  });

  it('answers 404 for a vehicle without telemetry', async () => {
    store.latest.mockResolvedValue(undefined);
    const res = await app.inject({ method: 'GET', url: '/v1/vehicles/nope/telemetry' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found' });
  });

  it.each([
    ['an unknown signal', `signals=warp&from=${T0}&to=${T0 + 1}`, 400, /unknown signal/],
    ['a bad instant', 'from=yesterday&to=1767225600000', 400, /from must be/],
    ['a bad duration', `every=fast&from=${T0}&to=${T0 + 1}`, 400, /every must be/],
    ['from after to', `from=${T0 + 5}&to=${T0}`, 400, /must be before/],
    ['an unknown query key', 'colour=red', 400, /colour should not exist/],
    ['a raw span over 24h', `from=${T0}&to=${T0 + 25 * 3_600_000}`, 422, /every/],
  ])('rejects %s', async (_name, qs, status, message) => {
    const res = await app.inject({ method: 'GET', url: `/v1/vehicles/veh-1/telemetry?${qs}` });
    expect(res.statusCode).toBe(status);
    expect(res.json().message).toMatch(message);
  });

  it('hides internal errors behind a correlation id', async () => {
    store.listVehicles.mockRejectedValue(new Error('disk on fire'));
    const res = await app.inject({ method: 'GET', url: '/v1/vehicles' });
    expect(res.statusCode).toBe(500);
    expect(res.json().correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).not.toContain('disk on fire');
  });

  it('serves health, and 503 when the store is down', async () => {
    store.health.mockResolvedValueOnce({ ok: true, kind: 'embedded' });
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    store.health.mockResolvedValueOnce({ ok: false, kind: 'embedded', detail: 'x' });
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'degraded' });
  });

  it('documents the API with OpenAPI', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(
      expect.arrayContaining(['/health', '/v1/vehicles', '/v1/vehicles/{id}/telemetry']),
    );
    expect((await app.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(200);
  });
});

describe('dashboard', () => {
  it('serves the page, its script and plotly.js', async () => {
    const app = await createApiApp(
      {
        store: {} as TimeSeriesStore,
        info: { version: 'test', startedAt: Date.now(), adapters: {}, components: [] },
      },
      { logLevel: 'error' },
    );
    await app.init();
    try {
      const page = await app.inject({ method: 'GET', url: '/' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('/assets/plotly.min.js');
      const plotly = await app.inject({ method: 'GET', url: '/assets/plotly.min.js' });
      expect(plotly.statusCode).toBe(200);
      expect(plotly.body.length).toBeGreaterThan(1_000_000);
      expect((await app.inject({ method: 'GET', url: '/assets/dashboard.js' })).statusCode).toBe(
        200,
      );
      expect((await app.inject({ method: 'GET', url: '/assets/x.js' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
