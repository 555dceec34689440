import { HTTP_DEFAULTS, type HttpRequestSpec, type RetrySpec } from '../../../../common';
import type { HttpCallDto, RetryingHttpCallDto } from './http-call.dto';

/** The request a DTO describes, with SPEC.md's defaults filled in. */
export function toRequestSpec(dto: HttpCallDto): HttpRequestSpec {
  return {
    url: dto.url,
    method: dto.method ?? HTTP_DEFAULTS.method,
    headers: dto.headers ?? {},
    ...(dto.body !== undefined ? { body: dto.body } : {}),
    timeoutMs: dto.timeoutMs ?? HTTP_DEFAULTS.timeoutMs,
  };
}

/** The retry policy a DTO describes, with SPEC.md's defaults filled in. */
export function toRetrySpec(dto: RetryingHttpCallDto): RetrySpec {
  return {
    retries: dto.retries ?? HTTP_DEFAULTS.retries,
    retryIntervalMs: dto.retryIntervalMs ?? HTTP_DEFAULTS.retryIntervalMs,
    retryBackoff: dto.retryBackoff ?? HTTP_DEFAULTS.retryBackoff,
  };
}

/** An HTTP call and its retry policy (an orchestration step or fallback), defaults filled in. */
export function toRetryingCallSpec(dto: RetryingHttpCallDto): { request: HttpRequestSpec; retry: RetrySpec } {
  return { request: toRequestSpec(dto), retry: toRetrySpec(dto) };
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
