/**
 * When a run wakes, when its call is dispatched and how long the activity may hold it: the
 * timing constants of every workflow, in one place, in the order `timing.spec.ts` checks.
 *
 *   due - START_LEAD_MS        the start delay ends: the first workflow task runs
 *   due - EARLY_DISPATCH_MS    from here on the call is dispatched at once and held until due
 *   due - FINAL_APPROACH_MS    a long wait's last timer is computed afresh from here
 *   due - LOCAL_HOLD_MAX_MS    a task woken later than this holds its call in a local activity
 *
 * A task may also wake earlier than START_LEAD_MS: the API plans how early (its dispatch lead)
 * so that a burst due at one instant wakes spread out, and holds its calls in regular activities.
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

/**
 * A task that wakes at most this long before its due time dispatches its call as a local
 * activity, which holds it until due: one workflow task per fire, the cheapest Temporal shape
 * (the server spends ~40 % less than with a regular activity; README "Performance"). While a
 * local activity runs, Updates wait for it, so a cancel in this last stretch answers 409.
 */
export const LOCAL_HOLD_MAX_MS = 1_500;

/**
 * From this long before its due time a task counts as running: a cancel or a modify answers 409
 * (the API without asking the workflow). A local activity may be making the call then, and an
 * Update reaching the workflow meanwhile would fail that workflow task: its call would be made
 * again and a cancel would be judged against the state before it.
 */
export const CHANGE_CUTOFF_MS = LOCAL_HOLD_MAX_MS;

/** True once a run due at `runAtMs` can no longer be changed or cancelled at `nowMs` (see CHANGE_CUTOFF_MS). */
export function pastChangeCutoff(runAtMs: number, nowMs: number, cutoffMs: number = CHANGE_CUTOFF_MS): boolean {
  return nowMs >= runAtMs - cutoffMs;
}

/**
 * A task that wakes earlier dispatches a regular activity that holds the call on a worker until
 * due. A worker that dies while holding is noticed after this long without a heartbeat, and the
 * call is dispatched again (on time, if that is still ahead).
 */
export const HELD_HEARTBEAT_TIMEOUT_MS = 180_000;

/**
 * A held call heartbeats this often while it holds (a hold shorter than this sends none until its
 * call). Each heartbeat is a write on the server: 10,000 held calls beating every 30 s (timeout
 * 60 s) took a 2-core dev server past what it could write, heartbeats queued for seconds, some
 * held calls timed out while their worker still held them, and 2,808 of 10,000 calls were made
 * twice. Every 60 s with three times that to spare, the same burst beats about twice per call.
 */
export const HELD_HEARTBEAT_INTERVAL_MS = 60_000;

/**
 * The worker sends an activity's heartbeats at most this often (its throttle). A held call skips
 * the heartbeat that would fall in the last such stretch before its due time, so that the
 * heartbeat saying "calling" goes out at once: a worker that dies after it does not have its call
 * made twice, one that dies before it does not lose it.
 */
export const HEARTBEAT_THROTTLE_MS = 10_000;

/** The start delay for a run due at `runAtMs`, created at `nowMs`, woken `leadMs` ahead (0 = start now). */
export function startDelayMs(runAtMs: number, nowMs: number, leadMs: number = START_LEAD_MS): number {
  return Math.max(0, runAtMs - nowMs - leadMs);
}
