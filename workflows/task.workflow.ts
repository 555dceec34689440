import { setHandler, workflowInfo } from '@temporalio/workflow';
import {
  cancelTaskUpdate,
  initialTaskState,
  modifyTaskUpdate,
  TASK_FAILED_FAILURE,
  taskStateQuery,
  type TaskModification,
  type TaskState,
  type TaskWorkflowInput,
} from '../common';
import { callAndRecord, finishRun, publishRequestMemo, waitForStart } from './building-blocks';

/**
 * A scheduled task: sleeps until `runAt` (movable and cancellable by Updates while it
 * sleeps), then makes one HTTP call under the task's retry policy.
 * Completes with the final state; fails with type `TaskFailed` (state in the details)
 * when the call failed for good, so Temporal's UI shows failed tasks as failed.
 */
export async function scheduledTaskWorkflow(input: TaskWorkflowInput): Promise<TaskState> {
  const state: TaskState = initialTaskState(input);
  setHandler(taskStateQuery, () => state);

  const started = await waitForStart(state, {
    kind: 'task',
    modify: modifyTaskUpdate,
    cancel: cancelTaskUpdate,
    applyModification: (change: TaskModification) => {
      if (change.runAt) state.runAt = change.runAt;
      if (change.request) {
        state.request = { ...state.request, ...change.request };
        publishRequestMemo(state.request);
      }
      if (change.retry) state.retry = { ...state.retry, ...change.retry };
    },
  });
  if (!started) return state;

  const taskId = workflowInfo().workflowId;
  const failure = await callAndRecord(
    state,
    { request: state.request, idempotencyKey: taskId, taskId, notBefore: state.runAt },
    state.retry,
  );
  state.error = failure;
  return finishRun(state, failure === null ? null : { type: TASK_FAILED_FAILURE, message: failure });
}
