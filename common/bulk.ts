/**
 * Bulk jobs: cancel or retry every run of a kind that matches a filter, durably. The job is a
 * workflow (`bulkJobWorkflow`) on the worker; each page of runs is acted on by an activity that
 * the API's processes run (on the API's task queue), so each run is cancelled or retried by the
 * very code of the single-run call, with its rules and answers.
 * Plain types only: this file is bundled into workflow code.
 */
import type { RunKind, RunStatus } from './runs';

export const BULK_ACTIONS = ['cancel', 'retry'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** The statuses each action may select: only runs it can act on (cancel: scheduled; retry: failed or cancelled). */
export const BULK_ACTION_STATUSES: Readonly<Record<BulkAction, readonly RunStatus[]>> = {
  cancel: ['scheduled'],
  retry: ['failed', 'cancelled'],
};

/** The status an action selects when the filter names none. */
export const BULK_DEFAULT_STATUS: Readonly<Record<BulkAction, RunStatus>> = { cancel: 'scheduled', retry: 'failed' };

/** Which runs a job acts on: all of these must hold. */
export interface BulkFilter {
  status?: RunStatus;
  scheduleId?: string;
  /** `key:value` each; a run must carry them all. */
  tag?: string[];
  /** ISO times: created at or after, before. */
  createdAfter?: string;
  createdBefore?: string;
  /** Admins only: `all`, or one user's sub (as for lists). */
  owner?: string;
  /** These runs only (the dashboard's selection). */
  ids?: string[];
}

export const BULK_LIMITS = {
  /** Runs listed and acted on per activity. */
  pageSize: 100,
  /** Runs of a page acted on at once. */
  concurrency: 8,
  /** Failures a job keeps to show (the count has them all). */
  keptFailures: 50,
  /** `ids` a filter may name. */
  maxIds: 200,
} as const;

/** One run the job could not act on: what the single-run call would have answered. */
export interface BulkFailure {
  id: string;
  statusCode: number;
  message: string;
}

/** Who asked: the job acts with their rights. */
export interface BulkCaller {
  sub: string;
  admin: boolean;
}

export interface BulkJobInput {
  kind: RunKind;
  action: BulkAction;
  filter: BulkFilter;
  caller: BulkCaller;
  /** The visibility query of the matching runs, fixed when the job was created (runs created later never match). */
  query: string;
  /** How many runs matched when the job was created. */
  matched: number;
  createdAt: string;
  /** Where a job that continued as new carries on. */
  resume?: { nextPageToken: string; progress: BulkProgress };
}

export interface BulkProgress {
  /** Acted on as asked. */
  done: number;
  /** Refused, with what the single-run call answered (the first ones in `failures`). */
  failed: number;
  failures: BulkFailure[];
}

/** `stopped`: ended from outside (terminated by an operator) before acting on every run. */
export type BulkJobStatus = 'running' | 'completed' | 'stopped';

/** What `GET /bulk/{id}` shows; the workflow keeps it in its memo, so reading it needs no worker. */
export interface BulkJobState extends BulkProgress {
  kind: RunKind;
  action: BulkAction;
  filter: BulkFilter;
  ownerId: string;
  status: BulkJobStatus;
  matched: number;
  createdAt: string;
  finishedAt: string | null;
}

/** One page for the API's activity: act on the runs the query lists after `pageToken`. */
export interface BulkPageRequest {
  jobId: string;
  kind: RunKind;
  action: BulkAction;
  caller: BulkCaller;
  query: string;
  /** base64 of Temporal's page token; '' for the first page. */
  pageToken: string;
}

export interface BulkPageOutcome extends BulkProgress {
  /** '' when this was the last page. */
  nextPageToken: string;
}

/** The activities the API's processes run for bulk jobs. */
export interface BulkActivities {
  actOnBulkPage(request: BulkPageRequest): Promise<BulkPageOutcome>;
}

/** The task queue of the activities the API runs: beside the worker's. */
export function apiTaskQueue(taskQueue: string): string {
  return `${taskQueue}-api`;
}

export const BULK_ID_PREFIX = 'bulk-';
/** Search attribute `TaskKind` of a bulk job. */
export const BULK_KIND = 'bulk';
export const BULK_WORKFLOW_TYPE = 'bulkJobWorkflow';
