/**
 * The HTTP call: a request to a URL. Plain types only: this file is bundled into workflow code.
 */
import type { FlowControlSpec } from './call';

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
  flowControl?: FlowControlSpec;
}

/** Default values of the optional HTTP fields. */
export const HTTP_DEFAULTS = {
  method: 'POST' as HttpMethod,
} as const;

/** The headers of the Standard Webhooks signature (https://www.standardwebhooks.com), also set on every call. */
export const WEBHOOK_SIGNATURE_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** Application failure types thrown by the HTTP activity (names recorded in running histories: keep them). */
export const HttpFailureType = {
  /** The attempt failed (network error, timeout, non-2xx); Temporal retries it. */
  AttemptFailed: 'HttpAttemptFailed',
  /** The request can never succeed (e.g. a malformed URL, a refused destination); not retried. */
  InvalidRequest: 'HttpInvalidRequest',
} as const;
