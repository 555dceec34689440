import {
  CALL_DEFAULTS,
  HTTP_DEFAULTS,
  isLambdaRequest,
  LAMBDA_DEFAULTS,
  type CallRequestSpec,
  type LambdaInvocationSpec,
  type RetrySpec,
} from '../../../../common';
import type { CallDto, LambdaInvocationDto, RetryingCallDto } from './call.dto';

/** The call a DTO describes (an HTTP request or a Lambda invocation), with the defaults filled in. */
export function toRequestSpec(dto: CallDto): CallRequestSpec {
  const timeoutMs = dto.timeoutMs ?? CALL_DEFAULTS.timeoutMs;
  if (dto.lambda) return { lambda: toLambdaInvocation(dto.lambda), timeoutMs };
  return {
    // Validated: without lambda, url is there.
    url: dto.url!,
    method: dto.method ?? HTTP_DEFAULTS.method,
    headers: dto.headers ?? {},
    ...(dto.body !== undefined ? { body: dto.body } : {}),
    timeoutMs,
  };
}

/** A Lambda invocation as the DTO gives it, with the default invocation type. */
export function toLambdaInvocation(dto: LambdaInvocationDto): LambdaInvocationSpec {
  return {
    function: dto.function,
    ...(dto.qualifier !== undefined ? { qualifier: dto.qualifier } : {}),
    ...(dto.payload !== undefined ? { payload: dto.payload } : {}),
    invocationType: dto.invocationType ?? LAMBDA_DEFAULTS.invocationType,
  };
}

/** The retry policy a DTO describes, with the defaults filled in. */
export function toRetrySpec(dto: RetryingCallDto): RetrySpec {
  return {
    retries: dto.retries ?? CALL_DEFAULTS.retries,
    retryIntervalMs: dto.retryIntervalMs ?? CALL_DEFAULTS.retryIntervalMs,
    retryBackoff: dto.retryBackoff ?? CALL_DEFAULTS.retryBackoff,
  };
}

/** A call and its retry policy (an orchestration step or fallback), defaults filled in. */
export function toRetryingCallSpec(dto: RetryingCallDto): { request: CallRequestSpec; retry: RetrySpec } {
  return { request: toRequestSpec(dto), retry: toRetrySpec(dto) };
}

/** A call's target as resources show it: the HTTP fields, or `lambda`; and its time limit. */
export type CallView =
  | { url: string; method: string; headers: Record<string, string>; body?: unknown; timeoutMs: number }
  | { lambda: LambdaInvocationSpec; timeoutMs: number };

/** The call as resources show it, the same way it was given. */
export function toCallView(request: CallRequestSpec): CallView {
  if (isLambdaRequest(request)) return { lambda: request.lambda, timeoutMs: request.timeoutMs };
  return { url: request.url, method: request.method, headers: request.headers, body: request.body, timeoutMs: request.timeoutMs };
}

/**
 * The call fields a `PATCH` gives (HTTP fields, `lambda`, `timeoutMs`): a change for modifiedCall,
 * the one merge rule of a task's call and of a schedule's.
 */
export function toCallChange(dto: Partial<CallDto>): Partial<CallRequestSpec> {
  return definedFields({
    url: dto.url,
    method: dto.method,
    headers: dto.headers,
    body: dto.body,
    lambda: dto.lambda ? toLambdaInvocation(dto.lambda) : undefined,
    timeoutMs: dto.timeoutMs,
  });
}

/** The retry fields a `PATCH` gives; the others stay as they are. */
export function toRetryChange(dto: Partial<RetryingCallDto>): Partial<RetrySpec> {
  return definedFields({ retries: dto.retries, retryIntervalMs: dto.retryIntervalMs, retryBackoff: dto.retryBackoff });
}

/** Only the fields a partial DTO gives (for modifications). */
export function definedFields<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The instant a run is due: `runAt`, else `delayMs` from now, else now. */
export function resolveRunAt(runAt: string | undefined, delayMs: number | undefined, now: Date): string {
  if (runAt) return new Date(runAt).toISOString();
  return new Date(now.getTime() + (delayMs ?? 0)).toISOString();
}
