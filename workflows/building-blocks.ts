/**
 * Pieces every workflow of this project is made of: a durable wait that Updates can move or
 * end, the status kept in search attributes, and the HTTP call under a Temporal retry policy.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { HttpActivities } from '../activities';
import {
  HttpFailureType,
  INVALID_MODIFICATION_FAILURE,
  longestRetryIntervalMs,
  NOT_SCHEDULED_FAILURE,
  SearchAttr,
  type HttpCallInput,
  type HttpCallOutcome,
  type HttpRequestSpec,
  type RetrySpec,
  type RunStatus,
} from '../common';

/**
 * Extra time Temporal gives an attempt beyond the user's `timeoutMs`: the activity enforces
 * `timeoutMs` itself (so it can record the timeout as an attempt); this only catches a
 * worker that died mid-call.
 */
const ACTIVITY_GRACE_MS = 5_000;

/**
 * A timer's length is computed from the start of the workflow task that creates it, but the
 * server counts it from that task's completion: a slow task (a cold worker, a busy one) makes
 * the timer late by its own duration. So a long wait stops this much early and a short timer,
 * computed afresh in a quick task, covers the rest.
 */
const FINAL_APPROACH_MS = 1_000;

/**
 * Firing a timer and scheduling the call costs a couple of workflow tasks (~10-20 ms). So the
 * call is dispatched up to this much ahead, and the activity holds it until the due time on
 * the worker's clock (see `notBefore`): the target sees it on time, not a few tasks late.
 */
export const EARLY_DISPATCH_MS = 200;

/**
 * Sleeps on durable timers until `dueAt()` (or up to EARLY_DISPATCH_MS before it); returns
 * early when `stop()` turns true. When `revision()` changes (an Update moved the time), it
 * recomputes the deadline.
 * @returns true when it is due, false when stopped.
 */
export async function sleepUntilDue(
  dueAt: () => string,
  revision: () => number,
  stop: () => boolean,
): Promise<boolean> {
  for (;;) {
    if (stop()) return false;
    const waitMs = Date.parse(dueAt()) - Date.now();
    if (waitMs <= EARLY_DISPATCH_MS) return true;
    const seen = revision();
    const stepMs = waitMs > FINAL_APPROACH_MS + EARLY_DISPATCH_MS ? waitMs - FINAL_APPROACH_MS : waitMs - (EARLY_DISPATCH_MS * 3) / 4;
    await condition(() => stop() || revision() !== seen, stepMs);
  }
}

/** Throws the validator failure that the API answers with 409. */
export function assertScheduled(status: RunStatus, what: string): void {
  if (status !== 'scheduled') {
    throw ApplicationFailure.create({
      type: NOT_SCHEDULED_FAILURE,
      message: `${what} is ${status}; only a scheduled ${what} can be changed or cancelled`,
      nonRetryable: true,
    });
  }
}

/** Throws the validator failure that the API answers with 400. */
export function rejectModification(message: string): never {
  throw ApplicationFailure.create({ type: INVALID_MODIFICATION_FAILURE, message, nonRetryable: true });
}

/** Validates an ISO time given to an Update (the API validates too; this guards direct callers). */
export function assertValidTime(iso: string | undefined): void {
  if (iso !== undefined && Number.isNaN(Date.parse(iso))) rejectModification(`runAt is not a valid time: ${iso}`);
}

/** Publishes the status (and due time) to visibility, so lists by status stay current. */
export function publishStatus(status: RunStatus, runAt?: string): void {
  upsertSearchAttributes([
    { key: SearchAttr.status, value: status },
    ...(runAt ? [{ key: SearchAttr.runAt, value: new Date(runAt) }] : []),
  ]);
}

/** Keeps the memo (what lists show without a query) in step with a modified request. */
export function publishRequestMemo(request: HttpRequestSpec): void {
  upsertMemo({ url: request.url, method: request.method });
}

/** An HTTP call that failed for good, carrying every attempt that was made. */
export class HttpCallFailed extends Error {
  constructor(
    message: string,
    readonly outcome: HttpCallOutcome,
  ) {
    super(message);
  }
}

/**
 * Makes one HTTP call in an activity under a retry policy built from `retry`
 * (attempts = retries + 1; interval; backoff).
 * @throws HttpCallFailed after the last failed attempt.
 */
export async function callHttp(input: HttpCallInput, retry: RetrySpec): Promise<HttpCallOutcome> {
  const { httpCall } = proxyActivities<HttpActivities>({
    startToCloseTimeout: input.request.timeoutMs + ACTIVITY_GRACE_MS,
    retry: {
      maximumAttempts: retry.retries + 1,
      // Temporal reads 0 as "use the default (1 s)", so the smallest wait we can ask for is 1 ms.
      initialInterval: Math.max(1, retry.retryIntervalMs),
      backoffCoefficient: retry.retryBackoff,
      maximumInterval: longestRetryIntervalMs(retry),
      nonRetryableErrorTypes: [HttpFailureType.InvalidRequest],
    },
  });
  try {
    return await httpCall(input);
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
      const outcome = err.cause.details?.[0] as HttpCallOutcome | undefined;
      throw new HttpCallFailed(err.cause.message, outcome ?? { attempts: [], result: null });
    }
    if (err instanceof ActivityFailure) {
      // The activity never reported back (e.g. its worker died on the last attempt).
      throw new HttpCallFailed(err.cause?.message ?? err.message, { attempts: [], result: null });
    }
    throw err;
  }
}
