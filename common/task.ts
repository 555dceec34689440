import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { isHttpRequest, isLambdaRequest, type AttemptRecord, type CallRequestSpec, type CallResult, type RetrySpec } from './call';
import { HTTP_DEFAULTS, type HttpRequestSpec } from './http';
import type { LambdaRequestSpec } from './lambda';
import type { SqsRequestSpec } from './sqs';
import { CHANGE_CUTOFF_MS } from './timing';
import { callbackState } from './callback';
import { TASK_STATUSES, type RunDescriptor, type RunExtras, type RunInput, type RunLifecycle, type ScheduledStart } from './runs';

/** What a scheduled-task workflow is started with (also a schedule's action, for each of its runs). */
export interface TaskWorkflowInput extends RunInput {
  request: CallRequestSpec;
  retry: RetrySpec;
}

/** The full, current state of a task: what queries return and the workflow ends with. */
export interface TaskState extends Omit<TaskWorkflowInput, 'callback'>, RunLifecycle, RunExtras {
  /** The schedule that started it; null for a task created directly. */
  scheduleId: string | null;
  attempts: AttemptRecord[];
  result: CallResult | null;
  /** Why the task failed, or null. */
  error: string | null;
  /**
   * True while its call is dispatched and held on a worker until `runAt` (it is still
   * scheduled: a cancel or a modify hands the call back). Internal: the API shows a held task
   * as scheduled before its time, running after.
   */
  held?: boolean;
}

/** A change to a task that is still scheduled. Absent fields stay as they are. */
export interface TaskModification {
  runAt?: string;
  /** Fields of the call: merged into an HTTP call, or a whole new target when `url` or `lambda` switches its kind. */
  request?: Partial<CallRequestSpec>;
  retry?: Partial<RetrySpec>;
  /** The dispatch lead the API planned for a new `runAt` (see TaskWorkflowInput). */
  dispatchLeadMs?: number;
}

/** What lists show of a task without asking a worker: its name and the call's target. */
export type TaskMemo = { name: string | null } & CallMemo;
/** The target of a call, as a memo shows it. */
export type CallMemo = { url: string; method: string } | { function: string } | { queue: string };

/** The memo of a call's target (`url`/`method`, `function`, or `queue`). */
export function callMemo(request: CallRequestSpec): CallMemo {
  if (isLambdaRequest(request)) return { function: request.lambda.function };
  if (!isHttpRequest(request)) return { queue: request.sqs.queueUrl };
  return { url: request.url, method: request.method };
}

/**
 * The state of a task that has not started. A schedule's run is due at its nominal time and
 * belongs to its schedule; its input, the schedule's action, is the same for every run.
 */
export function initialTaskState(input: TaskWorkflowInput, scheduledStart: ScheduledStart | null = null): TaskState {
  const { callback, ...rest } = input;
  return {
    ...rest,
    ...(callback ? { callback: callbackState(callback) } : {}),
    ...(scheduledStart ? { runAt: scheduledStart.nominalTime, createdAt: scheduledStart.nominalTime } : {}),
    scheduleId: scheduledStart?.scheduleId ?? null,
    status: 'scheduled',
    attempts: [],
    result: null,
    error: null,
    startedAt: null,
    finishedAt: null,
  };
}

/** Move or change a task while it sleeps; rejected once it is no longer scheduled. */
export const modifyTaskUpdate = defineUpdate<TaskState, [TaskModification]>('modifyTask');
/** Cancel a task while it sleeps; rejected once it is no longer scheduled. */
export const cancelTaskUpdate = defineUpdate<TaskState, []>('cancelTask');
/** The task's current state. */
export const taskStateQuery = defineQuery<TaskState>('taskState');

/** Failure type a task workflow ends with when its call failed for good. */
export const TASK_FAILED_FAILURE = 'TaskFailed';

/** A scheduled task: one call at its time, under its retry policy. */
export const TASK_RUN: RunDescriptor<TaskWorkflowInput, TaskState, TaskModification, TaskMemo> = {
  kind: 'task',
  workflowType: 'scheduledTaskWorkflow',
  idPrefix: 'task-',
  statuses: TASK_STATUSES,
  stateQuery: taskStateQuery,
  modifyUpdate: modifyTaskUpdate,
  cancelUpdate: cancelTaskUpdate,
  initialState: initialTaskState,
  memo: (input) => ({ name: input.name, ...callMemo(input.request) }),
  changeCutoffMs: CHANGE_CUTOFF_MS,
};

/**
 * The call after a modification: HTTP fields are merged into an HTTP call; `lambda` or `sqs`
 * replaces the target with an invocation or a message (a Lambda call's or an SQS call's own
 * fields are replaced whole); `url` makes a Lambda or SQS call an HTTP one again (unset HTTP
 * fields then take their defaults). `timeoutMs` and `flowControl` carry over unless given.
 * @returns the new call, or why the change cannot apply.
 */
export function modifiedCall(current: CallRequestSpec, change: Partial<CallRequestSpec>): CallRequestSpec | string {
  const timeoutMs = change.timeoutMs ?? current.timeoutMs;
  const flowControl = change.flowControl ?? current.flowControl;
  const kept = { timeoutMs, ...(flowControl ? { flowControl } : {}) };
  const http = change as Partial<HttpRequestSpec>;
  const lambda = (change as Partial<LambdaRequestSpec>).lambda;
  const sqs = (change as Partial<SqsRequestSpec>).sqs;
  const httpFields = (['url', 'method', 'headers', 'body'] as const).filter((k) => http[k] !== undefined);
  if (lambda !== undefined && sqs !== undefined) return 'give either lambda or sqs, not both';
  if (lambda !== undefined || sqs !== undefined) {
    if (httpFields.length > 0) return `give either ${lambda !== undefined ? 'lambda' : 'sqs'} or ${httpFields.join(', ')}, not both`;
    return lambda !== undefined ? { lambda, ...kept } : { sqs: sqs!, ...kept };
  }
  if (isHttpRequest(current)) {
    const merged = { ...current, ...(change as Partial<HttpRequestSpec>), ...kept };
    if (merged.method === 'GET' && merged.body !== undefined) return 'method GET sends no body, and this call has one';
    return merged;
  }
  if (http.url === undefined) {
    const what = isLambdaRequest(current) ? 'invokes a Lambda function' : 'sends an SQS message';
    if (httpFields.length > 0) return `${httpFields.join(', ')} need a url: this call ${what}`;
    return { ...current, ...kept };
  }
  return {
    url: http.url,
    method: http.method ?? HTTP_DEFAULTS.method,
    headers: http.headers ?? {},
    ...(http.body !== undefined ? { body: http.body } : {}),
    ...kept,
  };
}
