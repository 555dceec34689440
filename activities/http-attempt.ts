import { isOutboundRefusal, type OutboundFetch } from '../libs/outbound';
import { CALL_HEADERS, type AttemptRecord, type CallResult, type HttpRequestSpec } from '../common';
import { decodeBody } from './response-body';
import { signWebhook } from './webhook-signature';

/** What one HTTP attempt needs besides the request. */
export interface HttpAttemptDeps {
  /** Response bodies longer than this many bytes are cut. */
  responseBodyLimitBytes: number;
  /** Sent as User-Agent. */
  userAgent: string;
  /** fetch that connects only to allowed destinations (checked at connect time, every resolved address). */
  outboundFetch: OutboundFetch;
}

/** One attempt's record (without `scheduledAt`, which Temporal knows) and the response, if any arrived. */
export interface AttemptOutcome {
  record: Omit<AttemptRecord, 'scheduledAt'>;
  result: CallResult | null;
  /** False when no retry can help (the attempt fails the call at once). */
  retryable: boolean;
}

/**
 * Makes one HTTP attempt: signed with the owner's key, keyed, bounded by `timeoutMs`, redirects
 * not followed. A network error, a timeout or a non-2xx status fails the attempt; a destination
 * the outbound policy refuses fails it for good.
 */
export async function attemptHttpCall(
  request: HttpRequestSpec,
  meta: { idempotencyKey: string; taskId: string; attempt: number; signingKey: Buffer },
  cancellation: AbortSignal,
  deps: HttpAttemptDeps,
): Promise<AttemptOutcome> {
  const startedAt = new Date();
  const payload = request.body === undefined || request.method === 'GET' ? '' : JSON.stringify(request.body);
  const userHeaders = lowerCaseKeys(request.headers);
  const headers: Record<string, string> = {
    'user-agent': deps.userAgent,
    ...userHeaders,
    ...(payload ? { 'content-type': userHeaders['content-type'] ?? 'application/json' } : {}),
    [CALL_HEADERS.idempotencyKey]: meta.idempotencyKey,
    [CALL_HEADERS.taskId]: meta.taskId,
    [CALL_HEADERS.attempt]: String(meta.attempt),
    ...signWebhook(meta.signingKey, meta.idempotencyKey, Math.floor(startedAt.getTime() / 1000), payload),
  };

  let statusCode: number | null = null;
  let result: CallResult | null = null;
  let error: string | null = null;
  let retryable = true;
  const timeout = AbortSignal.timeout(request.timeoutMs);
  try {
    const response = await deps.outboundFetch(request.url, {
      method: request.method,
      headers,
      body: payload || undefined,
      redirect: 'manual',
      signal: AbortSignal.any([timeout, cancellation]),
    });
    statusCode = response.status;
    result = { statusCode, ...(await readBody(response, deps.responseBodyLimitBytes)) };
    if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
  } catch (err) {
    const refusal = isOutboundRefusal(err);
    if (refusal) retryable = false;
    error = refusal ? refusal.message : timeout.aborted ? `timed out after ${request.timeoutMs} ms` : describeNetworkError(err);
  }
  const finishedAt = new Date();
  return {
    record: {
      number: meta.attempt,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      statusCode,
      error,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    },
    result,
    retryable,
  };
}

/** Reads at most `limit` bytes; parses JSON when the response says it is JSON and it is whole. */
async function readBody(response: Awaited<ReturnType<OutboundFetch>>, limit: number): Promise<Omit<CallResult, 'statusCode'>> {
  if (!response.body) return { body: null, bodyTruncated: false };
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > limit) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  return decodeBody(Buffer.concat(chunks), limit, truncated, /\bjson\b/i.test(response.headers.get('content-type') ?? ''));
}

function describeNetworkError(err: unknown): string {
  // Duck-typed: fetch's errors may come from another realm (e.g. under a test runner).
  const { message, cause } = (err ?? {}) as { message?: unknown; cause?: { code?: string; message?: string } };
  const text = typeof message === 'string' ? message : String(err);
  const detail = cause?.code ?? cause?.message;
  return detail ? `${text}: ${detail}` : text;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
