import type { TelemetrySample } from './telemetry';
import { encodeTelemetryBatch, isBinaryTelemetry, TELEMETRY_BINARY_MAGIC } from './telemetry-codec';
import { decodeTelemetryBinary } from './telemetry-codec.decoder';
import { MAX_BATCH_ITEMS, parseTelemetry } from './telemetry-parser';

const T0 = Date.UTC(2024, 0, 1);

function run(n: number): TelemetrySample[] {
  return Array.from({ length: n }, (_, i) => ({
    vehicleId: 'veh-7',
    ...(i % 3 === 0 ? {} : { driverId: i % 3 === 1 ? 'drv-a' : 'drv-b' }),
    ts: T0 + 100 * i,
    signals:
      i % 4 === 0
        ? { speed_mps: i / 3 }
        : { soc_pct: 80 - i / 7, speed_mps: 12.5 + i, accel_mps2: -0.25 * (i % 5) },
  }));
}

/** Re-encodes `samples` with one sample's signal replaced (values the type would not allow). */
function withSignals(
  signals: Record<string, number>,
  extra: Partial<TelemetrySample> = {},
): TelemetrySample {
  return { vehicleId: 'veh-1', ts: T0, ...extra, signals } as TelemetrySample;
}

describe('telemetry binary codec', () => {
  it('writes the documented layout (golden bytes of a one-sample message)', () => {
    const bytes = encodeTelemetryBatch([
      { vehicleId: 'v1', driverId: 'd', ts: 1000, signals: { speed_mps: 2 } },
    ]);
    const hex = (xs: number[]): string => Buffer.from(xs).toString('hex');
    const f64 = (x: number): string => {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(x);
      return b.toString('hex');
    };
    const expected =
      hex([0xf7, 0x46, 0x54, 1]) +
      hex([1, 0, 0, 0]) + // n = 1
      hex([2, 0x76, 0x31]) + // "v1"
      hex([1, 1, 0x64]) + // one driver "d"
      hex([0]) + // sample 0 -> driver 0
      f64(1000) +
      hex([1, 9]) +
      Buffer.from('speed_mps').toString('hex') +
      hex([1]) + // presence
      f64(2);
    expect(bytes.toString('hex')).toBe(expected);
  });

  it('round-trips samples with and without drivers and with partial signals', () => {
    const samples = run(37);
    const decoded = decodeTelemetryBinary(encodeTelemetryBatch(samples));
    expect(decoded.errors).toEqual([]);
    expect(decoded.valid).toEqual(samples);
    expect(decoded.validIndex).toEqual(samples.map((_, i) => i));
  });

  it('reads messages at any byte offset of a larger buffer (as Kafka hands them over)', () => {
    const message = encodeTelemetryBatch(run(5));
    const big = Buffer.alloc(message.length + 3);
    message.copy(big, 3);
    expect(decodeTelemetryBinary(big.subarray(3)).valid).toEqual(run(5));
  });

  it('is about a quarter of the JSON size for full samples', () => {
    const samples = run(100).map((s) => ({
      ...s,
      signals: { ...s.signals, brake_pct: 0, pedal_pct: 12.3456789, grade_pct: 1.5 },
    }));
    const binary = encodeTelemetryBatch(samples).length;
    expect(binary).toBeLessThan(Buffer.byteLength(JSON.stringify(samples)) / 2.5);
  });

  it('an empty run is a valid empty message', () => {
    expect(decodeTelemetryBinary(encodeTelemetryBatch([]))).toEqual({
      valid: [],
      validIndex: [],
      errors: [],
    });
  });

  it('is told from JSON by its first byte', () => {
    expect(isBinaryTelemetry(encodeTelemetryBatch(run(1)))).toBe(true);
    for (const json of ['[]', ' {"a":1}', '"x"', '\ufeff[]', '']) {
      expect(isBinaryTelemetry(Buffer.from(json))).toBe(false);
    }
    expect(TELEMETRY_BINARY_MAGIC).toBeGreaterThan(0xf4); // never a UTF-8 lead byte
  });

  // Signal errors come in the message's column order (schema order), JSON's in key order.
  it('gives the JSON parser’s errors, field by field, for every invalid sample', () => {
    const cases: TelemetrySample[][] = [
      [withSignals({ speed_mps: NaN })],
      [withSignals({ soc_pct: -Infinity, speed_mps: Infinity })],
      [withSignals({ soc_pct: 50, speed_mps: 91 })],
      [withSignals({ bogus_signal: 1 })],
      [withSignals({})],
      [withSignals({ speed_mps: 1 }, { ts: T0 + 0.5 })],
      [withSignals({ speed_mps: 1 }, { ts: Date.UTC(1999, 0, 1) })],
      [withSignals({ speed_mps: 1 }, { ts: NaN })],
      [withSignals({ speed_mps: 1 }, { vehicleId: '' })],
      [withSignals({ speed_mps: 1 }, { vehicleId: 'bad id' })],
      [withSignals({ speed_mps: 1 }, { driverId: 'bad driver!' })],
      // a mixed run: only the bad items are refused, in item order
      [
        withSignals({ speed_mps: 1 }),
        withSignals({ soc_pct: 120, speed_mps: -1 }, { ts: T0 + 1, driverId: 'x y' }),
        withSignals({ soc_pct: 50 }, { ts: T0 + 2 }),
      ],
    ];
    for (const samples of cases) {
      const binary = decodeTelemetryBinary(encodeTelemetryBatch(samples));
      const reference = parseTelemetry(samples.map((s) => ({ ...s, signals: { ...s.signals } })));
      expect(binary.errors.length).toBeGreaterThan(0);
      expect(binary).toEqual(reference);
    }
  });

  it('refuses an empty driver id', () => {
    const decoded = decodeTelemetryBinary(
      encodeTelemetryBatch([withSignals({ speed_mps: 1 }, { driverId: '' })]),
    );
    expect(decoded.errors).toEqual([
      {
        index: 0,
        field: 'driverId',
        value: '',
        reason: 'must be 1-64 characters of [A-Za-z0-9._:-]',
      },
    ]);
  });

  it('keeps duplicates and out-of-order samples (the store deduplicates by time)', () => {
    const [a, b] = run(2);
    const samples = [b, a, b];
    expect(decodeTelemetryBinary(encodeTelemetryBatch(samples)).valid).toEqual(samples);
  });

  it('refuses runs above MAX_BATCH_ITEMS item by item, like the JSON parser', () => {
    const decoded = decodeTelemetryBinary(encodeTelemetryBatch(run(MAX_BATCH_ITEMS + 1)));
    expect(decoded.valid).toEqual([]);
    expect(decoded.errors).toHaveLength(MAX_BATCH_ITEMS + 1);
    expect(decoded.errors[0].reason).toBe(
      `batch has ${MAX_BATCH_ITEMS + 1} items; at most ${MAX_BATCH_ITEMS} are accepted`,
    );
  });

  it('turns every truncation of a message into one error, never a throw', () => {
    const message = encodeTelemetryBatch(run(9));
    for (let length = 1; length < message.length; length++) {
      const decoded = decodeTelemetryBinary(message.subarray(0, length));
      expect(decoded.valid).toEqual([]);
      expect(decoded.errors).toHaveLength(1);
      expect(decoded.errors[0]).toMatchObject({ index: 0, field: '' });
      expect(decoded.errors[0].reason).toMatch(/^invalid binary telemetry: (truncated|bad magic)/);
    }
  });

  it('names what is wrong with a malformed message', () => {
    const message = encodeTelemetryBatch([
      { vehicleId: 'v1', driverId: 'd', ts: T0, signals: { speed_mps: 2 } },
    ]);
    const reason = (bytes: Buffer): string => decodeTelemetryBinary(bytes).errors[0].reason;
    const patched = (at: number, value: number): Buffer => {
      const copy = Buffer.from(message);
      copy[at] = value;
      return copy;
    };
    expect(reason(patched(3, 9))).toBe(
      'invalid binary telemetry: unsupported version 9 (this reader knows 1)',
    );
    expect(reason(patched(1, 0))).toBe('invalid binary telemetry: bad magic bytes');
    expect(reason(Buffer.concat([message, Buffer.from([0])]))).toBe(
      `invalid binary telemetry: trailing bytes after byte ${message.length}`,
    );
    expect(reason(patched(14, 3))).toBe('invalid binary telemetry: sample 0 names driver 3 of 1');
    const twice = encodeTelemetryBatch([withSignals({ aaa: 1, bbb: 2 })]);
    twice.write('aaa', twice.indexOf('bbb'));
    expect(reason(twice)).toBe('invalid binary telemetry: signal aaa appears twice');
  });

  it('refuses to mix vehicles in one message', () => {
    expect(() =>
      encodeTelemetryBatch([
        withSignals({ speed_mps: 1 }),
        withSignals({ speed_mps: 1 }, { vehicleId: 'v2' }),
      ]),
    ).toThrow(RangeError);
  });
});
