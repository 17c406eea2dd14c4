import { ValidationError, type TelemetrySample } from '@fleetfm/domain';
import { DRIVER_BIT, LineProtocolEncoder } from './line-protocol.encoder';

const T0 = Date.UTC(2026, 0, 1); // 1767225600000

describe('LineProtocolEncoder', () => {
  const sut = new LineProtocolEncoder();

  it('puts the driver bit above the bits reserved for signals', () => {
    expect(DRIVER_BIT).toBe(32768);
  });

  it.each<[string, TelemetrySample, string]>([
    [
      'signals in schema order, driver and presence mask (bits 7, 8 and driver), ms timestamp',
      { vehicleId: 'veh-1', driverId: 'drv-7', ts: T0, signals: { speed_mps: 12.5, soc_pct: 80 } },
      'telemetry,vehicle_id=veh-1 soc_pct=80,speed_mps=12.5,driver_id="drv-7",present=33152i 1767225600000\n',
    ],
    [
      'no driver: no driver field, driver bit clear',
      { vehicleId: 'v', ts: T0 + 1, signals: { accel_mps2: -0.25 } },
      'telemetry,vehicle_id=v accel_mps2=-0.25,present=1i 1767225600001\n',
    ],
    [
      'no signals and no driver: the mask alone, 0',
      { vehicleId: 'v', ts: T0, signals: {} },
      'telemetry,vehicle_id=v present=0i 1767225600000\n',
    ],
    [
      'no signals but a driver',
      { vehicleId: 'v', driverId: 'd', ts: T0, signals: {} },
      'telemetry,vehicle_id=v driver_id="d",present=32768i 1767225600000\n',
    ],
    [
      'an empty driver id as an empty string with the driver bit',
      { vehicleId: 'v', driverId: '', ts: T0, signals: { brake_pct: 0 } },
      'telemetry,vehicle_id=v brake_pct=0,driver_id="",present=32776i 1767225600000\n',
    ],
    [
      'all nine signals (mask 511)',
      {
        vehicleId: 'v',
        ts: T0,
        signals: {
          accel_mps2: 1,
          battery_current_a: 2,
          battery_voltage_v: 3,
          brake_pct: 4,
          grade_pct: 5,
          motor_torque_nm: 6,
          pedal_pct: 7,
          soc_pct: 8,
          speed_mps: 9,
        },
      },
      'telemetry,vehicle_id=v accel_mps2=1,battery_current_a=2,battery_voltage_v=3,brake_pct=4,' +
        'grade_pct=5,motor_torque_nm=6,pedal_pct=7,soc_pct=8,speed_mps=9,present=511i 1767225600000\n',
    ],
    [
      'tag and string escapes',
      { vehicleId: 'a b,c=d', driverId: 'say "hi"\\', ts: T0, signals: { speed_mps: 1e-7 } },
      'telemetry,vehicle_id=a\\ b\\,c\\=d speed_mps=1e-7,driver_id="say \\"hi\\"\\\\",present=33024i 1767225600000\n',
    ],
    [
      'non-finite values dropped (InfluxDB refuses them), their bits clear',
      {
        vehicleId: 'v',
        ts: T0,
        signals: { speed_mps: 3, soc_pct: Number.NaN, pedal_pct: -Infinity },
      },
      'telemetry,vehicle_id=v speed_mps=3,present=256i 1767225600000\n',
    ],
  ])('encodes %s', (_name, sample, line) => {
    expect(sut.encode([sample])).toBe(line);
  });

  it('encodes a slice of the batch', () => {
    const samples = [0, 1, 2].map((i) => ({
      vehicleId: 'v',
      ts: T0 + i,
      signals: { speed_mps: i },
    }));
    expect(sut.encode(samples, 1, 2)).toBe(
      'telemetry,vehicle_id=v speed_mps=1,present=256i 1767225600001\n',
    );
  });

  it('switches vehicles and drivers within a chunk (cached escapes stay per value)', () => {
    const samples: TelemetrySample[] = [
      { vehicleId: 'a b', driverId: 'x"', ts: T0, signals: { soc_pct: 1 } },
      { vehicleId: 'a b', driverId: 'y', ts: T0 + 1, signals: { soc_pct: 2 } },
      { vehicleId: 'c', driverId: 'x"', ts: T0 + 2, signals: { soc_pct: 3 } },
      { vehicleId: 'a b', ts: T0 + 3, signals: { soc_pct: 4 } },
    ];
    const lines = [
      'telemetry,vehicle_id=a\\ b soc_pct=1,driver_id="x\\"",present=32896i 1767225600000',
      'telemetry,vehicle_id=a\\ b soc_pct=2,driver_id="y",present=32896i 1767225600001',
      'telemetry,vehicle_id=c soc_pct=3,driver_id="x\\"",present=32896i 1767225600002',
      'telemetry,vehicle_id=a\\ b soc_pct=4,present=128i 1767225600003',
    ];
    expect(sut.encode(samples)).toBe(lines.join('\n') + '\n');
    expect(sut.encode(samples)).toBe(lines.join('\n') + '\n');
  });

  it.each([
    ['a fractional timestamp', { vehicleId: 'v', ts: T0 + 0.5, signals: {} }],
    ['an empty vehicle id', { vehicleId: '', ts: T0, signals: {} }],
  ])('refuses %s', (_name, sample) => {
    expect(() => sut.encode([sample])).toThrow(ValidationError);
  });

  it('refuses an empty vehicle id after a valid one in the same chunk', () => {
    const samples = [
      { vehicleId: 'v', ts: T0, signals: {} },
      { vehicleId: '', ts: T0 + 1, signals: {} },
    ];
    expect(() => sut.encode(samples)).toThrow(ValidationError);
  });
});
