import type { KeyObject } from 'node:crypto';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { isOutboundRefusal, type OutboundFetch } from '../libs/outbound';
import {
  CALL_HEADERS,
  MAX_RETRY_AFTER_MS,
  REFERENCED_BODY_LIMIT_BYTES,
  type AttemptRecord,
  type CallOutput,
  type CallResult,
  type HttpRequestSpec,
} from '../common';
import { decodeBody } from './response-body';
import { signWebhook } from './webhook-signature';

/** What one HTTP attempt needs besides the request. */
export interface HttpAttemptDeps {
  /** Response bodies longer than this many bytes are cut. */
  responseBodyLimitBytes: number;
  /** Sent as User-Agent. */
  userAgent: string;
  /** Connects only to allowed destinations (checked at connect time, every resolved address); calls go through its dispatcher. */
  outboundFetch: Pick<OutboundFetch, 'dispatcher'>;
}

/** One attempt's record (without `scheduledAt`, which Temporal knows) and the response, if any arrived. */
export interface AttemptOutcome {
  record: Omit<AttemptRecord, 'scheduledAt'>;
  result: CallResult | null;
  /** False when no retry can help (the attempt fails the call at once). */
  retryable: boolean;
  /** Whether `retryOn: transient` retries it, when the status code alone cannot tell (AWS targets). */
  transient?: boolean;
  /** The answer for later calls to refer to (asked for with `keepOutput`), its body kept whole up to REFERENCED_BODY_LIMIT_BYTES. */
  output?: CallOutput;
}

/**
 * Makes one HTTP attempt: signed with the owner's key, keyed, bounded by `timeoutMs`, redirects
 * not followed. A network error, a timeout or a non-2xx status fails the attempt; a destination
 * the outbound policy refuses fails it for good.
 */
export async function attemptHttpCall(
  request: HttpRequestSpec,
  meta: { idempotencyKey: string; taskId: string; attempt: number; signingKey: Buffer | KeyObject; keepOutput?: boolean },
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
  let retryAfterMs: number | undefined;
  let result: CallResult | null = null;
  let output: CallOutput | undefined;
  let error: string | null = null;
  let retryable = true;
  // One controller for the timeout and the cancellation (cheaper than AbortSignal.timeout + any).
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  const cancel = () => controller.abort(cancellation.reason);
  if (cancellation.aborted) cancel();
  else cancellation.addEventListener('abort', cancel, { once: true });
  try {
    // undici's request(), not fetch(): a 1,000-call burst's profile had fetch's WHATWG machinery
    // (Request, Headers, streams) as the worker's largest cost at the due time. Redirects are
    // not followed: a 3xx is the answer.
    const response = await undiciRequest(request.url, {
      dispatcher: deps.outboundFetch.dispatcher,
      method: request.method,
      headers,
      body: payload || undefined,
      signal: controller.signal,
    });
    statusCode = response.statusCode;
    const isJson = /\bjson\b/i.test(String(response.headers['content-type'] ?? ''));
    const limit = deps.responseBodyLimitBytes;
    const read = await readBody(response.body, meta.keepOutput ? Math.max(limit, REFERENCED_BODY_LIMIT_BYTES) : limit);
    result = { statusCode, ...decodeBody(read.bytes, limit, read.truncated, isJson) };
    if (meta.keepOutput) output = outputOf(statusCode, read.bytes, read.truncated, isJson);
    if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    if (statusCode === 429 || statusCode === 503) retryAfterMs = retryAfterOf(response.headers['retry-after'], Date.now());
  } catch (err) {
    const refusal = isOutboundRefusal(err);
    if (refusal) retryable = false;
    error = refusal ? refusal.message : timedOut ? `timed out after ${request.timeoutMs} ms` : describeNetworkError(err);
  } finally {
    clearTimeout(timer);
    cancellation.removeEventListener('abort', cancel);
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
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    },
    result,
    retryable,
    ...(output ? { output } : {}),
  };
}

/** An HTTP date as senders must write it (IMF-fixdate, RFC 9110): Date.parse alone takes almost anything. */
const HTTP_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * A `Retry-After` header (seconds, or an HTTP date) as a wait in ms from `nowMs`, at most
 * MAX_RETRY_AFTER_MS; undefined when absent or not one of those forms.
 */
export function retryAfterOf(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : HTTP_DATE.test(value) ? Date.parse(value) - nowMs : NaN;
  return Number.isNaN(ms) ? undefined : Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

/** What later calls may refer to: the status and the body, kept whole up to REFERENCED_BODY_LIMIT_BYTES. */
export function outputOf(status: number, bytes: Uint8Array, truncated: boolean, isJson: boolean): CallOutput {
  const { body, bodyTruncated } = decodeBody(bytes, REFERENCED_BODY_LIMIT_BYTES, truncated, isJson);
  return { status, body, ...(bodyTruncated ? { bodyTruncated } : {}) };
}

/** Reads at most `limit` bytes (then drops the rest and the connection). */
function readBody(body: Dispatcher.ResponseData['body'], limit: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  // Stream events, not an async iterator: cheaper per response, which counts in a burst.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (truncated: boolean) => resolve({ bytes: Buffer.concat(chunks), truncated });
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size > limit) {
        body.removeAllListeners('end');
        body.destroy();
        done(true);
      }
    });
    body.once('end', () => done(false));
    body.once('error', reject);
  });
}

function describeNetworkError(err: unknown): string {
  // Duck-typed: errors may come from another realm (e.g. under a test runner).
  const { message, cause } = (err ?? {}) as { message?: unknown; cause?: { code?: string; message?: string } };
  const text = typeof message === 'string' ? message : String(err);
  const detail = cause?.code ?? cause?.message;
  return detail ? `${text}: ${detail}` : text;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
