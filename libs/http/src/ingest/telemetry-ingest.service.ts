import { Inject, Injectable } from '@nestjs/common';
import {
  InvalidRequestError,
  parseLineProtocol,
  parseTelemetry,
  type LinePrecision,
  type TelemetrySample,
} from '@fleetfm/domain';
import { TimeSeriesStore } from '@fleetfm/timeseries';

/** At most this many item errors are listed in a response; `rejected` still counts all. */
export const MAX_REPORTED_ERRORS = 1000;

/** One refused item: `index` (JSON batch position) or `line` (1-based, line protocol). */
export interface IngestItemError {
  index?: number;
  line?: number;
  field: string;
  value: unknown;
  reason: string;
}

export interface IngestResult {
  accepted: number;
  rejected: number;
  errors: IngestItemError[];
  /** Present and true when `errors` was cut at MAX_REPORTED_ERRORS. */
  errorsTruncated?: boolean;
}

/** 200: all stored; 207: the valid part stored, some refused; 422: all refused, nothing stored. */
export type IngestStatus = 200 | 207 | 422;

export interface IngestOutcome {
  status: IngestStatus;
  body: IngestResult;
}

export type IngestBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'line-protocol'; text: string; precision?: LinePrecision };

/**
 * Validates a telemetry batch (JSON samples or InfluxDB line protocol), stores the valid
 * samples and reports every refused item with its reason. A store failure is not an item
 * error: it propagates (UnavailableError -> 503) so the client retries the whole request,
 * which is safe because writes are idempotent.
 */
@Injectable()
export class TelemetryIngestService {
  constructor(@Inject(TimeSeriesStore) private readonly store: TimeSeriesStore) {}

  async ingest(body: IngestBody, now: number = Date.now()): Promise<IngestOutcome> {
    let valid: TelemetrySample[];
    let errors: IngestItemError[];
    let rejected: number;
    if (body.kind === 'json') {
      if (body.value === undefined || body.value === null || body.value === '') {
        throw new InvalidRequestError('the request has no body; send a sample or an array');
      }
      const parsed = parseTelemetry(body.value);
      valid = parsed.valid;
      errors = parsed.errors;
      rejected = new Set(parsed.errors.map((e) => e.index)).size;
    } else {
      const parsed = parseLineProtocol(body.text, { now, precision: body.precision });
      valid = parsed.valid;
      errors = parsed.errors;
      rejected = parsed.points - parsed.valid.length;
    }
    if (valid.length > 0) await this.store.write(valid);
    const result: IngestResult = {
      accepted: valid.length,
      rejected,
      errors: errors.slice(0, MAX_REPORTED_ERRORS),
      ...(errors.length > MAX_REPORTED_ERRORS ? { errorsTruncated: true } : {}),
    };
    const status: IngestStatus = rejected === 0 ? 200 : valid.length > 0 ? 207 : 422;
    return { status, body: result };
  }
}
