/**
 * The HTTP call: what tasks, orchestration steps, condition checks and fallbacks all make.
 * Plain types and pure functions only: this file is bundled into workflow code.
 */

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One HTTP request as the user described it. */
export interface HttpRequestSpec {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  /** Any JSON value; sent as JSON. Undefined means no body. */
  body?: unknown;
  /** Time limit of one attempt, in milliseconds. */
  timeoutMs: number;
}

/** How failed attempts are retried. */
export interface RetrySpec {
  /** Retries after the first failed attempt (so attempts = retries + 1). */
  retries: number;
  /** Wait before the first retry, in milliseconds. */
  retryIntervalMs: number;
  /** Multiplier applied to the wait after each retry (1 = constant). */
  retryBackoff: number;
}

/** One attempt at an HTTP call, as recorded by the activity that made it. */
export interface AttemptRecord {
  /** 1-based attempt number. */
  number: number;
  /** When Temporal scheduled this attempt (server time; after the retry wait). */
  scheduledAt: string;
  startedAt: string;
  finishedAt: string;
  /** HTTP status code, or null when no response arrived (network error, timeout). */
  statusCode: number | null;
  /** Why the attempt failed; null for a 2xx response. */
  error: string | null;
  durationMs: number;
}

/**
 * An attempt that left no record (it did not report back: its worker stopped, or it exceeded
 * the activity timeout): a placeholder that keeps the count of attempts true.
 */
export function missingAttempt(number: number, error: string): AttemptRecord {
  return { number, scheduledAt: '', startedAt: '', finishedAt: '', statusCode: null, error, durationMs: 0 };
}

/** The response of the successful (or last) attempt. */
export interface HttpResult {
  statusCode: number;
  /** Parsed JSON when the response is JSON and whole, else text; cut to the configured limit. */
  body: unknown;
  /** True when the body was longer than the limit and was cut. */
  bodyTruncated: boolean;
}

/** What the HTTP activity is given. */
export interface HttpCallInput {
  request: HttpRequestSpec;
  /** Stable across retries of one call; sent as the Idempotency-Key header. */
  idempotencyKey: string;
  /** The task or orchestration id, sent as X-Task-Id. */
  taskId: string;
  /**
   * ISO time before which the first attempt must not be sent: the workflow dispatches a call a
   * little ahead of its due time and the activity holds it until then.
   */
  notBefore?: string;
}

/** Headers the scheduler sets on every call (the user's headers cannot override them; the API refuses them). */
export const CALL_HEADERS = {
  idempotencyKey: 'idempotency-key',
  taskId: 'x-task-id',
  attempt: 'x-task-attempt',
} as const;

/** The headers of the Standard Webhooks signature (https://www.standardwebhooks.com), also set on every call. */
export const WEBHOOK_SIGNATURE_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** What the HTTP activity returns on success (and attaches to its failure on the last attempt). */
export interface HttpCallOutcome {
  attempts: AttemptRecord[];
  result: HttpResult | null;
}

/** Application failure types thrown by the HTTP activity. */
export const HttpFailureType = {
  /** The attempt failed (network error, timeout, non-2xx); Temporal retries it. */
  AttemptFailed: 'HttpAttemptFailed',
  /** The request can never succeed (e.g. a malformed URL); not retried. */
  InvalidRequest: 'HttpInvalidRequest',
} as const;

/** Default values of the optional HTTP and retry fields (SPEC.md). */
export const HTTP_DEFAULTS = {
  method: 'POST' as HttpMethod,
  timeoutMs: 10_000,
  retries: 0,
  retryIntervalMs: 1_000,
  retryBackoff: 1,
} as const;

/** Upper bounds on the user's numbers, so that no input can ask for the absurd. */
export const HTTP_LIMITS = {
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
