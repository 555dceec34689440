/**
 * A call: what tasks, orchestration steps, condition checks and fallbacks all make. It is an
 * HTTP request or a Lambda invocation, made under a retry policy, with a record per attempt.
 * Plain types and pure functions only: this file is bundled into workflow code.
 */
import type { HttpRequestSpec } from './http';
import type { LambdaRequestSpec } from './lambda';
import type { SqsRequestSpec } from './sqs';

/** One call's target: an HTTP request (`url`), a Lambda invocation (`lambda`) or an SQS message (`sqs`). */
export type CallRequestSpec = HttpRequestSpec | LambdaRequestSpec | SqsRequestSpec;

/** True when the call invokes a Lambda function rather than a URL. */
export function isLambdaRequest(request: CallRequestSpec): request is LambdaRequestSpec {
  return (request as Partial<LambdaRequestSpec>).lambda !== undefined;
}

/** True when the call sends an SQS message. */
export function isSqsRequest(request: CallRequestSpec): request is SqsRequestSpec {
  return (request as Partial<SqsRequestSpec>).sqs !== undefined;
}

/** True when the call is an HTTP request. */
export function isHttpRequest(request: CallRequestSpec): request is HttpRequestSpec {
  return !isLambdaRequest(request) && !isSqsRequest(request);
}

/**
 * Flow control of a call: calls of one owner with the same key go out at most `ratePerSecond` a
 * second and at most `maxInFlight` at once, across every worker; calls over the limit wait their
 * turn in due-time order. At least one limit.
 */
export interface FlowControlSpec {
  /** Default: the destination's origin (`scheme://host:port`), or the function or queue ARN. */
  key?: string;
  ratePerSecond?: number;
  maxInFlight?: number;
}

export const RETRY_ON = ['any', 'transient'] as const;
/** `any`: every failed attempt is retried while retries remain; `transient`: only network errors, timeouts, 408, 425, 429 and 5xx. */
export type RetryOn = (typeof RETRY_ON)[number];

/** How failed attempts are retried. */
export interface RetrySpec {
  /** Retries after the first failed attempt (so attempts = retries + 1). */
  retries: number;
  /** Wait before the first retry, in milliseconds. */
  retryIntervalMs: number;
  /** Multiplier applied to the wait after each retry (1 = constant). */
  retryBackoff: number;
  /** Which failures are retried (absent: `any`). */
  retryOn?: RetryOn;
}

/** The longest wait a `Retry-After` answer can ask for before the next attempt. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** True when a failed attempt is worth another under `retryOn: transient`: no answer (network error, timeout) or 408, 425, 429, 5xx. */
export function isTransientFailure(statusCode: number | null): boolean {
  return statusCode === null || statusCode === 408 || statusCode === 425 || statusCode === 429 || statusCode >= 500;
}

/** One attempt at a call, as recorded by the activity that made it. */
export interface AttemptRecord {
  /** 1-based attempt number. */
  number: number;
  /** When Temporal scheduled this attempt (server time; after the retry wait). */
  scheduledAt: string;
  startedAt: string;
  finishedAt: string;
  /** HTTP status code (for Lambda, the Invoke API's), or null when no response arrived (network error, timeout). */
  statusCode: number | null;
  /** Why the attempt failed; null when it succeeded. */
  error: string | null;
  durationMs: number;
  /** How long it waited its turn under flow control before it went out. */
  waitedMs?: number;
  /** A 429 or 503 answer's `Retry-After`, in ms (at most MAX_RETRY_AFTER_MS): the next attempt waited at least this long. */
  retryAfterMs?: number;
}

/** What the placeholder of an attempt that left no record says. */
export const ATTEMPT_NOT_REPORTED = 'attempt did not report back (its worker stopped or it exceeded the activity timeout)';

/**
 * An attempt that left no record (it did not report back: its worker stopped, or it exceeded
 * the activity timeout): a placeholder that keeps the count of attempts true.
 */
export function missingAttempt(number: number, error: string): AttemptRecord {
  return { number, scheduledAt: '', startedAt: '', finishedAt: '', statusCode: null, error, durationMs: 0 };
}

/** The response of the successful (or last) attempt. */
export interface CallResult {
  statusCode: number;
  /** Parsed JSON when the response is JSON and whole, else text; cut to the configured limit. */
  body: unknown;
  /** True when the body was longer than the limit and was cut. */
  bodyTruncated: boolean;
  /** Lambda only: the function version that ran. */
  executedVersion?: string;
}

/** What a call activity is given. */
export interface CallInput<R extends CallRequestSpec = CallRequestSpec> {
  request: R;
  /** Stable across retries of one call; sent as the Idempotency-Key header (Lambda: in the client context). */
  idempotencyKey: string;
  /** The task or orchestration id, sent as X-Task-Id. */
  taskId: string;
  /** Whose call it is: HTTP calls are signed with this owner's key. (Absent in activities scheduled before users existed.) */
  ownerId?: string;
  /**
   * ISO time before which the first attempt must not be sent: the workflow dispatches a call a
   * little ahead of its due time and the activity holds it until then.
   */
  notBefore?: string;
  /** A condition check's try: a Lambda then passes only if its payload's numeric `statusCode`, when it has one, is 2xx. */
  conditionCheck?: boolean;
}

/** What a call activity returns on success (and attaches to its failure on the last attempt). */
export interface CallOutcome {
  attempts: AttemptRecord[];
  result: CallResult | null;
}

/** Names of what the scheduler sends with every call (headers; for Lambda, client context keys). */
export const CALL_HEADERS = {
  idempotencyKey: 'idempotency-key',
  taskId: 'x-task-id',
  attempt: 'x-task-attempt',
} as const;

/** Default values of the optional call and retry fields. */
export const CALL_DEFAULTS = {
  timeoutMs: 10_000,
  retries: 0,
  retryIntervalMs: 1_000,
  retryBackoff: 1,
} as const;

/** Upper bounds on the user's numbers, so that no input can ask for the absurd. */
export const CALL_LIMITS = {
  maxTimeoutMs: 15 * 60_000,
  maxRetries: 100,
  maxRetryIntervalMs: 7 * 24 * 3_600_000,
  maxRetryBackoff: 100,
} as const;

/**
 * The longest wait between two attempts: the interval grown by the backoff up to the last
 * retry. Temporal caps retry intervals at `maximumInterval`, so it must be at least this.
 */
export function longestRetryIntervalMs(retry: RetrySpec): number {
  const growth = Math.pow(retry.retryBackoff, Math.max(0, retry.retries - 1));
  return Math.min(Math.max(1, retry.retryIntervalMs) * growth, 365 * 24 * 3_600_000);
}
