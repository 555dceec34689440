/** Lifecycle of a task or an orchestration. */
export const RUN_STATUSES = ['scheduled', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** What kind of workflow a resource is; stored in the `TaskKind` search attribute. */
export type RunKind = 'task' | 'orchestration';

/** Failure type thrown by an Update's validator when the run is past `scheduled`. */
export const NOT_SCHEDULED_FAILURE = 'NotScheduled';
/** Failure type thrown by an Update's validator for a modification that makes no sense. */
export const INVALID_MODIFICATION_FAILURE = 'InvalidModification';

/**
 * A run is started with a Temporal start delay that ends this long before it is due: until
 * then a sleeping run costs no workflow task, no timer and no worker memory (the embedded
 * server handled only ~20 workflow tasks/s while creating; README "Performance"). Updates
 * still reach it at once: the server runs its first workflow task early for them. Being less
 * than EARLY_DISPATCH_MS (workflows/building-blocks.ts), the first workflow task dispatches
 * the call at once and the activity holds it until the due time: no timer at all.
 */
export const START_LEAD_MS = 400;

/** The start delay for a run due at `runAtMs`, created at `nowMs` (0 = start now). */
export function startDelayMs(runAtMs: number, nowMs: number): number {
  return Math.max(0, runAtMs - nowMs - START_LEAD_MS);
}
