import { workflowInfo } from '@temporalio/workflow';
import {
  missingAttempt,
  ORCHESTRATION_FAILED_FAILURE,
  ORCHESTRATION_RUN,
  type AttemptRecord,
  type OrchestrationFailure,
  type OrchestrationModification,
  type OrchestrationState,
  type OrchestrationCallStepState,
  type RetrySpec,
} from '../common';
import { type CallOwner, callAndRecord, lastError, sleepUntilDue, waitForStart } from './building-blocks-v1';
import { finishRun, heldUntil, rejectModification } from './run-state';

/** A v1 orchestration's step: always one call. */
type OrchestrationStepState = OrchestrationCallStepState;

/**
 * An orchestration as started before `orchestration-v2`: kept so that those still running
 * replay (test/replay). Sleeps until `runAt` (movable and cancellable by Updates while it
 * sleeps), then runs its steps in order, each one call in an activity under a Temporal retry
 * policy; after each, the condition check is called until a 2xx or its re-checks are spent. A
 * step that fails for good or whose checks are exhausted runs the fallback and ends the
 * orchestration `failed`.
 */
export async function orchestrationV1(state: OrchestrationState): Promise<OrchestrationState> {
  const started = await waitForStart(state, {
    kind: ORCHESTRATION_RUN.kind,
    modify: ORCHESTRATION_RUN.modifyUpdate,
    cancel: ORCHESTRATION_RUN.cancelUpdate,
    applyModification: (change: OrchestrationModification) => (state.runAt = change.runAt!),
    validateModification: (change: OrchestrationModification) => {
      if (!change?.runAt) rejectModification('runAt is required: the new start of the orchestration');
    },
    onCancel: () => state.steps.forEach((s) => (s.status = 'skipped')),
  });
  if (!started) return state;

  // Every call carries the orchestration's id (X-Task-Id) and is signed with its owner's key.
  const who: CallOwner = { taskId: workflowInfo().workflowId, ownerId: state.ownerId };

  // Each call is held until this instant: runAt for the first step, then the due time of the
  // check that passed the step before (a no-op in real runs, where that time has passed; it
  // keeps the waits exact where calls cannot be held, as on the time-skipping test server).
  let notBefore = state.runAt;
  let failure: OrchestrationFailure | null = null;
  for (const step of state.steps as OrchestrationStepState[]) {
    state.currentStep = step.number;
    failure = await runStep(who, step, notBefore);
    if (failure) break;
    const checks = await runChecks(who, step, state.conditionCheck, notBefore);
    if (checks.failure) {
      failure = checks.failure;
      break;
    }
    notBefore = checks.passedDueAt;
  }
  if (failure) {
    state.steps.filter((s) => s.status === 'pending').forEach((s) => (s.status = 'skipped'));
    state.failure = failure;
    await runFallback(who, state);
  }
  return finishRun(state, state.failure ? { type: ORCHESTRATION_FAILED_FAILURE, message: state.failure.message } : null);
}

/** Makes the step's call; returns why the orchestration fails, or null when the step succeeded. */
async function runStep(who: CallOwner, step: OrchestrationStepState, notBefore: string): Promise<OrchestrationFailure | null> {
  step.status = 'running';
  const call = await callAndRecord(
    { ...who, request: step.request, idempotencyKey: `${who.taskId}:step-${step.number}`, notBefore },
    step.retry,
  );
  step.attempts = call.attempts;
  step.result = call.result;
  if (call.failure === null) return null;
  step.status = 'failed';
  const tries = step.attempts.length;
  return {
    reason: 'step_failed',
    step: step.number,
    message: `step ${step.number} failed after ${tries} attempt${tries === 1 ? '' : 's'}: ${lastError(call)}`,
  };
}

/**
 * Calls the condition check until it answers 2xx: the first try `delayMs` after the step, each
 * later one `retryIntervalMs` after the previous finished (on workflow time). Each try is one
 * activity with no retries; its due time is passed as `notBefore`, so the call is sent on time
 * to the millisecond even though the workflow dispatches it a little early.
 * @param stepNotBefore the step's call was held until then, so it finished no earlier.
 * @returns why the orchestration fails, or the due time of the check that passed.
 */
async function runChecks(
  who: CallOwner,
  step: OrchestrationStepState,
  check: OrchestrationState['conditionCheck'],
  stepNotBefore: string,
): Promise<{ failure: OrchestrationFailure } | { failure: null; passedDueAt: string }> {
  step.status = 'checking';
  const once: RetrySpec = { retries: 0, retryIntervalMs: check.retryIntervalMs, retryBackoff: 1 };
  const tries = check.retries + 1;
  let dueAt = after(stepNotBefore, check.delayMs);
  let error = '';
  for (let k = 1; k <= tries; k++) {
    const due = dueAt;
    await sleepUntilDue(
      () => due,
      () => 0,
      () => false,
    );
    const input = {
      request: check.request,
      ...who,
      idempotencyKey: `${who.taskId}:step-${step.number}:check-${k}`,
      notBefore: due,
      conditionCheck: true,
    };
    const call = await callAndRecord(input, once);
    if (call.failure !== null) error = lastError(call);
    step.checkAttempts.push(...renumbered(call.attempts, k, error));
    step.checkResult = call.result;
    if (call.failure === null) {
      step.status = 'passed';
      return { failure: null, passedDueAt: due };
    }
    dueAt = after(due, check.retryIntervalMs);
  }
  step.status = 'failed';
  return {
    failure: {
      reason: 'checks_exhausted',
      step: step.number,
      message: `condition check after step ${step.number} did not pass in ${tries} tr${tries === 1 ? 'y' : 'ies'}: ${error}`,
    },
  };
}

/** Makes the fallback's call, if there is one, under its own retry policy; records its outcome. */
async function runFallback(who: CallOwner, state: OrchestrationState): Promise<void> {
  const fallback = state.fallback;
  if (!fallback) return;
  fallback.status = 'running';
  const call = await callAndRecord({ ...who, request: fallback.request, idempotencyKey: `${who.taskId}:fallback` }, fallback.retry);
  fallback.attempts = call.attempts;
  fallback.result = call.result;
  fallback.status = call.failure === null ? 'completed' : 'failed';
}

/**
 * `waitMs` after the previous call finished, on workflow time. A call held until `notBefore`
 * finished no earlier than that, though the workflow may have dispatched it (and so see its
 * end) up to EARLY_DISPATCH_MS before on its own clock: counting from the later of the two keeps
 * early dispatches from adding up over many checks.
 */
function after(notBefore: string, waitMs: number): string {
  return new Date(heldUntil(notBefore) + waitMs).toISOString();
}

/**
 * A check try is one activity whose attempt is always number 1: renumbered as the k-th try.
 * An activity that never reported back leaves no record; a placeholder keeps the count true.
 */
function renumbered(attempts: AttemptRecord[], k: number, error: string): AttemptRecord[] {
  if (attempts.length === 0) {
    return [missingAttempt(k, error || 'no record')];
  }
  return attempts.map((a) => ({ ...a, number: k }));
}
