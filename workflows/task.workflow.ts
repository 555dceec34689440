import { setHandler, workflowInfo } from '@temporalio/workflow';
import {
  modifiedCall,
  scheduledStartOf,
  TASK_FAILED_FAILURE,
  TASK_RUN,
  type TaskModification,
  type TaskState,
  type TaskWorkflowInput,
} from '../common';
import { callAndRecord, finishRun, publishCallMemo, rejectModification, waitForStart } from './building-blocks';

/**
 * A scheduled task: sleeps until `runAt` (movable and cancellable by Updates while it
 * sleeps), then makes one call (HTTP or Lambda) under the task's retry policy. A run that a
 * Temporal Schedule started is due at its nominal time and belongs to that schedule.
 * Completes with the final state; fails with type `TaskFailed` (state in the details)
 * when the call failed for good, so Temporal's UI shows failed tasks as failed.
 */
export async function scheduledTaskWorkflow(input: TaskWorkflowInput): Promise<TaskState> {
  const state: TaskState = TASK_RUN.initialState(input, scheduledStartOf(workflowInfo().typedSearchAttributes));
  setHandler(TASK_RUN.stateQuery, () => state);

  const started = await waitForStart(state, {
    kind: TASK_RUN.kind,
    modify: TASK_RUN.modifyUpdate,
    cancel: TASK_RUN.cancelUpdate,
    validateModification: (change: TaskModification) => {
      const call = change?.request ? modifiedCall(state.request, change.request) : null;
      if (typeof call === 'string') rejectModification(call);
    },
    applyModification: (change: TaskModification) => {
      if (change.runAt) state.runAt = change.runAt;
      if (change.request) {
        const previous = state.request;
        state.request = modifiedCall(previous, change.request) as TaskState['request'];
        publishCallMemo(state.request, previous);
      }
      if (change.retry) state.retry = { ...state.retry, ...change.retry };
    },
  });
  if (!started) return state;

  const taskId = workflowInfo().workflowId;
  const call = await callAndRecord(
    { request: state.request, idempotencyKey: taskId, taskId, ownerId: state.ownerId, notBefore: state.runAt },
    state.retry,
  );
  state.attempts = call.attempts;
  state.result = call.result;
  state.error = call.failure;
  return finishRun(state, call.failure === null ? null : { type: TASK_FAILED_FAILURE, message: call.failure });
}
