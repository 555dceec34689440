import {
  CALL_DEFAULTS,
  HTTP_DEFAULTS,
  isLambdaRequest,
  isSqsRequest,
  LAMBDA_DEFAULTS,
  type CallRequestSpec,
  type FlowControlSpec,
  type LambdaInvocationSpec,
  type RetrySpec,
  type SqsMessageSpec,
} from '../../../../common';
import type { CallDto, FlowControlDto, LambdaInvocationDto, RetryingCallDto, SqsMessageDto } from './call.dto';

/** The call a DTO describes (an HTTP request, a Lambda invocation or an SQS message), with the defaults filled in. */
export function toRequestSpec(dto: CallDto): CallRequestSpec {
  const common = {
    timeoutMs: dto.timeoutMs ?? CALL_DEFAULTS.timeoutMs,
    ...(dto.flowControl ? { flowControl: toFlowControl(dto.flowControl) } : {}),
  };
  if (dto.lambda) return { lambda: toLambdaInvocation(dto.lambda), ...common };
  if (dto.sqs) return { sqs: toSqsMessage(dto.sqs), ...common };
  return {
    // Validated: without lambda or sqs, url is there.
    url: dto.url!,
    method: dto.method ?? HTTP_DEFAULTS.method,
    headers: dto.headers ?? {},
    ...(dto.body !== undefined ? { body: dto.body } : {}),
    ...common,
  };
}

/** An SQS message as the DTO gives it. */
export function toSqsMessage(dto: SqsMessageDto): SqsMessageSpec {
  return {
    queueUrl: dto.queueUrl,
    messageBody: dto.messageBody,
    ...(dto.messageGroupId !== undefined ? { messageGroupId: dto.messageGroupId } : {}),
    ...(dto.messageDeduplicationId !== undefined ? { messageDeduplicationId: dto.messageDeduplicationId } : {}),
    ...(dto.delaySeconds !== undefined ? { delaySeconds: dto.delaySeconds } : {}),
  };
}

/** Flow control as the DTO gives it (only the fields given). */
export function toFlowControl(dto: FlowControlDto): FlowControlSpec {
  return definedFields({ key: dto.key, ratePerSecond: dto.ratePerSecond, maxInFlight: dto.maxInFlight });
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
    ...(dto.retryOn !== undefined ? { retryOn: dto.retryOn } : {}),
  };
}

/** A call and its retry policy (an orchestration step or fallback), defaults filled in. */
export function toRetryingCallSpec(dto: RetryingCallDto): { request: CallRequestSpec; retry: RetrySpec } {
  return { request: toRequestSpec(dto), retry: toRetrySpec(dto) };
}

/** A call's retry policy as resources show it (`retryOn` filled in). */
export function toRetryView(retry: RetrySpec): Required<RetrySpec> {
  return {
    retries: retry.retries,
    retryIntervalMs: retry.retryIntervalMs,
    retryBackoff: retry.retryBackoff,
    retryOn: retry.retryOn ?? 'any',
  };
}

/** A call's target as resources show it: the HTTP fields, or `lambda`; and its time limit. */
export type CallView = (
  | { url: string; method: string; headers: Record<string, string>; body?: unknown }
  | { lambda: LambdaInvocationSpec }
  | { sqs: SqsMessageSpec }
) & { timeoutMs: number; flowControl?: FlowControlSpec };

/** The call as resources show it, the same way it was given. */
export function toCallView(request: CallRequestSpec): CallView {
  const common = { timeoutMs: request.timeoutMs, ...(request.flowControl ? { flowControl: request.flowControl } : {}) };
  if (isLambdaRequest(request)) return { lambda: request.lambda, ...common };
  if (isSqsRequest(request)) return { sqs: request.sqs, ...common };
  return { url: request.url, method: request.method, headers: request.headers, body: request.body, ...common };
}

/**
 * The call fields a `PATCH` gives (HTTP fields, `lambda`, `sqs`, `timeoutMs`, `flowControl`): a
 * change for modifiedCall, the one merge rule of a task's call and of a schedule's.
 */
export function toCallChange(dto: Partial<CallDto>): Partial<CallRequestSpec> {
  return definedFields({
    url: dto.url,
    method: dto.method,
    headers: dto.headers,
    body: dto.body,
    lambda: dto.lambda ? toLambdaInvocation(dto.lambda) : undefined,
    sqs: dto.sqs ? toSqsMessage(dto.sqs) : undefined,
    timeoutMs: dto.timeoutMs,
    flowControl: dto.flowControl ? toFlowControl(dto.flowControl) : undefined,
  });
}

/** The retry fields a `PATCH` gives; the others stay as they are. */
export function toRetryChange(dto: Partial<RetryingCallDto>): Partial<RetrySpec> {
  return definedFields({
    retries: dto.retries,
    retryIntervalMs: dto.retryIntervalMs,
    retryBackoff: dto.retryBackoff,
    retryOn: dto.retryOn,
  });
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
