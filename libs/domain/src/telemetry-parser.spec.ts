import { MAX_BATCH_ITEMS, parseTelemetry, parseTelemetryJson } from './telemetry-parser';

const good = {
  vehicleId: 'veh-001',
  driverId: 'drv-7',
  ts: Date.UTC(2026, 0, 1),
  signals: { speed_mps: 12.5, soc_pct: 80, accel_mps2: -0.4 },
};

function onlyError(input: unknown): { field: string; reason: string } {
  const { valid, errors } = parseTelemetry(input);
  expect(valid).toHaveLength(0);
  expect(errors.length).toBeGreaterThanOrEqual(1);
  return { field: errors[0].field, reason: errors[0].reason };
}

describe('parseTelemetry', () => {
  it('accepts a valid sample and keeps its values', () => {
    const { valid, errors } = parseTelemetry(good);
    expect(errors).toEqual([]);
    expect(valid).toEqual([good]);
  });

  it('copies valid samples: later changes to the input do not reach them', () => {
    const input = { ...good, signals: { ...good.signals } };
    const { valid } = parseTelemetry(input);
    input.signals.speed_mps = 1;
    expect(valid[0].signals.speed_mps).toBe(12.5);
  });

  it('accepts ISO timestamps with a zone and converts them to epoch ms', () => {
    const { valid } = parseTelemetry({ ...good, ts: '2026-01-01T00:00:01.500Z' });
    expect(valid[0].ts).toBe(Date.UTC(2026, 0, 1, 0, 0, 1, 500));
  });

  it.each([
    ['not an object', 42, '', 'sample must be an object'],
    ['missing vehicle id', { ...good, vehicleId: undefined }, 'vehicleId', 'is required'],
    ['empty vehicle id', { ...good, vehicleId: '' }, 'vehicleId', 'is required'],
    [
      'vehicle id of wrong type',
      { ...good, vehicleId: 7 },
      'vehicleId',
      'must be 1-64 characters of [A-Za-z0-9._:-]',
    ],
    [
      'bad driver id',
      { ...good, driverId: 'a b' },
      'driverId',
      'must be 1-64 characters of [A-Za-z0-9._:-]',
    ],
    ['missing timestamp', { ...good, ts: undefined }, 'ts', 'is required'],
    [
      'fractional timestamp',
      { ...good, ts: 1.5e12 + 0.5 },
      'ts',
      'must be whole epoch milliseconds',
    ],
    ['timestamp out of range', { ...good, ts: 0 }, 'ts', 'is outside 2000-01-01 .. 2100-01-01'],
    [
      'timestamp without zone',
      { ...good, ts: '2026-01-01T00:00:00' },
      'ts',
      'must be epoch milliseconds or an ISO-8601 timestamp with a zone',
    ],
    ['missing signals', { ...good, signals: undefined }, 'signals', 'is required'],
    ['signals not an object', { ...good, signals: [1, 2] }, 'signals', 'must be an object'],
    ['no signal at all', { ...good, signals: {} }, 'signals', 'must hold at least one signal'],
    [
      'signal of wrong type',
      { ...good, signals: { speed_mps: '12' } },
      'signals.speed_mps',
      'must be a number',
    ],
    [
      'non-finite signal',
      { ...good, signals: { speed_mps: Infinity } },
      'signals.speed_mps',
      'must be finite',
    ],
    ['NaN signal', { ...good, signals: { speed_mps: NaN } }, 'signals.speed_mps', 'must be finite'],
    [
      'out-of-range signal',
      { ...good, signals: { speed_mps: -3 } },
      'signals.speed_mps',
      'out of range [0, 90] m/s',
    ],
    [
      'unknown signal',
      { ...good, signals: { speed_mps: 1, warp_factor: 9 } },
      'signals.warp_factor',
      'unknown signal',
    ],
    ['unknown field', { ...good, extra: true }, 'extra', 'unknown field'],
  ])('rejects %s', (_name, input, field, reason) => {
    expect(onlyError(input)).toEqual({ field, reason });
  });

  it('reports every error of an item, with the item index', () => {
    const { errors } = parseTelemetry([good, { ts: 'x', signals: { speed_mps: -1 } }]);
    expect(errors.map((e) => [e.index, e.field])).toEqual([
      [1, 'vehicleId'],
      [1, 'ts'],
      [1, 'signals.speed_mps'],
    ]);
  });

  it('keeps the valid items of a mixed batch with their input positions', () => {
    const { valid, validIndex, errors } = parseTelemetry([{ bad: 1 }, good, good]);
    expect(valid).toHaveLength(2);
    expect(validIndex).toEqual([1, 2]);
    expect(new Set(errors.map((e) => e.index))).toEqual(new Set([0]));
  });

  it('refuses an oversized batch item by item', () => {
    const batch = new Array(MAX_BATCH_ITEMS + 1).fill(good);
    const { valid, errors } = parseTelemetry(batch);
    expect(valid).toHaveLength(0);
    expect(errors).toHaveLength(MAX_BATCH_ITEMS + 1);
    expect(errors[0].reason).toMatch(/at most 10000/);
  });
});

describe('parseTelemetryJson', () => {
  it('returns the same samples as parseTelemetry', () => {
    const input = [good, { ...good, ts: '2026-01-01T00:00:01Z' }, { ...good, driverId: undefined }];
    const fromJson = parseTelemetryJson(JSON.stringify(input));
    expect(fromJson).toEqual(parseTelemetry(JSON.parse(JSON.stringify(input))));
    expect(fromJson.valid[1].ts).toBe(Date.UTC(2026, 0, 1, 0, 0, 1));
  });

  it('rejects empty ids in a fresh process, before any valid id was cached', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('./telemetry-parser') as typeof import('./telemetry-parser');
      const { valid, errors } = fresh.parseTelemetryJson(
        JSON.stringify([
          { ...good, driverId: '' },
          { ...good, vehicleId: '' },
        ]),
      );
      expect(valid).toEqual([]);
      expect(errors.map((e) => e.field)).toEqual(['driverId', 'vehicleId']);
    });
  });

  it('parses bytes', () => {
    expect(parseTelemetryJson(Buffer.from(JSON.stringify([good]))).valid).toHaveLength(1);
  });

  it('turns bad JSON into one error with the reason', () => {
    const { valid, errors } = parseTelemetryJson('{"vehicleId": ');
    expect(valid).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0].reason).toMatch(/^invalid JSON/);
  });
});
