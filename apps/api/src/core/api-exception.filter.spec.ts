import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_MODIFICATION_FAILURE, NOT_SCHEDULED_FAILURE } from '../../../../common';
import { ApiExceptionFilter } from './api-exception.filter';
import {
  ForbiddenError,
  InvalidRequestError,
  ResourceNotFoundError,
  TooLargeError,
  UnavailableError,
  UpstreamError,
  WrongStateError,
} from './errors';

describe('ApiExceptionFilter', () => {
  const filter = new ApiExceptionFilter(1024);
  const updateRejected = (type: string, message: string) =>
    new WorkflowUpdateFailedError('update failed', ApplicationFailure.create({ type, message, nonRetryable: true }));

  it.each([
    [new ResourceNotFoundError('task', 'task-1'), { statusCode: 404, error: 'Not Found', message: 'task task-1 not found' }],
    [new WorkflowNotFoundError('gone', 'task-1', undefined), { statusCode: 404, error: 'Not Found', message: 'workflow task-1 not found' }],
    [new WrongStateError('task is running'), { statusCode: 409, error: 'Conflict', message: 'task is running' }],
    [updateRejected(NOT_SCHEDULED_FAILURE, 'task is completed'), { statusCode: 409, error: 'Conflict', message: 'task is completed' }],
    [updateRejected(INVALID_MODIFICATION_FAILURE, 'runAt is bad'), { statusCode: 400, error: 'Bad Request', message: 'runAt is bad' }],
    [
      new InvalidRequestError('cursor is not valid', 'cursor'),
      {
        statusCode: 400,
        error: 'Bad Request',
        message: 'cursor is not valid',
        errors: [{ field: 'cursor', messages: ['cursor is not valid'] }],
      },
    ],
    [new UnavailableError('no worker'), { statusCode: 503, error: 'Service Unavailable', message: 'no worker' }],
    [new UpstreamError('Lambda refused'), { statusCode: 502, error: 'Bad Gateway', message: 'Lambda refused' }],
    [new ForbiddenError('admins only'), { statusCode: 403, error: 'Forbidden', message: 'admins only' }],
    [new TooLargeError('too big'), { statusCode: 413, error: 'Payload Too Large', message: 'too big' }],
    [
      new PayloadTooLargeException(),
      { statusCode: 413, error: 'Payload Too Large', message: 'request body is larger than the limit of 1024 bytes' },
    ],
    [
      Object.assign(new Error('Unexpected end of JSON input'), { type: 'entity.parse.failed', status: 400 }),
      { statusCode: 400, error: 'Bad Request', message: 'malformed JSON body: Unexpected end of JSON input' },
    ],
    [
      Object.assign(new Error('unsupported content encoding "x-bogus"'), { type: 'encoding.unsupported', status: 415 }),
      { statusCode: 415, error: 'Unsupported Media Type', message: 'unsupported content encoding "x-bogus"' },
    ],
    [
      Object.assign(new Error('unsupported charset "ISO-8859-1"'), { type: 'charset.unsupported', status: 415 }),
      { statusCode: 415, error: 'Unsupported Media Type', message: 'unsupported charset "ISO-8859-1"' },
    ],
    [
      Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413, limit: 8_388_608 }),
      { statusCode: 413, error: 'Payload Too Large', message: 'request body is larger than the limit of 8388608 bytes' },
    ],
    [
      new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'x', errors: [] }),
      { statusCode: 400, error: 'Bad Request', message: 'x', errors: [] },
    ],
    [new Error('a bug'), { statusCode: 500, error: 'Internal Server Error', message: 'internal error' }],
  ])('maps %p to its answer', (exception, expected) => {
    expect(filter.toErrorBody(exception)).toEqual(expected);
  });
});
