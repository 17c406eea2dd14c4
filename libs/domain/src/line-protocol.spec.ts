import { parseLineProtocol } from './line-protocol';

const T0 = Date.UTC(2026, 0, 1); // 1767225600000 ms
const NOW = T0 + 42;
const parse = (text: string, precision?: 'ns' | 'us' | 'ms' | 's') =>
  parseLineProtocol(text, { now: NOW, precision });

describe('parseLineProtocol', () => {
  it('parses tags, fields and a ns timestamp (the default precision)', () => {
    const out = parse(
      'telemetry,vehicle_id=veh-1,driver_id=drv-7 speed_mps=12.5,soc_pct=80i,accel_mps2=-4e-1 1767225600001000000',
    );
    expect(out.errors).toEqual([]);
    expect(out.valid).toEqual([
      {
        vehicleId: 'veh-1',
        driverId: 'drv-7',
        ts: T0 + 1,
        signals: { speed_mps: 12.5, soc_pct: 80, accel_mps2: -0.4 },
      },
    ]);
    expect(out.validLine).toEqual([1]);
    expect(out.points).toBe(1);
  });

  it.each([
    ['ns', '1767225600001999999', T0 + 1],
    ['us', '1767225600001999', T0 + 1],
    ['ms', '1767225600001', T0 + 1],
    ['s', '1767225600', T0],
  ] as const)('reads %s timestamps, truncated to ms', (precision, stamp, ms) => {
    expect(parse(`telemetry,vehicle_id=v speed_mps=1 ${stamp}`, precision).valid[0].ts).toBe(ms);
  });

  it('gives a point without timestamp the current time', () => {
    expect(parse('telemetry,vehicle_id=v speed_mps=1').valid[0].ts).toBe(NOW);
  });

  it('skips blank lines and comments, handles CRLF, numbers lines from 1', () => {
    const out = parse(
      '# header\r\n\r\ntelemetry,vehicle_id=a speed_mps=1 1767225600000\r\n  \ntelemetry,vehicle_id=b speed_mps=2 1767225600000\n',
      'ms',
    );
    expect(out.valid.map((s) => s.vehicleId)).toEqual(['a', 'b']);
    expect(out.validLine).toEqual([3, 5]);
    expect(out.points).toBe(2);
  });

  it('unescapes tag values and keeps escaped spaces inside them', () => {
    // "a\ b" is a valid tag but not a valid vehicle id: the id rule reports it.
    const out = parse('telemetry,vehicle_id=a\\ b speed_mps=1 1767225600000', 'ms');
    expect(out.errors).toEqual([
      {
        line: 1,
        field: 'tags.vehicle_id',
        value: 'a b',
        reason: 'must be 1-64 characters of [A-Za-z0-9._:-]',
      },
    ]);
  });

  it.each([
    ['a wrong measurement', 'cpu,vehicle_id=v speed_mps=1', 'measurement', 'must be "telemetry"'],
    [
      'an unknown tag',
      'telemetry,vehicle_id=v,host=x speed_mps=1',
      'tags.host',
      'unknown tag (expected vehicle_id, driver_id)',
    ],
    ['a missing vehicle id', 'telemetry speed_mps=1', 'tags.vehicle_id', 'is required'],
    [
      'an unknown signal',
      'telemetry,vehicle_id=v speed_mps=1,warp=9',
      'fields.warp',
      'unknown signal',
    ],
    [
      'a string field',
      'telemetry,vehicle_id=v speed_mps="fast"',
      'fields.speed_mps',
      'must be a number',
    ],
    [
      'a boolean field',
      'telemetry,vehicle_id=v speed_mps=t',
      'fields.speed_mps',
      'must be a number',
    ],
    [
      'an out-of-range value',
      'telemetry,vehicle_id=v speed_mps=-1',
      'fields.speed_mps',
      'out of range [0, 90] m/s',
    ],
    [
      'a timestamp out of range',
      'telemetry,vehicle_id=v speed_mps=1 0',
      'timestamp',
      'is outside 2000-01-01 .. 2100-01-01',
    ],
  ])('refuses %s', (_name, line, field, reason) => {
    const out = parse(line);
    expect(out.valid).toEqual([]);
    expect(out.errors[0]).toMatchObject({ line: 1, field, reason });
  });

  it.each([
    ['no field set', 'telemetry,vehicle_id=v', 'missing field set'],
    ['a tag without value', 'telemetry,vehicle_id= speed_mps=1', 'tag vehicle_id has no value'],
    ['a bad field value', 'telemetry,vehicle_id=v speed_mps=abc', 'invalid field value "abc"'],
    [
      'an unterminated string',
      'telemetry,vehicle_id=v speed_mps="x',
      'unterminated string in field speed_mps',
    ],
    ['a bad timestamp', 'telemetry,vehicle_id=v speed_mps=1 12:00', 'invalid timestamp "12:00"'],
  ])('reports a syntax error for %s', (_name, line, reason) => {
    const out = parse(line);
    expect(out.errors).toEqual([
      { line: 1, field: '', value: line, reason: `invalid line protocol: ${reason}` },
    ]);
  });

  it('keeps valid lines of a mixed body and reports the others by line', () => {
    const out = parse(
      [
        'telemetry,vehicle_id=a speed_mps=1 1767225600000',
        'telemetry,vehicle_id=b speed_mps=999 1767225600000',
        'garbage',
        'telemetry,vehicle_id=c speed_mps=3 1767225600000',
      ].join('\n'),
      'ms',
    );
    expect(out.validLine).toEqual([1, 4]);
    expect(out.errors.map((e) => e.line)).toEqual([2, 3]);
    expect(out.points).toBe(4);
  });
});
