import { ApplicationFailure, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  cancelTaskUpdate,
  modifyTaskUpdate,
  TASK_FAILED_FAILURE,
  taskStateQuery,
  type TaskModification,
  type TaskState,
  type TaskWorkflowInput,
} from '../common';
import {
  assertScheduled,
  assertValidTime,
  callHttp,
  HttpCallFailed,
  publishRequestMemo,
  publishStatus,
  sleepUntilDue,
} from './building-blocks';

/**
 * A scheduled task: sleeps until `runAt` (movable and cancellable by Updates while it
 * sleeps), then makes one HTTP call under the task's retry policy.
 * Completes with the final state; fails with type `TaskFailed` (state in the details)
 * when the call failed for good, so Temporal's UI shows failed tasks as failed.
 */
export async function scheduledTaskWorkflow(input: TaskWorkflowInput): Promise<TaskState> {
  const state: TaskState = {
    ...input,
    status: 'scheduled',
    attempts: [],
    result: null,
    error: null,
    startedAt: null,
    finishedAt: null,
  };
  let revision = 0;

  setHandler(taskStateQuery, () => state);
  setHandler(
    modifyTaskUpdate,
    (change: TaskModification) => {
      if (change.runAt) state.runAt = change.runAt;
      if (change.request) state.request = { ...state.request, ...change.request };
      if (change.retry) state.retry = { ...state.retry, ...change.retry };
      revision++;
      publishStatus(state.status, state.runAt);
      if (change.request) publishRequestMemo(state.request);
      return state;
    },
    {
      validator: (change: TaskModification) => {
        assertScheduled(state.status, 'task');
        assertValidTime(change.runAt);
      },
    },
  );
  setHandler(
    cancelTaskUpdate,
    () => {
      state.status = 'cancelled';
      state.finishedAt = new Date().toISOString();
      publishStatus(state.status);
      return state;
    },
    { validator: () => assertScheduled(state.status, 'task') },
  );

  const due = await sleepUntilDue(
    () => state.runAt,
    () => revision,
    () => state.status !== 'scheduled',
  );
  if (!due) return state;

  state.status = 'running';
  // Dispatched up to EARLY_DISPATCH_MS ahead, the call is held by the activity until runAt.
  state.startedAt = new Date(Math.max(Date.now(), Date.parse(state.runAt))).toISOString();
  publishStatus(state.status);
  const taskId = workflowInfo().workflowId;
  try {
    const outcome = await callHttp({ request: state.request, idempotencyKey: taskId, taskId, notBefore: state.runAt }, state.retry);
    state.attempts = outcome.attempts;
    state.result = outcome.result;
    state.status = 'completed';
  } catch (err) {
    if (!(err instanceof HttpCallFailed)) throw err;
    state.attempts = err.outcome.attempts;
    state.result = err.outcome.result;
    state.error = err.message;
    state.status = 'failed';
  }
  state.finishedAt = new Date().toISOString();
  publishStatus(state.status);
  if (state.status === 'failed') {
    throw ApplicationFailure.create({
      type: TASK_FAILED_FAILURE,
      message: state.error ?? 'task failed',
      details: [state],
      nonRetryable: true,
    });
  }
  return state;
}
