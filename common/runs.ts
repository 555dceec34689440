/**
 * The run model: tasks and orchestrations are both "runs", workflows that sleep until due
 * (movable and cancellable by Updates meanwhile), then make their calls. A descriptor per kind
 * says everything the API, the worker and a schedule's action need to start, tag, read, list,
 * modify and cancel one, so that each of those is written once.
 * Plain types only: this file is bundled into workflow code.
 */
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import type { CallbackSpec, CallbackState } from './callback';
import type { Tags } from './tags';

/** Lifecycle of a run. `waiting`: an orchestration paused in a `waitFor` step until the outside world resumes it. */
export const RUN_STATUSES = ['scheduled', 'running', 'waiting', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * The `TaskStatus` a task publishes while its call is dispatched and held on a worker until due:
 * visibility only, so that "scheduled and not yet dispatched" (how far behind the system is) can
 * be counted. The API shows a held task as scheduled before its time and running after it.
 */
export const HELD_STATUS = 'held';
/** What `TaskStatus` may hold. */
export type PublishedStatus = RunStatus | typeof HELD_STATUS;

/** The status users see for a published one: a held run is scheduled until its due time, running from then on. */
export function presentedStatus(published: PublishedStatus, runAtMs: number, nowMs: number): RunStatus {
  if (published !== HELD_STATUS) return published;
  return nowMs < runAtMs ? 'scheduled' : 'running';
}

/** The statuses a task goes through (a task never waits). */
export const TASK_STATUSES = ['scheduled', 'running', 'completed', 'failed', 'cancelled'] as const satisfies readonly RunStatus[];

/** What kind of workflow a run is; stored in the `TaskKind` search attribute. */
export type RunKind = 'task' | 'orchestration';

/** Failure type thrown by an Update's validator when the run is past `scheduled` (the API answers 409). */
export const NOT_SCHEDULED_FAILURE = 'NotScheduled';
/** Failure type thrown by an Update's validator for a modification that makes no sense (the API answers 400). */
export const INVALID_MODIFICATION_FAILURE = 'InvalidModification';

/** What every run is started with. */
export interface RunInput {
  ownerId: string;
  name: string | null;
  /** The user's tags (see common/tags.ts). */
  tags?: Tags;
  /** A call made once the run ends (see common/callback.ts). */
  callback?: CallbackSpec;
  /** The run this one retries (`POST .../retry`). */
  retryOf?: string;
  /** ISO time the run is due (for a schedule's run, overridden by its nominal time). */
  runAt: string;
  createdAt: string;
  /**
   * How long before `runAt` the run wakes (its start delay ends); planned by the API for tasks
   * (absent: START_LEAD_MS). Internal: not part of the REST API.
   */
  dispatchLeadMs?: number;
}

/** The lifecycle every run's state carries. */
export interface RunLifecycle {
  ownerId: string;
  status: RunStatus;
  runAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** What every run's state carries beside its lifecycle: its tags, its callback and how it went, the run it retries. */
export interface RunExtras {
  tags?: Tags;
  callback?: CallbackState;
  retryOf?: string;
}

/** The moving part every modification may carry. */
export interface RunModification {
  runAt?: string;
}

/** A run started by a Temporal Schedule: the schedule and the run's nominal time (from Temporal's own search attributes). */
export interface ScheduledStart {
  scheduleId: string;
  /** ISO time the schedule meant the run for: its due time. */
  nominalTime: string;
}

/**
 * Everything that is particular to one kind of run.
 * @typeParam I what its workflow is started with
 * @typeParam S its state: what its query returns and its workflow ends with
 * @typeParam M what its modify Update takes
 * @typeParam Memo what lists show without asking a worker (the workflow's memo)
 */
export interface RunDescriptor<I extends RunInput, S extends RunLifecycle, M extends RunModification, Memo extends object> {
  kind: RunKind;
  /** Workflow type name (running histories use it: never rename). */
  workflowType: string;
  /** Readable prefix of the workflow id, so Temporal's UI and CLI show runs plainly. */
  idPrefix: string;
  /** The statuses this kind of run goes through (what lists filter and counts count). */
  statuses: readonly RunStatus[];
  stateQuery: QueryDefinition<S>;
  modifyUpdate: UpdateDefinition<S, [M]>;
  cancelUpdate: UpdateDefinition<S, []>;
  /** The state of a run that has not started: the workflow's first state, and what the API shows until then. */
  initialState(input: I, scheduledStart?: ScheduledStart | null): S;
  /** The memo a run starts with. */
  memo(input: I): Memo;
  /** From this long before its due time the run counts as running: changes answer 409 (none: until it wakes). */
  changeCutoffMs?: number;
}

/** Any run descriptor, for code that handles every kind alike. */
export type AnyRunDescriptor = RunDescriptor<RunInput, RunLifecycle, RunModification, object>;
export type InputOf<D> = D extends RunDescriptor<infer I, RunLifecycle, RunModification, object> ? I : never;
export type StateOf<D> = D extends RunDescriptor<RunInput, infer S, RunModification, object> ? S : never;
export type ModificationOf<D> = D extends RunDescriptor<RunInput, RunLifecycle, infer M, object> ? M : never;
export type MemoOf<D> = D extends RunDescriptor<RunInput, RunLifecycle, RunModification, infer Memo> ? Memo : never;
