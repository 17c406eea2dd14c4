import { encodeTelemetryBatch, type TelemetrySample } from '@fleetfm/domain';
import type { OutgoingMessage } from '../../telemetry-stream.port';
import type { VehicleTotals } from './influx-probe';

/**
 * Deterministic telemetry for the reliability tests. Signal values are integers so that sums
 * are exact in float64 whatever order the store adds them in: a count plus two sums per vehicle
 * is the checksum that proves every sample is stored exactly once.
 */
export interface RawSample {
  vehicleId: string;
  ts: number;
  signals: { speed_mps: number; motor_torque_nm: number; soc_pct: number };
}

export function vehicleId(prefix: string, v: number): string {
  return `${prefix}-v${String(v).padStart(3, '0')}`;
}

export function sample(prefix: string, v: number, step: number, baseTs: number): RawSample {
  return {
    vehicleId: vehicleId(prefix, v),
    ts: baseTs + step * 100,
    signals: {
      speed_mps: (step * 7 + v) % 90,
      motor_torque_nm: ((step * 13 + v * 31) % 4001) - 2000,
      soc_pct: 50 + (step % 50),
    },
  };
}

/** Adds samples to per-vehicle totals (what the store must end up holding). */
export function addTo(totals: Map<string, VehicleTotals>, samples: readonly RawSample[]): void {
  for (const s of samples) {
    const t = totals.get(s.vehicleId) ?? { points: 0, speedSum: 0, torqueSum: 0 };
    totals.set(s.vehicleId, {
      points: t.points + 1,
      speedSum: t.speedSum + s.signals.speed_mps,
      torqueSum: t.torqueSum + s.signals.motor_torque_nm,
    });
  }
}

export interface FleetStream {
  /** Messages to publish, round by round (one round: one message per vehicle). */
  readonly rounds: OutgoingMessage[][];
  readonly expected: Map<string, VehicleTotals>;
  readonly samples: number;
}

/**
 * `vehicles` × `steps` valid samples, keyed by vehicle id; each message carries `perMessage`
 * consecutive samples of one vehicle (a JSON array, or a single object when perMessage is 1).
 */
export function fleetStream(
  prefix: string,
  vehicles: number,
  steps: number,
  perMessage: number,
  baseTs: number,
): FleetStream {
  const rounds: OutgoingMessage[][] = [];
  const expected = new Map<string, VehicleTotals>();
  for (let from = 0; from < steps; from += perMessage) {
    const round: OutgoingMessage[] = [];
    for (let v = 0; v < vehicles; v++) {
      const samples: RawSample[] = [];
      for (let step = from; step < Math.min(from + perMessage, steps); step++) {
        samples.push(sample(prefix, v, step, baseTs));
      }
      addTo(expected, samples);
      const body = perMessage === 1 ? samples[0] : samples;
      round.push({ key: vehicleId(prefix, v), value: Buffer.from(JSON.stringify(body)) });
    }
    rounds.push(round);
  }
  return { rounds, expected, samples: vehicles * steps };
}

/** A malformed message and the reason the dead letter must give for it. */
export interface MalformedCase {
  readonly kind: string;
  readonly message: OutgoingMessage;
  /** Substring of the dead letter's `error` header. */
  readonly reason: string;
  /** Valid items inside it (stored although the message is dead-lettered). */
  readonly validItems: RawSample[];
}

const MALFORMED_KINDS = [
  'bad-json',
  'raw-nan',
  'nan-string',
  'infinity-string',
  'overflow-to-infinity',
  'wrong-type',
  'out-of-range',
  'missing-vehicle-id',
  'bad-timestamp',
  'oversized',
  'partly-invalid-batch',
  'binary-truncated',
  'binary-partly-invalid',
] as const;

/**
 * The `n`-th malformed message, cycling through every kind. Each carries a `case-id` header
 * (dead letters keep the original headers) so the test can match letters to cases.
 */
export function malformed(prefix: string, n: number, baseTs: number): MalformedCase {
  const kind = MALFORMED_KINDS[n % MALFORMED_KINDS.length];
  const v = n % 7;
  const id = vehicleId(prefix, v);
  // Timestamps far from the valid samples': a bad message must not overwrite a good point.
  const ts = baseTs + 10_000_000 + n * 100;
  const headers = { 'case-id': `case-${n}`, 'case-kind': kind };
  const of = (
    value: string | Buffer,
    reason: string,
    validItems: RawSample[] = [],
  ): MalformedCase => ({
    kind,
    message: { key: id, value: typeof value === 'string' ? Buffer.from(value) : value, headers },
    reason,
    validItems,
  });
  const withSpeed = (speed: string): string =>
    `{"vehicleId":"${id}","ts":${ts},"signals":{"speed_mps":${speed},"motor_torque_nm":1}}`;
  switch (kind) {
    case 'bad-json':
      return of(`{"vehicleId":"${id}","ts":${ts},"signals":{"speed_mps":`, 'invalid JSON');
    case 'raw-nan':
      return of(withSpeed('NaN'), 'invalid JSON');
    case 'nan-string':
      return of(withSpeed('"NaN"'), 'must be a number');
    case 'infinity-string':
      return of(withSpeed('"Infinity"'), 'must be a number');
    case 'overflow-to-infinity':
      return of(withSpeed('1e999'), 'must be finite');
    case 'wrong-type':
      return of(withSpeed('"fast"'), 'must be a number');
    case 'out-of-range':
      return of(withSpeed('500'), 'out of range');
    case 'missing-vehicle-id':
      return of(`{"ts":${ts},"signals":{"speed_mps":1,"motor_torque_nm":1}}`, 'is required');
    case 'bad-timestamp':
      return of(`{"vehicleId":"${id}","ts":"yesterday","signals":{"speed_mps":1}}`, 'ISO-8601');
    case 'oversized': {
      // 1.2 MiB: above ingestion's 1 MiB limit; GZIP gets it through Kafka's 1 MiB batch limit.
      const pad = 'x'.repeat(1_200_000);
      return of(`{"vehicleId":"${id}","ts":${ts},"pad":"${pad}"}`, 'bytes; at most');
    }
    case 'partly-invalid-batch': {
      const good = sample(prefix, v, 100_000 + n, baseTs);
      const bad = { vehicleId: id, ts: ts + 1, signals: { speed_mps: -3 } };
      return of(JSON.stringify([good, bad]), 'out of range', [good]);
    }
    case 'binary-truncated': {
      const whole = encodeTelemetryBatch([sample(prefix, v, 100_000 + n, baseTs)]);
      return of(whole.subarray(0, whole.length - 3), 'invalid binary telemetry: truncated');
    }
    case 'binary-partly-invalid': {
      const good = sample(prefix, v, 100_000 + n, baseTs);
      const bad = { ...sample(prefix, v, 100_000 + n, baseTs), ts: ts + 1 };
      bad.signals = { ...bad.signals, soc_pct: Number.NaN };
      const run: TelemetrySample[] = [good, bad];
      return of(encodeTelemetryBatch(run), 'must be finite', [good]);
    }
  }
}

export const MALFORMED_KIND_COUNT = MALFORMED_KINDS.length;
