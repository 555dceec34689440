/**
 * The attempt path of every call a run makes (tasks since `dispatch-v2`, orchestrations since
 * `orchestration-v2`): each attempt is one activity that holds the call until its due time and
 * reports what happened rather than throw; the workflow runs the retries itself. Woken late (the
 * usual case), a local activity holds and makes the call: one workflow task per fire. Woken early
 * (a burst the API spread out), a regular activity holds it on a worker, and a cancel or a modify
 * hands it back (see PendingRun). README, "Timing semantics".
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  proxySinks,
  condition,
  patched,
  sleep,
} from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import {
  ACTIVITY_GRACE_MS,
  ATTEMPT_NOT_REPORTED,
  FINAL_APPROACH_MS,
  HELD_HEARTBEAT_TIMEOUT_MS,
  isTransientFailure,
  longestRetryIntervalMs,
  MAX_HOLD_MS,
  missingAttempt,
  START_LEAD_MS,
  type AttemptInput,
  type AttemptLate,
  type AttemptMade,
  type AttemptRecord,
  type AttemptReport,
  type CallResult,
  type HeldCallSinks,
  type RetrySpec,
} from '../common';

/**
 * A wake this close to its time goes ahead at once rather than set a timer for the rest (the
 * API's clock and the server's may differ by a little; a few ms timer would cost a workflow task).
 */
const WAKE_SLACK_MS = 100;

/** How many times a held call is dispatched again after its worker stopped heartbeating, before the attempt counts as lost. */
const HELD_REDISPATCH_ATTEMPTS = 20;

/** An attempt that left no report: its worker died after it had begun the call. It counts, without a record. */
export type AttemptLost = { outcome: 'lost' };

/** What one attempt of a call came to. */
export type AttemptEnd = AttemptMade | AttemptLost;

/**
 * Sleeps on durable timers until `wakeAt()` (epoch ms); returns early when `stop()` turns
 * true. When `revision()` changes (an Update moved the time), it recomputes the deadline.
 * @returns true when it is time, false when stopped.
 */
export async function sleepUntilWake(wakeAt: () => number, revision: () => number, stop: () => boolean): Promise<boolean> {
  for (;;) {
    if (stop()) return false;
    const waitMs = wakeAt() - Date.now();
    if (waitMs <= WAKE_SLACK_MS) return true;
    const seen = revision();
    // A timer is counted from the end of the task that set it: a long wait ends with a short
    // timer computed afresh (see FINAL_APPROACH_MS).
    const stepMs = waitMs > 2 * FINAL_APPROACH_MS ? waitMs - FINAL_APPROACH_MS : waitMs;
    await condition(() => stop() || revision() !== seen, stepMs);
  }
}

/**
 * Makes attempt `input.attempt` in a local activity, holding it until `notBefore` (at most
 * LOCAL_HOLD_MAX_MS away). Cancelled (its scope was: a parallel group that no longer needs it)
 * before the call went out, it is never made, and the cancellation is thrown.
 */
export async function attemptLocally(input: AttemptInput): Promise<AttemptMade | AttemptLate> {
  const holdMs = input.notBefore ? Math.max(0, Date.parse(input.notBefore) - Date.now()) : 0;
  const { callAttempt } = proxyLocalActivities<CallActivities>({
    startToCloseTimeout: holdMs + input.request.timeoutMs + ACTIVITY_GRACE_MS,
    // The activity reports a failed call rather than throw; a throw (a defect, a timeout) is
    // recorded as this attempt's failure, and the call's own retries decide what follows.
    retry: { maximumAttempts: 1 },
  });
  // When the attempt was due, on workflow (server) time, as a regular activity's scheduled time
  // is: the local activity's own is the worker's clock.
  const scheduledAt = new Date(Math.max(Date.now(), Date.parse(input.notBefore ?? '') || 0)).toISOString();
  try {
    const made = await callAttempt(input);
    return made.outcome === 'attempted' ? { ...made, record: { ...made.record, scheduledAt } } : made;
  } catch (err) {
    if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
    const now = new Date().toISOString();
    const error = `the attempt could not be made: ${err.cause?.message ?? err.message}`;
    return {
      outcome: 'attempted',
      record: { number: input.attempt, scheduledAt, startedAt: now, finishedAt: now, statusCode: null, error, durationMs: 0 },
      result: null,
      retryable: true,
    };
  }
}

