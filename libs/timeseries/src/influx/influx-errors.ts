import { HttpError, RequestTimedOutError } from '@influxdata/influxdb-client';
import { UnavailableError, ValidationError } from '@fleetfm/domain';

/** Socket-level failures worth retrying: the server is down, restarting or overloaded. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'ESOCKETTIMEDOUT',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/** True when repeating the same request later may succeed. */
export function isTransient(err: unknown): boolean {
  if (err instanceof HttpError) {
    return err.statusCode === 429 || (err.statusCode >= 500 && err.statusCode !== 501);
  }
  if (err instanceof RequestTimedOutError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

/** Server-requested delay (Retry-After) in ms, or 0. */
export function retryAfterMs(err: unknown): number {
  return err instanceof HttpError ? err.retryAfter() * 1000 : 0;
}

export function describeError(err: unknown): string {
  if (err instanceof HttpError) {
    return `HTTP ${err.statusCode}${err.body ? `: ${err.body.slice(0, 300)}` : ''}`;
  }
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
}

/**
 * Maps a failed request to a domain error: transient failures become `UnavailableError` (the
 * caller retries later and commits nothing), a refused write body (400, 413, 422: bad data or
 * a field type conflict) a `ValidationError`; a refused query is a bug here, a plain Error.
 */
export function toDomainError(
  err: unknown,
  what: 'write' | 'query' | 'health',
  attempts = 1,
): Error {
  const suffix = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (isTransient(err)) {
    return new UnavailableError(`InfluxDB ${what} failed${suffix}: ${describeError(err)}`, {
      attempts,
    });
  }
  if (what === 'write' && err instanceof HttpError && [400, 413, 422].includes(err.statusCode)) {
    return new ValidationError(`InfluxDB refused the ${what}: ${describeError(err)}`);
  }
  if (err instanceof HttpError && err.statusCode !== 400) {
    // 401/403/404 (bad token, missing database): a configuration problem, not this request's.
    return new UnavailableError(`InfluxDB ${what} failed: ${describeError(err)}`);
  }
  return new Error(`InfluxDB ${what} failed: ${describeError(err)}`);
}
