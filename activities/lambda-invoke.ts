import { InvokeCommand, LambdaClient, type InvocationResponse } from '@aws-sdk/client-lambda';
import { CALL_HEADERS, type CallOutput, type CallResult, type LambdaRequestSpec } from '../common';
import { describeAwsFailure, untilAborted } from './aws-call';
import { outputOf } from './http-attempt';
import { decodeBody } from './response-body';

/** What one Invoke attempt came to. */
export interface LambdaAttemptOutcome {
  /** HTTP status of the Invoke answer (200, 202) or of the service error; null when no answer arrived (timeout, network). */
  statusCode: number | null;
  /**
   * null when the invocation succeeded; else why, e.g. 'FunctionError (Unhandled): Error: boom',
   * 'TooManyRequestsException (ReservedFunctionConcurrentInvocationLimitExceeded): Rate Exceeded.',
   * 'ResourceNotFoundException: Function not found: ...', 'timed out after 500 ms'.
   */
  error: string | null;
  /** A throttle, a service fault, a network error or a timeout (see isTransientAwsError); a FunctionError is not. */
  transient?: boolean;
  /** false for errors a retry cannot fix (unknown function, access denied, invalid payload, payload too large, no region, no credentials). */
  retryable: boolean;
  /**
   * The function's payload, parsed as JSON when it is JSON and whole, else text, cut to the limit
   * (exactly like HTTP results), plus the executed version. For a FunctionError, the error
   * payload. null when no payload came back: a timeout, a network error, or a service error
   * (whose type and message are in `error`).
   */
  result: CallResult | null;
  /** The answer for later calls to refer to (asked for with `keepOutput`): the payload, kept whole up to REFERENCED_BODY_LIMIT_BYTES. */
  output?: CallOutput;
}

/** Who the invocation is for: travels in the client context, under `custom`. */
export interface LambdaInvocationMeta {
  idempotencyKey: string;
  taskId: string;
  attempt: number;
  /** Report the payload as `output` too, for later calls to refer to. */
  keepOutput?: boolean;
}

/** Makes one Invoke attempt. */
export type LambdaInvoker = (spec: LambdaRequestSpec, meta: LambdaInvocationMeta, signal: AbortSignal) => Promise<LambdaAttemptOutcome>;

export interface LambdaInvokerDeps {
  /** Payloads longer than this many bytes are cut. */
  responseBodyLimitBytes: number;
  /**
   * The client for a region (undefined: the region of the provider chain). Default: a client
   * with the standard credential and region chains and the SDK's retries off; the SDK itself
   * honours AWS_ENDPOINT_URL_LAMBDA and AWS_ENDPOINT_URL.
   */
  clientFor?: (region: string | undefined) => LambdaClient;
}

/** Lambda's limit on the base64 client context, in bytes. */
const CLIENT_CONTEXT_LIMIT_BYTES = 3583;

/** The region of a full function ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
const ARN_REGION = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):\d{12}:function:/;

/** Statuses of service errors a later attempt can get past: throttling, an update or snapshot in progress, Lambda's own faults. */
function isRetryableStatus(status: number, _name?: string): boolean {
  return status === 429 || status === 409 || status === 408 || status >= 500;
}

/**
 * Builds the invoker that the Lambda activity calls once per attempt: one Invoke, with the
 * SDK's own retries off (Temporal's retry policy is the only one), bounded by `spec.timeoutMs`
 * and `signal`. Clients are made once per region and reused, so their connections are too.
 */
