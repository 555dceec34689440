import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, PayloadTooLargeException, type ExceptionFilter } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Response } from 'express';
import { INVALID_MODIFICATION_FAILURE, NOT_SCHEDULED_FAILURE } from '../../../../common';
import { grpcCode, InvalidRequestError, ResourceNotFoundError, UnavailableError, WrongStateError } from './errors';

/** The JSON body of every error answer. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: Array<{ field: string; messages: string[] }>;
}

function body(statusCode: number, message: string, extra: Partial<ErrorBody> = {}): ErrorBody {
  const reason = (HttpStatus[statusCode] ?? 'Error').toString().toLowerCase().replace(/_/g, ' ');
  return { statusCode, error: reason.replace(/\b\w/g, (c) => c.toUpperCase()), message, ...extra };
}

/**
 * The one exception filter: maps domain, Temporal and body-parser errors to HTTP answers
 * (not found 404, wrong state 409, bad input 400, too large 413, Temporal down 503).
 * Anything else is a bug: logged with its stack, answered 500 without internals.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  constructor(private readonly bodyLimitBytes: number) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const answer = this.toErrorBody(exception);
    if (answer.statusCode >= 500) this.logger.error(answer.message, exception instanceof Error ? exception.stack : String(exception));
    response.status(answer.statusCode).json(answer);
  }

  toErrorBody(exception: unknown): ErrorBody {
    if (exception instanceof PayloadTooLargeException || isBodyParserError(exception, 413)) {
      return body(413, `request body is larger than the limit of ${this.bodyLimitBytes} bytes`);
    }
    if (isBodyParserError(exception, 400)) return body(400, `malformed JSON body: ${(exception as Error).message}`);
    if (exception instanceof HttpException) {
      const res = exception.getResponse();
      return typeof res === 'object' ? { ...body(exception.getStatus(), exception.message), ...res } : body(exception.getStatus(), res);
    }
    if (exception instanceof ResourceNotFoundError || exception instanceof WorkflowNotFoundError) {
      return body(404, exception instanceof ResourceNotFoundError ? exception.message : 'not found');
    }
    if (exception instanceof WrongStateError) return body(409, exception.message);
    if (exception instanceof InvalidRequestError) {
      return body(400, exception.message, exception.field ? { errors: [{ field: exception.field, messages: [exception.message] }] } : {});
    }
    if (exception instanceof UnavailableError) return body(503, exception.message);
    if (exception instanceof WorkflowUpdateFailedError && exception.cause instanceof ApplicationFailure) {
      if (exception.cause.type === NOT_SCHEDULED_FAILURE) return body(409, exception.cause.message);
      if (exception.cause.type === INVALID_MODIFICATION_FAILURE) return body(400, exception.cause.message);
    }
    if (grpcCode(exception) === GrpcStatus.UNAVAILABLE) {
      return body(503, 'Temporal is not reachable; try again shortly');
    }
    return body(500, 'internal error');
  }
}

/** body-parser's own errors (malformed JSON, too large) carry their HTTP status and a type. */
function isBodyParserError(exception: unknown, status: number): boolean {
  const err = exception as { type?: unknown; status?: unknown } | null;
  return typeof err?.type === 'string' && err.type.startsWith('entity.') && err.status === status;
}
