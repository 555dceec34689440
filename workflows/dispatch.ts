/**
 * Dispatch v2 of a task's call (README, "Performance"): wake `dispatchLeadMs` before the due
 * time, dispatch the call at once, and let an activity hold it until due. Woken late in the day
 * (the usual case), a local activity holds it: one workflow task per fire. Woken early (a burst
 * the API spread out), a regular activity holds it on a worker, and a cancel or a modify hands it
 * back. Retries are run here, one attempt per activity, each recorded as it ends.
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
} from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import {
  ACTIVITY_GRACE_MS,
  FINAL_APPROACH_MS,
  HELD_HEARTBEAT_TIMEOUT_MS,
  longestRetryIntervalMs,
  type AttemptInput,
  type AttemptMade,
  type AttemptReport,
  type HeldCallSinks,
  type RetrySpec,
} from '../common';

/** The patch that introduced dispatch v2: tasks started before it replay the v1 path. */
export const DISPATCH_V2_PATCH = 'dispatch-v2';

/**
 * A wake this close to its time goes ahead at once rather than set a timer for the rest (the
 * API's clock and the server's may differ by a little; a few ms timer would cost a workflow task).
 */
const WAKE_SLACK_MS = 100;

/** How many times a held call is dispatched again after its worker stopped heartbeating, before the attempt counts as lost. */
const HELD_REDISPATCH_ATTEMPTS = 20;

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

/** Makes attempt `input.attempt` in a local activity, holding it until `notBefore` (at most LOCAL_HOLD_MAX_MS away). */
export async function attemptLocally(input: AttemptInput): Promise<AttemptMade> {
  const holdMs = input.notBefore ? Math.max(0, Date.parse(input.notBefore) - Date.now()) : 0;
  const { callAttempt } = proxyLocalActivities<CallActivities>({
    startToCloseTimeout: holdMs + input.request.timeoutMs + ACTIVITY_GRACE_MS,
    // The activity reports a failed call rather than throw; a throw (a defect, a timeout) is
    // recorded as this attempt's failure, and the task's own retries decide what follows.
    retry: { maximumAttempts: 1 },
  });
  try {
    return await callAttempt(input);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const now = new Date().toISOString();
    const error = `the attempt could not be made: ${err.cause?.message ?? err.message}`;
    return {
      outcome: 'attempted',
      record: { number: input.attempt, scheduledAt: now, startedAt: now, finishedAt: now, statusCode: null, error, durationMs: 0 },
      result: null,
      retryable: true,
    };
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
