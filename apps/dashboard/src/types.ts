/**
 * The API's resources as the dashboard reads them: a hand-kept mirror of the response DTOs in
 * apps/api/src (the browser build cannot import those decorated classes). The call's plain types
 * come from common/ (type-only imports: nothing of it is bundled).
 */
import type { AttemptRecord, CallResult, FlowControlSpec, RetryOn } from '../../../common/call';
import type { LambdaInvocationSpec } from '../../../common/lambda';
import type { SqsMessageSpec } from '../../../common/sqs';

export type { CallResult, RetryOn };

/** Every status, in the order of a run's life (`waiting`: an orchestration in a waitFor step). */
export const RUN_STATUSES = ['scheduled', 'running', 'waiting', 'completed', 'failed', 'cancelled'] as const;
/** Where a task or an orchestration is in its life. */
export type RunStatus = (typeof RUN_STATUSES)[number];
/** A task's statuses: a task never waits. */
export const TASK_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter((s) => s !== 'waiting');

/** Which failed attempts are retried. */
export const RETRY_ON_CHOICES = ['any', 'transient'] as const satisfies readonly RetryOn[];

/** A run's or a schedule's own labels. */
export type Tags = Record<string, string>;

/** Flow control of a call, as given. */
export type FlowControl = FlowControlSpec;

/** An SQS message as a resource shows it. */
export type SqsMessage = SqsMessageSpec;

/** Statuses after which nothing changes any more. */
export const FINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

/** The methods a call may use. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** One of {@link HTTP_METHODS}. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** How a Lambda function is invoked: waiting for its answer, or queued. */
export const INVOCATION_TYPES = ['RequestResponse', 'Event'] as const;
/** One of {@link INVOCATION_TYPES}. */
export type InvocationType = (typeof INVOCATION_TYPES)[number];

/** A Lambda invocation as a resource shows it. */
export type LambdaCall = LambdaInvocationSpec;

/** The target of a call: an HTTP request, a Lambda invocation or an SQS message (lists give only `function` or `queue`). */
export interface CallView {
  url?: string;
  method?: HttpMethod;
  headers?: Record<string, string>;
  body?: unknown;
  lambda?: LambdaCall;
  function?: string;
  sqs?: SqsMessage;
  queue?: string;
  flowControl?: FlowControl;
}

/** One attempt at a call, as the worker recorded it. */
export type Attempt = AttemptRecord;

/** How a call is timed out and retried. */
export interface RetryPolicy {
  timeoutMs: number;
  retries: number;
  retryIntervalMs: number;
  retryBackoff: number;
}

/** A call of an orchestration as its resource shows it: target, payload, time limit and retries (none on a group or a wait). */
export interface PlannedCall extends CallView, Partial<RetryPolicy> {
  retryOn?: RetryOn;
}

/** A task as lists show it. */
export interface TaskSummary extends CallView {
  id: string;
  name: string | null;
  owner: string;
  status: RunStatus;
  runAt: string;
  createdAt: string;
  /** When it ended (completed, failed or cancelled); null while open. */
  finishedAt: string | null;
  scheduleId: string | null;
  tags: Tags;
}

/** How a run ends, for a callback to be made on. */
export const RUN_ENDS = ['completed', 'failed', 'cancelled'] as const;
export type RunEnd = (typeof RUN_ENDS)[number];

/** A callback and how it went: waiting (the run has not ended), running, completed, failed, skipped. */
export interface Callback extends CallView, RetryPolicy {
  on: RunEnd[];
  retryOn?: RetryOn;
  status: 'waiting' | 'running' | 'completed' | 'failed' | 'skipped';
  attempts: Attempt[];
  result: CallResult | null;
}

/** `GET /tasks/{id}`: the whole task. */
export interface Task extends TaskSummary, RetryPolicy {
  retryOn: RetryOn;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: Attempt[];
  result: CallResult | null;
  error: string | null;
  callback: Callback | null;
  retryOf: string | null;
}

/** An orchestration as lists show it. */
export interface OrchestrationSummary {
  id: string;
  name: string | null;
  owner: string;
  status: RunStatus;
  stepCount: number;
  runAt: string;
  createdAt: string;
  /** When it ended (completed, failed or cancelled); null while open. */
  finishedAt: string | null;
  tags: Tags;
}

/** Where a step of an orchestration is. */
export type StepStatus = 'pending' | 'running' | 'checking' | 'waiting' | 'passed' | 'failed' | 'skipped';
/** Where a call of a parallel branch (or the branch) is. */
export type CallStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'skipped';
/** How a parallel group's branches join. */
export const JOIN_MODES = ['all', 'any'] as const;
export type JoinMode = (typeof JOIN_MODES)[number];

/** One call of a parallel branch. */
export interface BranchCall extends PlannedCall {
  number: number;
  id?: string;
  status: CallStatus;
  attempts: Attempt[];
  result: CallResult | null;
}

