/**
 * The v1 pieces of a run: a durable wait until due that Updates can move or end, and each call
 * in one activity under a Temporal retry policy. Kept only so that runs started before the
 * pending-run model (tasks before `dispatch-v2`, orchestrations before `orchestration-v2`)
 * replay; README, "Upgrades", says when this file can go.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import {
  ACTIVITY_GRACE_MS,
  EARLY_DISPATCH_MS,
  FINAL_APPROACH_MS,
  HttpFailureType,
  isLambdaRequest,
  LambdaFailureType,
  longestRetryIntervalMs,
  type AttemptRecord,
  type CallInput,
  type CallOutcome,
  type HttpRequestSpec,
  type RetrySpec,
  type RunKind,
  type RunLifecycle,
  type RunModification,
} from '../common';
import { assertScheduled, assertValidTime, heldUntil, publishStatus } from './run-state';

/**
 * Sleeps on durable timers until `dueAt()` (or up to EARLY_DISPATCH_MS before it); returns
 * early when `stop()` turns true. When `revision()` changes (an Update moved the time), it
 * recomputes the deadline.
 * @returns true when it is due, false when stopped.
 */
export async function sleepUntilDue(dueAt: () => string, revision: () => number, stop: () => boolean): Promise<boolean> {
  for (;;) {
    if (stop()) return false;
    const waitMs = Date.parse(dueAt()) - Date.now();
    if (waitMs <= EARLY_DISPATCH_MS) return true;
    const seen = revision();
    const stepMs = waitMs > FINAL_APPROACH_MS + EARLY_DISPATCH_MS ? waitMs - FINAL_APPROACH_MS : waitMs - (EARLY_DISPATCH_MS * 3) / 4;
    await condition(() => stop() || revision() !== seen, stepMs);
  }
}

/** The run a call belongs to: its id (sent as X-Task-Id) and its owner (whose key signs it). */
export type CallOwner = Pick<CallInput, 'taskId' | 'ownerId'>;

/** A call's attempts and result, and why it failed for good (null when it succeeded). */
export interface CallRecord extends CallOutcome {
  failure: string | null;
}

/**
 * Makes one call (HTTP or Lambda) in an activity under a retry policy built from `retry`
 * (attempts = retries + 1; interval; backoff).
 * @returns its attempts, its result, and the failure's message after the last failed attempt.
 */
export async function callAndRecord(input: CallInput, retry: RetrySpec): Promise<CallRecord> {
  const { httpCall, lambdaCall } = proxyActivities<CallActivities>({
    startToCloseTimeout: input.request.timeoutMs + ACTIVITY_GRACE_MS,
    retry: {
      maximumAttempts: retry.retries + 1,
      // Temporal reads 0 as "use the default (1 s)", so the smallest wait we can ask for is 1 ms.
      initialInterval: Math.max(1, retry.retryIntervalMs),
      backoffCoefficient: retry.retryBackoff,
      maximumInterval: longestRetryIntervalMs(retry),
      nonRetryableErrorTypes: isLambdaRequest(input.request) ? [LambdaFailureType.NotRetryable] : [HttpFailureType.InvalidRequest],
    },
  });
  let outcome: CallOutcome | undefined;
  let failure: string | null = null;
  try {
    const { request } = input;
    // v1 runs predate SQS calls: a call is HTTP or Lambda.
    outcome = isLambdaRequest(request)
      ? await lambdaCall({ ...input, request })
      : await httpCall({ ...input, request: request as HttpRequestSpec });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    // The activity attaches its outcome to its last failure; one that never reported back (e.g.
    // its worker died on the last attempt) leaves none.
    if (err.cause instanceof ApplicationFailure) outcome = err.cause.details?.[0] as CallOutcome | undefined;
    failure = err.cause?.message ?? err.message;
  }
  return { attempts: outcome?.attempts ?? [], result: outcome?.result ?? null, failure };
}

/** The last recorded attempt's own error ("HTTP 503", "timed out after 5000 ms"), else the call's failure. */
export function lastError(call: { attempts: AttemptRecord[]; failure: string | null }): string {
  return call.attempts.at(-1)?.error ?? call.failure ?? '';
}

/** The Updates that move or cancel a run while it is pending, and what they do to its state. */
export interface PendingRunControls<S extends RunLifecycle, M extends RunModification> {
  kind: RunKind;
  modify: UpdateDefinition<S, [M]>;
  cancel: UpdateDefinition<S, []>;
  /** Applies an accepted modification (runAt included) to the state. */
  applyModification(change: M): void;
  /** Refuses a modification beyond "no longer scheduled" and "bad time" (use rejectModification). */
  validateModification?(change: M): void;
  /** Marks what a cancel leaves behind, beyond the status. */
  onCancel?(): void;
}

/**
 * Registers the modify and cancel Updates (their validators reject once the run is past
 * `scheduled`, which the API answers with 409), sleeps until the run is due, then marks it
 * running.
 * @returns true when the run started, false when it was cancelled.
 */
export async function waitForStart<S extends RunLifecycle, M extends RunModification>(
  state: S,
  controls: PendingRunControls<S, M>,
): Promise<boolean> {
  let revision = 0;
  setHandler(
    controls.modify,
    (change: M) => {
      controls.applyModification(change);
      revision++;
      publishStatus(state.status, state.runAt);
      return state;
    },
    {
      validator: (change: M) => {
        assertScheduled(state.status, controls.kind);
        assertValidTime(change?.runAt);
        controls.validateModification?.(change);
      },
    },
  );
  setHandler(
    controls.cancel,
    () => {
      state.status = 'cancelled';
      state.finishedAt = new Date().toISOString();
      controls.onCancel?.();
      publishStatus(state.status);
      return state;
    },
    { validator: () => assertScheduled(state.status, controls.kind) },
  );

  const due = await sleepUntilDue(
    () => state.runAt,
    () => revision,
    () => state.status !== 'scheduled',
  );
  if (!due) return false;
  state.status = 'running';
  // Dispatched up to EARLY_DISPATCH_MS ahead, the first call is held by the activity until runAt.
  state.startedAt = new Date(heldUntil(state.runAt)).toISOString();
  publishStatus(state.status);
  return true;
}
