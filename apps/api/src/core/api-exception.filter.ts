import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, PayloadTooLargeException, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { fromTemporalError } from '../temporal/temporal-errors';
import {
  ForbiddenError,
  InvalidFieldsError,
  InvalidRequestError,
  ResourceNotFoundError,
  TooLargeError,
  UnavailableError,
  UpstreamError,
  WrongStateError,
} from './errors';

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
 * The one exception filter: maps domain and body-parser errors to HTTP answers (not found 404, forbidden 403,
 * wrong state 409, bad input 400, too large 413, unavailable 503); Temporal's errors become
 * domain errors first, in temporal/temporal-errors.ts. Anything else is a bug: logged with its
 * stack, answered 500 without internals.
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

  toErrorBody(thrown: unknown): ErrorBody {
    const exception = fromTemporalError(thrown);
    if (exception instanceof PayloadTooLargeException)
      return body(413, `request body is larger than the limit of ${this.bodyLimitBytes} bytes`);
    const parser = bodyParserError(exception);
    if (parser) {
      if (parser.status === 413) return body(413, `request body is larger than the limit of ${parser.limit ?? this.bodyLimitBytes} bytes`);
      if (parser.type === 'entity.parse.failed') return body(400, `malformed JSON body: ${parser.message}`);
      // An unsupported Content-Encoding or charset (415), a body shorter than declared (400): body-parser's message says which.
      return body(parser.status, parser.message);
    }
    if (exception instanceof HttpException) {
      const res = exception.getResponse();
      return typeof res === 'object' ? { ...body(exception.getStatus(), exception.message), ...res } : body(exception.getStatus(), res);
    }
    if (exception instanceof ResourceNotFoundError) return body(404, exception.message);
    if (exception instanceof ForbiddenError) return body(403, exception.message);
    if (exception instanceof WrongStateError) return body(409, exception.message);
    if (exception instanceof InvalidFieldsError) return body(400, exception.message, { errors: exception.errors });
    if (exception instanceof InvalidRequestError) {
      return body(400, exception.message, exception.field ? { errors: [{ field: exception.field, messages: [exception.message] }] } : {});
    }
    if (exception instanceof TooLargeError) return body(413, exception.message);
    if (exception instanceof UpstreamError) return body(502, exception.message);
    if (exception instanceof UnavailableError) return body(503, exception.message);
    return body(500, 'internal error');
  }
}

/**
 * body-parser's own refusals: they carry a 4xx `status` and a `type` (`entity.parse.failed`,
 * `entity.too.large`, `encoding.unsupported`, `charset.unsupported`, `request.size.invalid`, ...)
 * and a message fit for the caller. Null for anything else.
 */
function bodyParserError(exception: unknown): { status: number; type: string; message: string; limit?: number } | null {
  const err = exception as { type?: unknown; status?: unknown; message?: unknown; limit?: unknown } | null;
  if (typeof err?.type !== 'string' || typeof err.status !== 'number' || err.status < 400 || err.status > 499) return null;
  return {
    status: err.status,
    type: err.type,
    message: typeof err.message === 'string' ? err.message : err.type,
    ...(typeof err.limit === 'number' ? { limit: err.limit } : {}),
  };
}
