/**
 * The API's resources as the dashboard reads them: a hand-kept mirror of the response DTOs in
 * apps/api/src (the browser build cannot import those decorated classes). The call's plain types
 * come from common/ (type-only imports: nothing of it is bundled).
 */
import type { AttemptRecord, CallResult } from '../../../common/call';
import type { LambdaInvocationSpec } from '../../../common/lambda';

export type { CallResult };

/** Every status, in the order of a run's life. */
export const RUN_STATUSES = ['scheduled', 'running', 'completed', 'failed', 'cancelled'] as const;
/** Where a task or an orchestration is in its life. */
export type RunStatus = (typeof RUN_STATUSES)[number];

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

/** The target of a call: an HTTP request or a Lambda invocation (lists give only `function`). */
export interface CallView {
  url?: string;
  method?: HttpMethod;
  headers?: Record<string, string>;
  body?: unknown;
  lambda?: LambdaCall;
  function?: string;
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

/** A task as lists show it. */
export interface TaskSummary extends CallView {
  id: string;
  name: string | null;
  owner: string;
  status: RunStatus;
  runAt: string;
  createdAt: string;
  scheduleId: string | null;
}

/** `GET /tasks/{id}`: the whole task. */
export interface Task extends TaskSummary, RetryPolicy {
  startedAt: string | null;
  finishedAt: string | null;
  attempts: Attempt[];
  result: CallResult | null;
  error: string | null;
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
}

/** Where a step of an orchestration is. */
export type StepStatus = 'pending' | 'running' | 'checking' | 'passed' | 'failed' | 'skipped';
/** Whether an orchestration's fallback ran, and how it ended. */
export type FallbackStatus = 'not_run' | 'running' | 'completed' | 'failed';

/** One step of an orchestration: its call's attempts and the condition check's tries after it. */
export interface Step extends CallView {
  number: number;
  status: StepStatus;
  attempts: Attempt[];
  result: CallResult | null;
  checkAttempts: Attempt[];
  checkResult: CallResult | null;
}

/** The condition check as configured. */
export interface ConditionCheck extends CallView {
  delayMs: number;
  retries: number;
  retryIntervalMs: number;
}

/** The fallback and its outcome. */
export interface Fallback extends CallView {
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
  failure: { reason: 'step_failed' | 'checks_exhausted'; step: number; message: string } | null;
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
}

/** `GET /schedules/{id}`: the whole schedule. */
export interface Schedule extends ScheduleSummary {
  startAt: string | null;
  endAt: string | null;
  jitterMs: number;
  overlap: OverlapPolicy;
  catchupWindowMs: number;
  task: CallView & RetryPolicy;
  recentRuns: Array<{ id: string; status: RunStatus; runAt: string }>;
  createdAt: string;
  updatedAt: string | null;
}

/** One page of a list, and the cursor of the next (null on the last). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `GET /tasks/counts`, `GET /orchestrations/counts`. */
export type Counts = Record<RunStatus | 'all', number>;

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
