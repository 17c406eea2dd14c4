import { randomUUID } from 'node:crypto';
import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import {
  ConflictError,
  DomainError,
  InvalidRequestError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '@fleetfm/domain';
import type { FastifyReply } from 'fastify';

/** Error body of every failed request. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly details?: unknown;
  readonly correlationId?: string;
}

const STATUS_BY_ERROR: ReadonlyArray<[new (...args: never[]) => DomainError, number]> = [
  [ConflictError, HttpStatus.CONFLICT],
  [InvalidRequestError, HttpStatus.BAD_REQUEST],
  [NotFoundError, HttpStatus.NOT_FOUND],
  [UnavailableError, HttpStatus.SERVICE_UNAVAILABLE],
  [ValidationError, HttpStatus.UNPROCESSABLE_ENTITY],
];

/**
 * The one place that turns errors into HTTP responses: domain errors to their status, Nest's
 * own HTTP exceptions as they are, anything else to a 500 with a correlation id that is logged.
 */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toBody(exception);
    void reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      const status =
        STATUS_BY_ERROR.find(([type]) => exception instanceof type)?.[1] ??
        HttpStatus.INTERNAL_SERVER_ERROR;
      return {
        statusCode: status,
        error: exception.code,
        message: exception.message,
        ...(exception.details === undefined ? {} : { details: exception.details }),
      };
    }
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? (response as { message: unknown }).message
          : exception.message;
      return {
        statusCode: exception.getStatus(),
        error: HttpStatus[exception.getStatus()]?.toLowerCase() ?? 'error',
        message: Array.isArray(message) ? message.join('; ') : String(message),
        ...(Array.isArray(message) ? { details: message } : {}),
      };
    }
    const correlationId = randomUUID();
    this.logger.error(
      `Unhandled error ${correlationId}: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
    );
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'internal_error',
      message: 'Internal error; quote the correlation id when reporting it.',
      correlationId,
    };
  }
}