/**
 * Makes attempt `input.attempt` at `dueAt` in a regular activity: sleeps until just before it,
 * then dispatches the call to a worker that holds it until then (no longer than the workflow's
 * clock says) and makes it. The activity's result is recorded when it reports, whatever else the
 * workflow is doing, so calls made this way may run side by side and an Update arriving meanwhile
 * costs nothing (unlike a local activity, whose result is recorded only with its workflow task).
 * @param onDispatch is told the held call, so that it can be handed back (e.g. a parallel group no longer needs it)
 */
export async function attemptHeld(
  input: AttemptInput,
  dueAt: string,
  activityId: string,
  onDispatch?: (held: HeldCall) => void,
): Promise<AttemptReport> {
  await sleepUntilWake(
    () => Date.parse(dueAt) - START_LEAD_MS,
    () => 0,
    () => false,
  );
  for (let dispatch = 1; ; dispatch++) {
    const holdMs = Math.max(0, Date.parse(dueAt) - Date.now());
    // Handed back by a worker shutting down, it goes again at once, but not to the worker running this workflow: that may be the one.
    const held = new HeldCall(
      { ...input, notBefore: dueAt, maxHoldMs: holdMs + MAX_HOLD_MS },
      dispatch === 1 ? activityId : `${activityId}#${dispatch}`,
      dispatch === 1,
    );
    onDispatch?.(held);
    const report = await held.report;
    if (report.outcome !== 'released' || report.reason !== 'shutdown') return report;
  }
}

/**
 * A call dispatched to a regular activity that holds it on a worker until `notBefore`. While it
 * holds, {@link release} hands it back: at once through a sink when the holding worker is the
 * one running this workflow (the usual case: the activity was dispatched eagerly to it), else
 * through the activity's cancellation, which reaches its worker with its next heartbeat.
 */
export class HeldCall {
  /** What the activity reported: its attempt, or that it was handed back. */
  readonly report: Promise<AttemptReport>;
  private readonly scope = new CancellationScope();
  private releasing: Promise<boolean> | null = null;

  /**
   * @param input the attempt, with `notBefore` its due time
   * @param activityId unique in the workflow: the key the holding worker keeps it under
   * @param eager false to keep it from the worker that runs this workflow task (it is shutting down)
   */
  constructor(
    input: AttemptInput,
    private readonly activityId: string,
    eager = true,
  ) {
    const holdMs = Math.max(0, Date.parse(input.notBefore ?? '') - Date.now() || 0);
    const { heldCall } = proxyActivities<CallActivities>({
      activityId,
      startToCloseTimeout: holdMs + input.request.timeoutMs + ACTIVITY_GRACE_MS,
      heartbeatTimeout: HELD_HEARTBEAT_TIMEOUT_MS,
      // A cancel waits for the activity's answer: handed back (never made) or made (the cancel lost).
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      // Retries only re-dispatch a hold whose worker died; a failed call is reported, not thrown.
      retry: { maximumAttempts: HELD_REDISPATCH_ATTEMPTS, initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 30_000 },
      allowEagerDispatch: eager,
    });
    this.report = this.scope
      .run(() => heldCall(input))
      .catch((err: unknown): AttemptReport => {
        // Cancelled before any worker took it: never made.
        if (isCancellation(err)) return { outcome: 'released', reason: 'requested' };
        // Dispatched again and again without an answer: the call may have been made.
        if (err instanceof ActivityFailure) return { outcome: 'lost' };
        throw err;
      });
  }

