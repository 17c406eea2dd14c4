import { decodeTelemetryBinary, isBinaryTelemetry, type TelemetrySample } from '@fleetfm/domain';
import { toMessages } from './fleet-feed';

const T0 = Date.UTC(2026, 0, 1);
const sample = (vehicleId: string, i: number): TelemetrySample => ({
  vehicleId,
  driverId: 'drv-1',
  ts: T0 + 100 * i,
  signals: { speed_mps: 10 + i, soc_pct: 80 },
});

describe('toMessages', () => {
  const samples = [sample('a', 0), sample('b', 0), sample('a', 1), sample('b', 1), sample('a', 2)];

  it('publishes one binary message per vehicle, keyed by vehicle, in sample order', () => {
    const messages = toMessages(samples);
    expect(messages.map((m) => m.key)).toEqual(['a', 'b']);
    expect(messages.every((m) => isBinaryTelemetry(m.value))).toBe(true);
    expect(decodeTelemetryBinary(messages[0].value).valid).toEqual([
      sample('a', 0),
      sample('a', 1),
      sample('a', 2),
    ]);
    expect(decodeTelemetryBinary(messages[1].value).valid).toEqual([
      sample('b', 0),
      sample('b', 1),
    ]);
  });

  it('publishes JSON arrays when asked', () => {
    const messages = toMessages(samples, 'json');
    expect(JSON.parse(messages[1].value.toString('utf8'))).toEqual([
      sample('b', 0),
      sample('b', 1),
    ]);
  });
});
