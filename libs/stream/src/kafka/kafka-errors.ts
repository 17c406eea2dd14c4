import { DomainError, UnavailableError, ValidationError } from '@fleetfm/domain';

/** Broker error codes that mean "these messages will never fit", not "try again later". */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

/**
 * A failed publish as a domain error: messages the broker refuses for their size are invalid
 * input (422); anything else means Kafka is not available right now (503).
 */
export function publishError(topic: string, error: unknown): DomainError {
  const type = (error as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && TOO_LARGE.has(type)) {
    return new ValidationError(`Kafka refused the messages for ${topic}: ${type}`, {
      cause: error,
    });
  }
  return new UnavailableError(`publishing to ${topic} failed: ${errorMessage(error)}`, {
    cause: error,
  });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
