/**
 * The Lambda call: a function invoked through the AWS Lambda Invoke API instead of a URL.
 * Plain types and pure functions only: this file is bundled into workflow code.
 */
import type { FlowControlSpec } from './call';

export const LAMBDA_INVOCATION_TYPES = ['RequestResponse', 'Event'] as const;
/** RequestResponse waits for the function's answer; Event queues it and answers 202 at once. */
export type LambdaInvocationType = (typeof LAMBDA_INVOCATION_TYPES)[number];

/** Which function to invoke, and with what. */
export interface LambdaInvocationSpec {
  /** A name (`my-fn`), `name:alias`, a full ARN or a partial ARN (`123456789012:function:my-fn`). */
  function: string;
  /** Version or alias; also accepted as the `:qualifier` suffix of `function`. */
  qualifier?: string;
  /** Any JSON value, sent as the event. Undefined sends no payload (the function sees `{}`). */
  payload?: unknown;
  invocationType: LambdaInvocationType;
}

/** A Lambda call as the user described it: what a task, a step, a check or a fallback invokes. */
export interface LambdaRequestSpec {
  lambda: LambdaInvocationSpec;
  /** Time limit of one attempt (the Invoke round trip), in milliseconds. */
  timeoutMs: number;
  flowControl?: FlowControlSpec;
}

/** Default values of the optional Lambda fields. */
export const LAMBDA_DEFAULTS = {
  invocationType: 'RequestResponse' as LambdaInvocationType,
} as const;

/**
 * Largest payload accepted for a call: Lambda takes 6 MB synchronously and 1 MB for `Event`,
 * but the payload travels in the workflow's history, where Temporal warns at 512 KB and fails
 * at 2 MB; 256 KB keeps every call far from both.
 */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 256 * 1024;

/** Application failure types thrown by the Lambda activity. */
export const LambdaFailureType = {
  /** The attempt failed and may succeed later: a FunctionError, a throttle, a service error, a timeout. */
  AttemptFailed: 'LambdaAttemptFailed',
  /** The call can never succeed as given (unknown function, access denied, bad payload): not retried. */
  NotRetryable: 'LambdaNotRetryable',
} as const;
