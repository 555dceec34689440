import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AttemptRecord, HttpRequestSpec, HttpResult, RetrySpec } from './http';
import type { RunStatus } from './status';

/** Workflow type name of a scheduled task (also used by recurring schedules' actions). */
export const TASK_WORKFLOW_TYPE = 'scheduledTaskWorkflow';
/** Workflow ids of tasks start with this, so Temporal's UI and CLI show them plainly. */
export const TASK_ID_PREFIX = 'task-';

/** What a scheduled-task workflow is started with. */
export interface TaskWorkflowInput {
  ownerId: string;
  name: string | null;
  request: HttpRequestSpec;
  retry: RetrySpec;
  /** ISO time the call is due. */
  runAt: string;
  createdAt: string;
  scheduleId?: string | null;
}

/** The full, current state of a task: what queries return and the workflow ends with. */
export interface TaskState extends TaskWorkflowInput {
  status: RunStatus;
  attempts: AttemptRecord[];
  result: HttpResult | null;
  /** Why the task failed, or null. */
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The state of a task that has not started: the workflow's first state, and what the API shows until then. */
export function initialTaskState(input: TaskWorkflowInput): TaskState {
  return { ...input, status: 'scheduled', attempts: [], result: null, error: null, startedAt: null, finishedAt: null };
}

/** A change to a task that is still scheduled. Absent fields stay as they are. */
export interface TaskModification {
  runAt?: string;
  request?: Partial<HttpRequestSpec>;
  retry?: Partial<RetrySpec>;
}

/** Move or change a task while it sleeps; rejected once it is no longer scheduled. */
export const modifyTaskUpdate = defineUpdate<TaskState, [TaskModification]>('modifyTask');
/** Cancel a task while it sleeps; rejected once it is no longer scheduled. */
export const cancelTaskUpdate = defineUpdate<TaskState, []>('cancelTask');
/** The task's current state. */
export const taskStateQuery = defineQuery<TaskState>('taskState');

/** Failure type a task workflow ends with when its HTTP call failed for good. */
export const TASK_FAILED_FAILURE = 'TaskFailed';