  /**
   * Asks for the call back (once, however many Updates ask).
   * @returns true when it was handed back and will not be made; false when it has been made.
   */
  release(): Promise<boolean> {
    this.releasing ??= (() => {
      proxySinks<HeldCallSinks>().heldCalls.release(this.activityId);
      this.scope.cancel();
      return this.report.then((report) => report.outcome === 'released');
    })();
    return this.releasing;
  }
}

/** The wait before retry `attempt` + 1, as Temporal would compute it: interval x backoff^(attempt-1), capped. */
export function retryDelayMs(retry: RetrySpec, attempt: number): number {
  const delay = Math.max(1, retry.retryIntervalMs) * Math.pow(retry.retryBackoff, attempt - 1);
  return Math.min(delay, longestRetryIntervalMs(retry));
}

/** Where a call's attempts and its last answer are recorded (a task's state, a step's, a branch call's, the fallback's). */
export interface CallLog {
  attempts: AttemptRecord[];
  result: CallResult | null;
}

/**
 * Records the first attempt and makes the retries `retry` allows, each `next(n)` after its wait:
 * the retry interval grown by the backoff, or longer when the target answered with Retry-After.
 * Under `retryOn: transient` only failures a retry can heal are retried (see isTransientFailure).
 * @param beforeRetryWait runs before each wait (a task publishes that it is running)
 * @returns null when an attempt succeeded, else why the call failed for good.
 */
export async function retryUntilDone(
  log: CallLog,
  retry: RetrySpec,
  first: AttemptEnd,
  next: (attempt: number) => Promise<AttemptEnd>,
  beforeRetryWait?: () => void,
): Promise<string | null> {
  let report: AttemptEnd = first;
  for (let attempt = 1; ; attempt++) {
    let message: string;
    let retryable: boolean;
    let waitMs = retryDelayMs(retry, attempt);
    if (report.outcome === 'attempted') {
      const { record } = report;
      log.attempts.push(record);
      log.result = report.result;
      if (record.error === null) return null;
      message = `attempt ${attempt} failed: ${record.error}`;
      retryable = report.retryable && (retry.retryOn !== 'transient' || (report.transient ?? isTransientFailure(record.statusCode)));
      // The target said when to come back (Retry-After): not sooner.
      if (record.retryAfterMs !== undefined) waitMs = Math.max(waitMs, record.retryAfterMs);
    } else {
      log.attempts.push(missingAttempt(attempt, ATTEMPT_NOT_REPORTED));
      message = `attempt ${attempt} failed: ${ATTEMPT_NOT_REPORTED}`;
      retryable = true;
    }
    if (!retryable || attempt > retry.retries) return message;
    beforeRetryWait?.();
    await sleep(waitMs + (report.outcome === 'attempted' ? untilAttemptEnded(report.record) : 0));
    report = await next(attempt + 1);
  }
}

/** Retry waits count from the attempt's end, not from the workflow task that saw it: see untilAttemptEnded. */
export const RETRY_WAIT_FROM_END_PATCH = 'retry-wait-from-attempt-end';

/**
 * How far the attempt's end lies ahead of workflow time: workflow time stands still while a local
 * activity holds its call until due and makes it, so a wait started then would end that much early
 * (measured: a task woken 0.3 s ahead came back 29.7 s after a Retry-After of 30 s). Zero for a
 * regular activity, whose result arrives in a later workflow task; and before the patch.
 */
function untilAttemptEnded(record: AttemptRecord): number {
  if (!record.scheduledAt || !patched(RETRY_WAIT_FROM_END_PATCH)) return 0;
  return Math.max(0, Date.parse(record.scheduledAt) + record.durationMs - Date.now());
}

/**
 * When a call whose last attempt is in `log` ended, on workflow time: workflow time stands still
 * while a local activity runs, so the attempt's own end (the worker's clock) can be later.
 */
export function callEndedAt(log: CallLog, notBefore?: string): number {
  const lastEnd = Date.parse(log.attempts.at(-1)?.finishedAt ?? '') || 0;
  return Math.max(Date.now(), lastEnd, notBefore ? Date.parse(notBefore) : 0);
}
