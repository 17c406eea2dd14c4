import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { UnavailableError } from '@fleetfm/domain';
import { TimeSeriesStore } from '@fleetfm/timeseries';
import { readyApp, strictStore } from '../testing/http-test-app';

const T0 = Date.UTC(2026, 0, 1);
const T0_NS = '1767225600000000000';

const good = { vehicleId: 'veh-1', driverId: 'drv-7', ts: T0, signals: { speed_mps: 12.5 } };

describe('POST /v1/telemetry', () => {
  let app: NestFastifyApplication;
  let store: jest.Mocked<TimeSeriesStore>;

  beforeEach(async () => {
    store = strictStore();
    app = await readyApp(store);
  });

  afterEach(async () => {
    await app.close();
  });

  const postJson = (payload: unknown) =>
    app.inject({ method: 'POST', url: '/v1/telemetry', payload: payload as object });
  const postLines = (payload: string, query = '') =>
    app.inject({
      method: 'POST',
      url: `/v1/telemetry${query}`,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      payload,
    });

  it('stores a JSON array and answers 200', async () => {
    store.write.mockResolvedValue(undefined);
    const res = await postJson([good, { ...good, ts: T0 + 100 }]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 2, rejected: 0, errors: [] });
    expect(store.write).toHaveBeenCalledWith([good, { ...good, ts: T0 + 100 }]);
  });

  it('accepts a single JSON sample', async () => {
    store.write.mockResolvedValue(undefined);
    const res = await postJson(good);
    expect(res.statusCode).toBe(200);
    expect(store.write).toHaveBeenCalledWith([good]);
  });

  it('stores the valid part of a mixed batch and answers 207 with per-item errors', async () => {
    store.write.mockResolvedValue(undefined);
    const res = await postJson([good, { ...good, signals: { speed_mps: -1 } }]);
    expect(res.statusCode).toBe(207);
    expect(res.json()).toEqual({
      accepted: 1,
      rejected: 1,
      errors: [
        { index: 1, field: 'signals.speed_mps', value: -1, reason: 'out of range [0, 90] m/s' },
      ],
    });
    expect(store.write).toHaveBeenCalledWith([good]);
  });

  it('answers 422 and stores nothing when every item is invalid', async () => {
    const res = await postJson([{ vehicleId: 'a b', ts: T0, signals: { speed_mps: 1 } }]);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      accepted: 0,
      rejected: 1,
      errors: [{ index: 0, field: 'vehicleId' }],
    });
    expect(store.write).not.toHaveBeenCalled();
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/telemetry',
      headers: { 'content-type': 'application/json' },
      payload: '{"vehicleId":',
    });
    expect(res.statusCode).toBe(400);
    expect(store.write).not.toHaveBeenCalled();
  });

  it('answers 415 for other content types', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/telemetry',
      headers: { 'content-type': 'application/xml' },
      payload: '<sample/>',
    });
    expect(res.statusCode).toBe(415);
  });

  it('stores line protocol with ns timestamps by default', async () => {
    store.write.mockResolvedValue(undefined);
    const res = await postLines(
      `telemetry,vehicle_id=veh-1,driver_id=drv-7 speed_mps=12.5 ${T0_NS}\n` +
        `telemetry,vehicle_id=veh-2 speed_mps=3,soc_pct=80 ${T0_NS}\n`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 2, rejected: 0, errors: [] });
    expect(store.write).toHaveBeenCalledWith([
      good,
      { vehicleId: 'veh-2', ts: T0, signals: { speed_mps: 3, soc_pct: 80 } },
    ]);
  });

  it('reads line protocol timestamps in the precision asked for', async () => {
    store.write.mockResolvedValue(undefined);
    const res = await postLines(`telemetry,vehicle_id=v speed_mps=1 ${T0 / 1000}`, '?precision=s');
    expect(res.statusCode).toBe(200);
    expect(store.write).toHaveBeenCalledWith([
      { vehicleId: 'v', ts: T0, signals: { speed_mps: 1 } },
    ]);
  });

  it('reports bad lines by line number (207)', async () => {
    store.write.mockResolvedValue(undefined);
    const res = await postLines(
      `telemetry,vehicle_id=v speed_mps=1 ${T0_NS}\ncpu,host=x load=1 ${T0_NS}\n`,
    );
    expect(res.statusCode).toBe(207);
    expect(res.json()).toEqual({
      accepted: 1,
      rejected: 1,
      errors: [
        { line: 2, field: 'measurement', value: 'cpu', reason: 'must be "telemetry"' },
        {
          line: 2,
          field: 'tags.host',
          value: 'x',
          reason: 'unknown tag (expected vehicle_id, driver_id)',
        },
      ],
    });
  });

  it('answers 422 when no line is valid', async () => {
    const res = await postLines('garbage');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ accepted: 0, rejected: 1, errors: [{ line: 1 }] });
    expect(store.write).not.toHaveBeenCalled();
  });

  it('refuses an unknown precision with 400', async () => {
    const res = await postLines('telemetry,vehicle_id=v speed_mps=1', '?precision=min');
    expect(res.statusCode).toBe(400);
  });

  it('answers 503 and reports nothing as stored when the store is unavailable', async () => {
    store.write.mockRejectedValue(new UnavailableError('InfluxDB write failed after 5 attempts'));
    const res = await postJson([good]);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'unavailable' });
  });

  it('lists at most 1000 errors but counts all', async () => {
    const bad = Array.from({ length: 1500 }, () => ({ ...good, signals: { speed_mps: -1 } }));
    const res = await postJson(bad);
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.rejected).toBe(1500);
    expect(body.errors).toHaveLength(1000);
    expect(body.errorsTruncated).toBe(true);
  });

  it('is documented in OpenAPI with both content types and the 207/422 convention', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    const op = doc.paths['/v1/telemetry'].post;
    expect(Object.keys(op.requestBody.content).sort()).toEqual(['application/json', 'text/plain']);
    expect(Object.keys(op.responses)).toEqual(
      expect.arrayContaining(['200', '207', '400', '415', '422', '503']),
    );
  });
});
