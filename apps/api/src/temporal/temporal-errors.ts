import { status as GrpcStatus } from '@grpc/grpc-js';
import { ScheduleNotFoundError, ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_MODIFICATION_FAILURE, NOT_SCHEDULED_FAILURE, WRONG_RESUME_TOKEN_FAILURE } from '../../../../common';
import { InvalidRequestError, ResourceNotFoundError, TooLargeError, UnavailableError, WrongStateError } from '../core/errors';

/** What a failed Temporal call was about, so a 404 can name it. */
export interface TemporalSubject {
  /** task, orchestration, schedule */
  kind: string;
  id: string;
}

/** The gRPC status code of a failed Temporal service call; undefined for any other error. */
export function grpcCode(err: unknown): number | undefined {
  if (err instanceof ServiceError) return (err.cause as { code?: number } | undefined)?.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && err instanceof Error && 'details' in err ? code : undefined;
}

/**
 * The one place Temporal's errors become the API's domain errors (which the exception filter
 * answers): not found 404, an Update's validator refusing 409 or 400, Temporal down or slow
 * 503. Anything else is returned unchanged.
 */
export function fromTemporalError(err: unknown, subject?: TemporalSubject): unknown {
  if (err instanceof WorkflowNotFoundError) return new ResourceNotFoundError(subject?.kind ?? 'workflow', subject?.id ?? err.workflowId);
  if (err instanceof ScheduleNotFoundError) return new ResourceNotFoundError(subject?.kind ?? 'schedule', subject?.id ?? err.scheduleId);
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    if (err.cause.type === NOT_SCHEDULED_FAILURE) return new WrongStateError(err.cause.message);
    if (err.cause.type === INVALID_MODIFICATION_FAILURE) return new InvalidRequestError(err.cause.message);
    // A resume URL whose token no wait step has: as unknown as any other URL.
    if (err.cause.type === WRONG_RESUME_TOKEN_FAILURE) return new ResourceNotFoundError(subject?.kind ?? 'workflow', subject?.id ?? '');
  }
  const code = grpcCode(err);
  if (code === GrpcStatus.INVALID_ARGUMENT && /size exceeds limit/i.test(errorMessage(err))) {
    return new TooLargeError('the request is larger than Temporal takes in one workflow input (2 MB): send less');
  }
  if (code === GrpcStatus.UNAVAILABLE) return new UnavailableError('Temporal is not reachable; try again shortly');
  if (code === GrpcStatus.DEADLINE_EXCEEDED) {
    return new UnavailableError(`Temporal did not answer in time${subject ? ` for ${subject.id}` : ''}; try again shortly`);
  }
  return err;
}

function errorMessage(err: unknown): string {
  const { message, cause } = (err ?? {}) as { message?: unknown; cause?: { message?: unknown } };
  return `${typeof message === 'string' ? message : ''} ${typeof cause?.message === 'string' ? cause.message : ''}`;
}

/** Runs a Temporal call and translates its errors (see {@link fromTemporalError}). */
export async function temporalCall<T>(subject: TemporalSubject | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw fromTemporalError(err, subject);
  }
}
