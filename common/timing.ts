/**
 * When a run wakes, when its call is dispatched and how long the activity may hold it: the
 * timing constants of every workflow, in one place, in the order `timing.spec.ts` checks.
 *
 *   due - START_LEAD_MS        the start delay ends: the first workflow task runs
 *   due - EARLY_DISPATCH_MS    from here on the call is dispatched at once and held until due
 *   due - FINAL_APPROACH_MS    a long wait's last timer is computed afresh from here
 *
 * Plain values and pure functions only: this file is bundled into workflow code.
 */

/**
 * A run is started with a Temporal start delay that ends this long before it is due: until
 * then a sleeping run costs no workflow task, no timer and no worker memory (the embedded
 * server handled only ~20 workflow tasks/s while creating; README "Performance"). Updates
 * still reach it at once: the server runs its first workflow task early for them. Being less
 * than EARLY_DISPATCH_MS, the first workflow task dispatches the call at once and the activity
 * holds it until the due time: no timer at all.
 */
export const START_LEAD_MS = 400;

/**
 * Firing a timer and scheduling the call costs a couple of workflow tasks (~10-20 ms idle, far
 * more on a busy server). So the call is dispatched up to this much ahead, and the activity
 * holds it until the due time on the worker's clock (`notBefore`): the target sees it on time,
 * not a few tasks late.
 */
export const EARLY_DISPATCH_MS = 500;

/**
 * A timer's length is computed from the start of the workflow task that creates it, but the
 * server counts it from that task's completion: a slow task (a cold worker, a busy one) makes
 * the timer late by its own duration. So a long wait stops this much early and a short timer,
 * computed afresh in a quick task, covers the rest.
 */
export const FINAL_APPROACH_MS = 1_000;

/**
 * The longest an activity holds a call for its due time. The workflow dispatches at most
 * EARLY_DISPATCH_MS ahead; anything longer means the clocks disagree, and then sending now
 * beats waiting on a clock we cannot trust.
 */
export const MAX_HOLD_MS = 1_000;

/**
 * Extra time Temporal gives an attempt beyond the user's `timeoutMs`: the activity enforces
 * `timeoutMs` itself (so it can record the timeout as an attempt); this only catches a worker
 * that died mid-call.
 */
export const ACTIVITY_GRACE_MS = 5_000;

/** The start delay for a run due at `runAtMs`, created at `nowMs` (0 = start now). */
export function startDelayMs(runAtMs: number, nowMs: number): number {
  return Math.max(0, runAtMs - nowMs - START_LEAD_MS);
}
