import { patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  modifiedCall,
  scheduledStartOf,
  TASK_FAILED_FAILURE,
  TASK_RUN,
  type AttemptMade,
  type CallInput,
  type TaskModification,
  type TaskState,
  type TaskWorkflowInput,
} from '../common';
import { attemptLocally, callEndedAt, retryUntilDone } from './calls';
import { attemptInTurn, FlowGate, retryInTurn } from './flow-control';
import { PendingRun, type PendingRunRules } from './pending-run';
import { sendCallback } from './callback';
import { endRun, publishCallMemo, rejectModification, settleRun } from './run-state';
import { taskV1 } from './task-v1';

/** The patch that put tasks on the pending-run model (dispatch v2): tasks started before it replay the v1 path. */
export const DISPATCH_V2_PATCH = 'dispatch-v2';

/**
 * A scheduled task: sleeps until `runAt` (movable and cancellable by Updates while it sleeps),
 * then makes one call (HTTP or Lambda) under the task's retry policy. A run that a
 * Temporal Schedule started is due at its nominal time and belongs to that schedule.
 * Completes with the final state; fails with type `TaskFailed` (state in the details)
 * when the call failed for good, so Temporal's UI shows failed tasks as failed.
 */
export async function scheduledTaskWorkflow(input: TaskWorkflowInput): Promise<TaskState> {
  const state: TaskState = TASK_RUN.initialState(input, scheduledStartOf(workflowInfo().typedSearchAttributes));
  setHandler(TASK_RUN.stateQuery, () => state);
  const rules: PendingRunRules<TaskModification> = {
    kind: TASK_RUN.kind,
    modify: TASK_RUN.modifyUpdate,
    cancel: TASK_RUN.cancelUpdate,
    changeCutoffMs: TASK_RUN.changeCutoffMs,
    validate: (change) => {
      const call = change?.request ? modifiedCall(state.request, change.request) : null;
      if (typeof call === 'string') rejectModification(call);
    },
    apply: (change) => {
      if (change.request) {
        const previous = state.request;
        state.request = modifiedCall(previous, change.request) as TaskState['request'];
        publishCallMemo(state.request, previous);
      }
      if (change.retry) state.retry = { ...state.retry, ...change.retry };
    },
  };
  return patched(DISPATCH_V2_PATCH) ? dispatchedTask(state, rules) : taskV1(state, rules);
}

/**
 * A task on the pending-run model: wakes `dispatchLeadMs` ahead, holds its call in a local
 * activity (woken late) or on a worker (woken early: a cancel or a modify then hands it back),
 * and runs its retries itself.
 */
async function dispatchedTask(state: TaskState, rules: PendingRunRules<TaskModification>): Promise<TaskState> {
  const run = new PendingRun(state, rules);
  const taskId = workflowInfo().workflowId;
  const callInput = (): CallInput => ({ request: state.request, idempotencyKey: taskId, taskId, ownerId: state.ownerId });
  // Made on first use: a task without flow control never has a limiter signal it.
  let gate: FlowGate | undefined;
  const gateOf = () => (gate ??= new FlowGate(state.ownerId));
  const flow = () => state.request.flowControl;
  const first = await run.firstAttempt(
    () => ({ ...callInput(), attempt: 1 }),
    flow()
      ? (dueAt, send, interrupted) =>
          attemptInTurn(gateOf(), { request: state.request, flow: flow()!, requestId: `${taskId}:attempt-1`, dueAt }, send, interrupted)
      : undefined,
  );
  if (first === null) {
    await sendCallback(state, taskOutcome(state));
    return state;
  }

  state.error = await retryUntilDone(
    state,
    state.retry,
    first,
    async (attempt) => {
      const input = { ...callInput(), attempt };
      const flowControl = flow();
      return flowControl ? retryInTurn(gateOf(), input, flowControl) : (attemptLocally(input) as Promise<AttemptMade>);
    },
    () => run.publish('running'),
  );
  // Not before the last attempt ended: workflow time stands still while a local activity runs.
  const finishedAt = new Date(callEndedAt(state)).toISOString();
  const failure = state.error === null ? null : { type: TASK_FAILED_FAILURE, message: state.error };
  settleRun(state, failure, finishedAt);
  await sendCallback(state, taskOutcome(state));
  return endRun(state, failure);
}

/** What a task's callback says of it, beside its id, status, owner and times. */
function taskOutcome(state: TaskState) {
  return { kind: TASK_RUN.kind, attempts: state.attempts.length, result: state.result, error: state.error };
}
