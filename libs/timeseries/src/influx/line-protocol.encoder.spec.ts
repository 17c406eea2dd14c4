import { ValidationError, type TelemetrySample } from '@fleetfm/domain';
import { LineProtocolEncoder } from './line-protocol.encoder';

const T0 = Date.UTC(2026, 0, 1); // 1767225600000

describe('LineProtocolEncoder', () => {
  const sut = new LineProtocolEncoder();

  it.each<[string, TelemetrySample, string]>([
    [
      'signals in schema order, driver and presence fields, ms timestamp',
      { vehicleId: 'veh-1', driverId: 'drv-7', ts: T0, signals: { speed_mps: 12.5, soc_pct: 80 } },
      'telemetry,vehicle_id=veh-1 soc_pct=80,speed_mps=12.5,driver_id="drv-7",signals="soc_pct,speed_mps" 1767225600000\n',
    ],
    [
      'no driver as an empty string',
      { vehicleId: 'v', ts: T0 + 1, signals: { accel_mps2: -0.25 } },
      'telemetry,vehicle_id=v accel_mps2=-0.25,driver_id="",signals="accel_mps2" 1767225600001\n',
    ],
    [
      'no signals at all',
      { vehicleId: 'v', ts: T0, signals: {} },
      'telemetry,vehicle_id=v driver_id="",signals="" 1767225600000\n',
    ],
    [
      'tag and string escapes',
      { vehicleId: 'a b,c=d', driverId: 'say "hi"\\', ts: T0, signals: { speed_mps: 1e-7 } },
      'telemetry,vehicle_id=a\\ b\\,c\\=d speed_mps=1e-7,driver_id="say \\"hi\\"\\\\",signals="speed_mps" 1767225600000\n',
    ],
    [
      'non-finite values dropped (InfluxDB refuses them)',
      { vehicleId: 'v', ts: T0, signals: { speed_mps: 3, soc_pct: Number.NaN } },
      'telemetry,vehicle_id=v speed_mps=3,driver_id="",signals="speed_mps" 1767225600000\n',
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
      'telemetry,vehicle_id=v speed_mps=1,driver_id="",signals="speed_mps" 1767225600001\n',
    );
  });

  it.each([
    ['a fractional timestamp', { vehicleId: 'v', ts: T0 + 0.5, signals: {} }],
    ['an empty vehicle id', { vehicleId: '', ts: T0, signals: {} }],
  ])('refuses %s', (_name, sample) => {
    expect(() => sut.encode([sample])).toThrow(ValidationError);
  });
});