export function createLambdaInvoker(deps: LambdaInvokerDeps): LambdaInvoker {
  const clients = new Map<string, LambdaClient>();
  const clientFor = deps.clientFor ?? ((region) => new LambdaClient({ region, maxAttempts: 1 }));
  const cachedClient = (region: string | undefined): LambdaClient => {
    const key = region ?? '';
    let client = clients.get(key);
    if (!client) {
      client = clientFor(region);
      clients.set(key, client);
    }
    return client;
  };

  return async (spec, meta, signal) => {
    const { lambda, timeoutMs } = spec;
    const clientContext = Buffer.from(
      JSON.stringify({
        custom: {
          [CALL_HEADERS.idempotencyKey]: meta.idempotencyKey,
          [CALL_HEADERS.taskId]: meta.taskId,
          [CALL_HEADERS.attempt]: String(meta.attempt),
        },
      }),
    ).toString('base64');
    if (clientContext.length > CLIENT_CONTEXT_LIMIT_BYTES) {
      return failed(null, `client context is ${clientContext.length} bytes in base64, over Lambda's ${CLIENT_CONTEXT_LIMIT_BYTES}`, false);
    }

    const timeout = AbortSignal.timeout(timeoutMs);
    const abortSignal = AbortSignal.any([timeout, signal]);
    const command = new InvokeCommand({
      FunctionName: lambda.function,
      Qualifier: lambda.qualifier,
      InvocationType: lambda.invocationType,
      ClientContext: clientContext,
      Payload: lambda.payload === undefined ? undefined : Buffer.from(JSON.stringify(lambda.payload)),
    });
    try {
      const client = cachedClient(ARN_REGION.exec(lambda.function)?.[1]);
      // The SDK's abortSignal stops only the HTTP exchange; the race also bounds credential
      // and region resolution (an instance-metadata lookup can take seconds).
      const response = await untilAborted(client.send(command, { abortSignal }), abortSignal);
      return succeeded(response, deps.responseBodyLimitBytes, meta.keepOutput === true);
    } catch (err) {
      if (timeout.aborted) return failed(null, `timed out after ${timeoutMs} ms`, true);
      if (signal.aborted) return failed(null, 'cancelled', true);
      return { ...describeAwsFailure(err, isRetryableStatus, 'use a full function ARN'), result: null };
    }
  };
}

/**
 * The condition-check rule: passes when the invocation succeeded with no FunctionError and,
 * when the payload is an object with a numeric statusCode (an API Gateway-style answer), that
 * statusCode is 2xx. A payload cut to the limit is read for its top-level statusCode as text.
 */
export function lambdaCheckPassed(outcome: LambdaAttemptOutcome): boolean {
  if (outcome.error !== null) return false;
  const statusCode = payloadStatusCode(outcome);
  return statusCode === undefined || (statusCode >= 200 && statusCode <= 299);
}

/** The numeric top-level `statusCode` of the function's payload (an API Gateway-style answer), if it has one. */
export function payloadStatusCode(outcome: LambdaAttemptOutcome): number | undefined {
  const body = outcome.result?.body;
  let statusCode: unknown;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) statusCode = (body as { statusCode?: unknown }).statusCode;
  else if (typeof body === 'string' && outcome.result?.bodyTruncated) statusCode = topLevelStatusCode(body);
  return typeof statusCode === 'number' ? statusCode : undefined;
}

function succeeded(response: InvocationResponse, limit: number, keepOutput: boolean): LambdaAttemptOutcome {
  const payload = response.Payload ?? new Uint8Array();
  const statusCode = response.StatusCode ?? 200;
  const result = {
    statusCode,
    // A function's answer is JSON when it is whole (what the runtimes send), else kept as text.
    ...decodeBody(payload, limit, false, true),
    ...(response.ExecutedVersion ? { executedVersion: response.ExecutedVersion } : {}),
  };
  const output = keepOutput ? { output: outputOf(statusCode, payload, false, true) } : {};
  if (!response.FunctionError) return { statusCode, error: null, retryable: true, result, ...output };
  // The message comes from the whole payload, even when the result shows it cut.
  return {
    statusCode,
    error: `FunctionError (${response.FunctionError}): ${functionErrorText(payload)}`,
    retryable: true,
    result,
    ...output,
  };
}

function failed(statusCode: number | null, error: string, retryable: boolean): LambdaAttemptOutcome {
  return { statusCode, error, retryable, result: null };
}

/** `errorType: errorMessage` of a function error payload (Node.js, Python and Java runtimes all use these keys). */
function functionErrorText(payload: Uint8Array): string {
  const text = new TextDecoder().decode(payload);
  try {
    const { errorType, errorMessage } = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof errorMessage === 'string') return typeof errorType === 'string' ? `${errorType}: ${errorMessage}` : errorMessage;
  } catch {
    // Not the runtime's error shape: show what the function sent.
  }
  return text;
}

/**
 * The number under the top-level key "statusCode" of a JSON text that may be cut short;
 * undefined when there is none before the cut. Skips strings and nested values.
 */
function topLevelStatusCode(text: string): number | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      const isKey = depth === 1 && /^\s*:/.test(text.slice(end + 1, end + 40));
      if (isKey && text.slice(i + 1, end) === 'statusCode') {
        const value = /^\s*:\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*[,}]/.exec(text.slice(end + 1, end + 80));
        return value ? Number(value[1]) : undefined;
      }
      i = end + 1;
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    i++;
  }
  return undefined;
}

/** Index of the quote that closes the string opening at `start`; -1 when the text ends first. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
