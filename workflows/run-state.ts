/**
 * What every run's workflow does with its state, whatever its kind or version: refuse a change
 * once it is no longer scheduled, publish its status to visibility, keep its memo in step with
 * its call, and end it completed or failed.
 */
import { ApplicationFailure, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import {
  callMemo,
  INVALID_MODIFICATION_FAILURE,
  isLambdaRequest,
  NOT_SCHEDULED_FAILURE,
  SearchAttr,
  type CallRequestSpec,
  type PublishedStatus,
  type RunLifecycle,
  type RunStatus,
} from '../common';

/**
 * When a call held until `notBefore` was sent, on workflow time: then, or now if that has passed.
 */
export function heldUntil(notBefore: string): number {
  return Math.max(Date.now(), Date.parse(notBefore));
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
export function publishStatus(status: PublishedStatus, runAt?: string): void {
  upsertSearchAttributes([
    { key: SearchAttr.status, value: status },
    ...(runAt ? [{ key: SearchAttr.runAt, value: new Date(runAt) }] : []),
  ]);
}

/**
 * Keeps the memo (what lists show without a query) in step with a modified call target; a
 * target of the other kind also clears the keys of the one it replaces.
 */
export function publishCallMemo(request: CallRequestSpec, previous: CallRequestSpec): void {
  const cleared =
    isLambdaRequest(request) === isLambdaRequest(previous) ? {} : Object.fromEntries(Object.keys(callMemo(previous)).map((k) => [k, null]));
  upsertMemo({ ...cleared, ...callMemo(request) });
}

/**
 * Ends a run: completed, or failed with `failure`, at `finishedAt` (default: now, workflow time). A failed run fails the workflow (typed, with
 * the final state in the details), so Temporal's UI shows it failed and the API reads it back.
 */
export function finishRun<S extends RunLifecycle>(state: S, failure: { type: string; message: string } | null, finishedAt?: string): S {
  settleRun(state, failure, finishedAt);
  return endRun(state, failure);
}

/** Marks a run completed or failed, at `finishedAt` (default: now), and publishes it: the first half of finishRun. */
export function settleRun(state: RunLifecycle, failure: { type: string; message: string } | null, finishedAt?: string): void {
  state.status = failure ? 'failed' : 'completed';
  state.finishedAt = finishedAt ?? new Date().toISOString();
  publishStatus(state.status);
}

/** Ends the workflow of a settled run: its state, or its failure (typed, the state in the details): the second half of finishRun. */
export function endRun<S extends RunLifecycle>(state: S, failure: { type: string; message: string } | null): S {
  if (failure) {
    throw ApplicationFailure.create({ type: failure.type, message: failure.message, details: [state], nonRetryable: true });
  }
  return state;
}