/** One branch of a parallel group: its calls, in order. */
export interface Branch {
  number: number;
  status: CallStatus;
  calls: BranchCall[];
}
/** Whether an orchestration's fallback ran, and how it ended. */
export type FallbackStatus = 'not_run' | 'running' | 'completed' | 'failed';

/**
 * One step of an orchestration: a call, a parallel group of branches, or a wait for the outside
 * world; its call's attempts and the condition check's tries after it.
 */
export interface Step extends PlannedCall {
  number: number;
  kind: 'call' | 'parallel' | 'wait';
  id?: string;
  join?: JoinMode;
  maxConcurrency?: number | null;
  branches?: Branch[];
  waitFor?: { timeoutMs: number };
  waitingSince?: string | null;
  expiresAt?: string | null;
  resumedAt?: string | null;
  status: StepStatus;
  attempts: Attempt[];
  result: CallResult | null;
  checkAttempts: Attempt[];
  checkResult: CallResult | null;
}

/** The condition check as configured. */
export interface ConditionCheck extends CallView {
  id?: string;
  timeoutMs?: number;
  delayMs: number;
  retries: number;
  retryIntervalMs: number;
}

/** The fallback and its outcome. */
export interface Fallback extends PlannedCall {
  id?: string;
  status: FallbackStatus;
  attempts: Attempt[];
  result: CallResult | null;
}

/** `GET /orchestrations/{id}`: the whole orchestration. */
export interface Orchestration extends OrchestrationSummary {
  currentStep: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  steps: Step[];
  conditionCheck: ConditionCheck;
  fallback: Fallback | null;
  failure: { reason: 'step_failed' | 'checks_exhausted' | 'wait_timed_out'; step: number; message: string } | null;
  /** While it waits in a waitFor step: which step, the URL that resumes it (a secret), and when the wait times out. */
  waiting: { step: number; resumeUrl: string; expiresAt: string } | null;
  callback: Callback | null;
  retryOf: string | null;
}

/** What a schedule does with a run due while the previous one still runs. */
export type OverlapPolicy = 'skip' | 'bufferOne' | 'allowAll';

/** A schedule as lists show it. */
export interface ScheduleSummary {
  id: string;
  name: string | null;
  owner: string;
  state: 'active' | 'paused';
  cron?: string;
  everyMs?: number;
  at?: string[];
  timezone: string;
  nextRuns: string[];
  tags: Tags;
}

/** `GET /schedules/{id}`: the whole schedule. */
export interface Schedule extends ScheduleSummary {
  startAt: string | null;
  endAt: string | null;
  jitterMs: number;
  overlap: OverlapPolicy;
  catchupWindowMs: number;
  task: CallView & RetryPolicy & { retryOn: RetryOn; callback: Callback | null };
  recentRuns: Array<{ id: string; status: RunStatus; runAt: string }>;
  createdAt: string;
  updatedAt: string | null;
}

/** One page of a list, and the cursor of the next (null on the last). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `GET /tasks/counts`, `GET /orchestrations/counts` (only orchestrations have `waiting`). */
export type Counts = Record<Exclude<RunStatus, 'waiting'> | 'all', number> & { waiting?: number };

/** A bulk job (`POST /tasks/bulk`, `POST /orchestrations/bulk`, `GET /bulk/{id}`). */
export interface BulkJob {
  id: string;
  kind: 'task' | 'orchestration';
  action: 'cancel' | 'retry';
  filter: { status: RunStatus; ids?: string[]; tag?: string[]; scheduleId?: string; owner?: string };
  status: 'running' | 'completed' | 'stopped';
  matched: number;
  done: number;
  failed: number;
  skipped: number;
  failures: Array<{ id: string; statusCode: number; message: string }>;
  createdAt: string;
  finishedAt: string | null;
}

/** `POST /functions`: the function deployed, and the task or schedule made with it. */
export interface DeployedFunction {
  name: string;
  arn: string;
  runtime: string;
  handler: string;
  state: string;
  functionUrl: string | null;
  version?: string;
  taskId?: string;
  scheduleId?: string;
}

/** `GET /me`: who the token stands for. */
export interface Me {
  sub: string;
  admin: boolean;
}

/** `GET /dashboard/config`. */
/** The identity provider the dashboard signs people in with (OIDC_CLIENT_ID with JWT_ISSUER). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** The API's audience (JWT_AUDIENCE), asked for as the resource. */
  audience: string;
  scope: string;
}

export interface DashboardConfig {
  namespace: string;
  temporalUiUrl: string | null;
  authMode: 'hs256' | 'jwks';
  devSignIn: boolean;
  /** Sign-in through the identity provider; null: paste a token. */
  oidc: OidcSettings | null;
}

/** Every error answer of the API. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: Array<{ field: string; messages: string[] }>;
}
