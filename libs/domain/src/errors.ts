/**
 * Domain errors. Each maps to one HTTP status in the API's exception filter; anything that is
 * not a DomainError is an internal error (500 with a correlation id).
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is malformed (HTTP 400). */
export class InvalidRequestError extends DomainError {
  readonly code = 'invalid_request';
}

/** The request is well-formed but its content cannot be processed (HTTP 422). */
export class ValidationError extends DomainError {
  readonly code = 'validation_failed';
}

/** The thing asked for does not exist (HTTP 404). */
export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}

/** The request conflicts with the current state (HTTP 409). */
export class ConflictError extends DomainError {
  readonly code = 'conflict';
}

/** A dependency (store, stream, model) is not available right now; retry later (HTTP 503). */
export class UnavailableError extends DomainError {
  readonly code = 'unavailable';
}
