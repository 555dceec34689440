import { condition, patched, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import {
  ATTEMPT_NOT_REPORTED,
  HELD_STATUS,
  LOCAL_HOLD_MAX_MS,
  missingAttempt,
  modifiedCall,
  pastChangeCutoff,
  scheduledStartOf,
  START_LEAD_MS,
  TASK_FAILED_FAILURE,
  TASK_RUN,
  type AttemptMade,
  type AttemptReport,
  type CallInput,
  type PublishedStatus,
  type TaskModification,
  type TaskState,
  type TaskWorkflowInput,
} from '../common';
import {
  assertScheduled,
  assertValidTime,
  callAndRecord,
  finishRun,
  heldUntil,
  publishCallMemo,
  publishStatus,
  rejectModification,
  waitForStart,
} from './building-blocks';
import { attemptLocally, DISPATCH_V2_PATCH, HeldCall, retryDelayMs, sleepUntilWake } from './dispatch';

/** How a modify Update checks and applies its change to a task. */
interface ModificationRules {
  validate: (change: TaskModification) => void;
  apply: (change: TaskModification) => void;
}

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
  const rules: ModificationRules = {
    validate: (change) => {
      const call = change?.request ? modifiedCall(state.request, change.request) : null;
      if (typeof call === 'string') rejectModification(call);
    },
    apply: (change) => {
      if (change.runAt) state.runAt = change.runAt;
      if (change.dispatchLeadMs !== undefined) state.dispatchLeadMs = change.dispatchLeadMs;
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

/** A task as started before dispatch v2: kept so that those still running replay (test/replay). */
async function taskV1(state: TaskState, rules: ModificationRules): Promise<TaskState> {
  const started = await waitForStart(state, {
    kind: TASK_RUN.kind,
    modify: TASK_RUN.modifyUpdate,
    cancel: TASK_RUN.cancelUpdate,
    validateModification: rules.validate,
    applyModification: rules.apply,
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

/**
 * A task under dispatch v2 (see workflows/dispatch.ts): wakes `dispatchLeadMs` ahead, holds its
 * call in a local activity (woken late) or on a worker (woken early: a cancel or a modify then
 * hands it back), and runs its retries itself.
 */
async function dispatchedTask(state: TaskState, rules: ModificationRules): Promise<TaskState> {
  let revision = 0;
  let held: HeldCall | null = null;
  let handingBack = 0;
  let published: PublishedStatus = 'scheduled';
  const publish = (status: PublishedStatus, runAt?: string) => {
    if (status === published && runAt === undefined) return;
    published = status;
    publishStatus(status, runAt);
  };

  /** Refuses (409) a change once the task is no longer scheduled, or is past its change cut-off (workflow time). */
  const assertChangeable = () => {
    assertScheduled(state.status, TASK_RUN.kind);
    if (pastChangeCutoff(Date.parse(state.runAt), Date.now())) assertScheduled('running', TASK_RUN.kind);
  };
  /** Runs a change of a scheduled task; a held call is handed back first (409 when it has gone out). */
  const whileScheduled = async (change: () => void): Promise<TaskState> => {
    handingBack++;
    try {
      if (held && !(await held.release())) assertScheduled('running', TASK_RUN.kind);
      // A cancel that ran meanwhile wins over this change.
      assertScheduled(state.status, TASK_RUN.kind);
      change();
      return state;
    } finally {
      handingBack--;
    }
  };
  setHandler(
    TASK_RUN.modifyUpdate,
    (change: TaskModification) =>
      whileScheduled(() => {
        const runAt = state.runAt;
        rules.apply(change);
        revision++;
        publish('scheduled', state.runAt !== runAt ? state.runAt : undefined);
      }),
    {
      validator: (change: TaskModification) => {
        assertChangeable();
        assertValidTime(change?.runAt);
        rules.validate(change);
      },
    },
  );
  setHandler(
    TASK_RUN.cancelUpdate,
    () =>
      whileScheduled(() => {
        state.status = 'cancelled';
        state.finishedAt = new Date().toISOString();
        publish('cancelled');
      }),
    { validator: assertChangeable },
  );

  const taskId = workflowInfo().workflowId;
  const callInput = (): CallInput => ({ request: state.request, idempotencyKey: taskId, taskId, ownerId: state.ownerId });
  let eager = true;
  let dispatches = 0;
  let first: AttemptMade | { outcome: 'lost' };
  for (;;) {
    const due = await sleepUntilWake(
      () => Date.parse(state.runAt) - (state.dispatchLeadMs ?? START_LEAD_MS),
      () => revision,
      () => state.status !== 'scheduled',
    );
    if (!due) return state;
    if (Date.parse(state.runAt) - Date.now() <= LOCAL_HOLD_MAX_MS) {
      state.status = 'running';
      state.startedAt = new Date(heldUntil(state.runAt)).toISOString();
      first = await attemptLocally({ ...callInput(), notBefore: state.runAt, attempt: 1 });
      // When the call went out, on the worker's clock (workflow time stands still while a local
      // activity runs), unless workflow time is ahead (the time-skipping test server).
      state.startedAt = new Date(Math.max(Date.parse(state.startedAt), Date.parse(first.record.startedAt))).toISOString();
      break;
    }
    held = new HeldCall({ ...callInput(), notBefore: state.runAt, attempt: 1 }, `held-${++dispatches}`, eager);
    state.held = true;
    publish(HELD_STATUS);
    const report: AttemptReport = await held.report;
    held = null;
    delete state.held;
    if (report.outcome !== 'released') {
      first = report;
      state.status = 'running';
      state.startedAt = report.outcome === 'attempted' ? report.record.startedAt : state.runAt;
      break;
    }
    // Handed back: wait for the Update that asked to finish its change, then plan again (a
    // cancel ends the task; a modify moves it). Handed back by a worker shutting down, it is
    // dispatched again at once, but not to the worker running this task: that may be the one.
    await condition(() => handingBack === 0);
    if (state.status !== 'scheduled') return state;
    eager = report.reason !== 'shutdown';
    if (report.reason === 'shutdown') publish('scheduled');
  }

  const failure = await retryUntilDone(state, first, callInput, () => publish('running'));
  // Not before the last attempt ended: workflow time stands still while a local activity runs.
  const lastEnd = Date.parse(state.attempts.at(-1)?.finishedAt ?? '') || 0;
  const finishedAt = new Date(Math.max(Date.now(), lastEnd)).toISOString();
  return finishRun(state, failure === null ? null : { type: TASK_FAILED_FAILURE, message: failure }, finishedAt);
}

/**
 * Records the first attempt and makes the retries the task's policy allows, each in a local
 * activity after its wait.
 * @returns null when an attempt succeeded, else why the call failed for good.
 */
async function retryUntilDone(
  state: TaskState,
  first: AttemptMade | { outcome: 'lost' },
  callInput: () => CallInput,
  beforeRetryWait: () => void,
): Promise<string | null> {
  let report: AttemptMade | { outcome: 'lost' } = first;
  for (let attempt = 1; ; attempt++) {
    let message: string;
    let retryable: boolean;
    if (report.outcome === 'attempted') {
      state.attempts.push(report.record);
      state.result = report.result;
      if (report.record.error === null) return (state.error = null);
      message = `attempt ${attempt} failed: ${report.record.error}`;
      retryable = report.retryable;
    } else {
      state.attempts.push(missingAttempt(attempt, ATTEMPT_NOT_REPORTED));
      message = `attempt ${attempt} failed: ${ATTEMPT_NOT_REPORTED}`;
      retryable = true;
    }
    if (!retryable || attempt > state.retry.retries) return (state.error = message);
    beforeRetryWait();
    await sleep(retryDelayMs(state.retry, attempt));
    report = await attemptLocally({ ...callInput(), attempt: attempt + 1 });
  }
}
