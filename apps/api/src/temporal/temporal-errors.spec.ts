import { status as GrpcStatus } from '@grpc/grpc-js';
import { ScheduleNotFoundError, ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_MODIFICATION_FAILURE, NOT_SCHEDULED_FAILURE } from '../../../../common';
import { InvalidRequestError, ResourceNotFoundError, TooLargeError, UnavailableError, WrongStateError } from '../core/errors';
import { fromTemporalError } from './temporal-errors';

describe('fromTemporalError', () => {
  const subject = { kind: 'task', id: 'task-1' };
  const grpcFailure = (code: number, message = 'grpc') =>
    new ServiceError('call failed', { cause: Object.assign(new Error(message), { code }) });
  const rejected = (type: string) =>
    new WorkflowUpdateFailedError('update failed', ApplicationFailure.create({ type, message: `${type} says no` }));

  it('names the subject of a missing workflow or schedule', () => {
    expect(fromTemporalError(new WorkflowNotFoundError('gone', 'task-1', undefined), subject)).toEqual(
      new ResourceNotFoundError('task', 'task-1'),
    );
    expect((fromTemporalError(new WorkflowNotFoundError('gone', 'task-9', undefined)) as Error).message).toBe('workflow task-9 not found');
    expect((fromTemporalError(new ScheduleNotFoundError('gone', 'sched-1')) as Error).message).toBe('schedule sched-1 not found');
  });

  it("turns an Update validator's refusals into 409 and 400", () => {
    expect(fromTemporalError(rejected(NOT_SCHEDULED_FAILURE))).toEqual(new WrongStateError('NotScheduled says no'));
    expect(fromTemporalError(rejected(INVALID_MODIFICATION_FAILURE))).toEqual(new InvalidRequestError('InvalidModification says no'));
  });

  it('turns an unreachable or slow Temporal into 503', () => {
    expect(fromTemporalError(grpcFailure(GrpcStatus.UNAVAILABLE))).toEqual(
      new UnavailableError('Temporal is not reachable; try again shortly'),
    );
    expect(fromTemporalError(grpcFailure(GrpcStatus.DEADLINE_EXCEEDED), subject)).toEqual(
      new UnavailableError('Temporal did not answer in time for task-1; try again shortly'),
    );
  });

  it("turns Temporal's refusal of an oversized input into 413", () => {
    expect(fromTemporalError(grpcFailure(GrpcStatus.INVALID_ARGUMENT, 'Blob data size exceeds limit.'))).toEqual(
      new TooLargeError('the request is larger than Temporal takes in one workflow input (2 MB): send less'),
    );
    expect(fromTemporalError(grpcFailure(GrpcStatus.INVALID_ARGUMENT, 'bad query'))).toBeInstanceOf(ServiceError);
  });

  it('leaves anything else as it is', () => {
    const bug = new Error('a bug');
    expect(fromTemporalError(bug)).toBe(bug);
    expect(fromTemporalError(rejected('SomethingElse'))).toBeInstanceOf(WorkflowUpdateFailedError);
  });
});
