/** Lifecycle of a task or an orchestration. */
export const RUN_STATUSES = ['scheduled', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** What kind of workflow a resource is; stored in the `TaskKind` search attribute. */
export type RunKind = 'task' | 'orchestration';

/** Failure type thrown by an Update's validator when the run is past `scheduled`. */
export const NOT_SCHEDULED_FAILURE = 'NotScheduled';
/** Failure type thrown by an Update's validator for a modification that makes no sense. */
export const INVALID_MODIFICATION_FAILURE = 'InvalidModification';
