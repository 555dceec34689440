import { workflowInfo } from '@temporalio/workflow';
import { TASK_FAILED_FAILURE, TASK_RUN, type TaskModification, type TaskState } from '../common';
import { callAndRecord, waitForStart } from './building-blocks-v1';
import type { PendingRunRules } from './pending-run';
import { finishRun } from './run-state';

/**
 * A task as started before dispatch v2 (`dispatch-v2`): kept only so that those still running
 * replay (test/replay); README, "Upgrades", says when it can go. Sleeps until `runAt` on durable
 * timers, then makes its call in one activity under a Temporal retry policy.
 */
export async function taskV1(state: TaskState, rules: PendingRunRules<TaskModification>): Promise<TaskState> {
  const started = await waitForStart(state, {
    kind: TASK_RUN.kind,
    modify: TASK_RUN.modifyUpdate,
    cancel: TASK_RUN.cancelUpdate,
    validateModification: (change) => rules.validate(change),
    applyModification: (change) => {
      if (change.runAt) state.runAt = change.runAt;
      if (change.dispatchLeadMs !== undefined) state.dispatchLeadMs = change.dispatchLeadMs;
      rules.apply(change);
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
