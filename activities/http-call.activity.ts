import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  CALL_HEADERS,
  HttpFailureType,
  missingAttempt,
  type AttemptRecord,
  type HttpCallInput,
  type HttpCallOutcome,
  type HttpResult,
} from '../common';
import { signWebhook } from './webhook-signature';

/** What the HTTP activity needs from its worker. */
export interface HttpActivityDeps {
  /** Key bytes of the Standard Webhooks secret every call is signed with. */
  signingKey: Buffer;
  /** Response bodies longer than this many bytes are cut. */
  responseBodyLimitBytes: number;
  /** Sent as User-Agent. */
  userAgent: string;
}

/**
 * Builds the activities with their dependencies. One attempt per activity execution:
 * Temporal's retry policy repeats it; earlier attempts' records travel in heartbeat details,
 * which Temporal hands to the next attempt.
 */
export function createHttpActivities(deps: HttpActivityDeps) {
  return {
    async httpCall(input: HttpCallInput): Promise<HttpCallOutcome> {
      const ctx = Context.current();
      const attemptNumber = ctx.info.attempt;
      const attempts = previousAttempts(ctx.info.heartbeatDetails, attemptNumber);
      await holdUntil(input.notBefore, ctx.cancellationSignal);

      const startedAt = new Date();
      const { record, result } = await attemptCall(input, attemptNumber, startedAt, ctx.cancellationSignal, deps);
      attempts.push({ ...record, scheduledAt: new Date(ctx.info.currentAttemptScheduledTimestampMs).toISOString() });
      const outcome: HttpCallOutcome = { attempts, result };
      if (record.error === null) return outcome;

      // Recorded before failing, so the next attempt (and the workflow) sees this one.
      ctx.heartbeat(attempts);
      throw ApplicationFailure.create({
        type: HttpFailureType.AttemptFailed,
        message: `attempt ${attemptNumber} failed: ${record.error}`,
        details: [outcome],
      });
    },
  };
}

/**
 * The longest a call is held for its due time. The workflow dispatches at most
 * EARLY_DISPATCH_MS ahead; anything longer means the clocks disagree, and then sending now
 * beats waiting on a clock we cannot trust.
 */
const MAX_HOLD_MS = 1_000;

async function holdUntil(notBefore: string | undefined, cancellation: AbortSignal): Promise<void> {
  const holdMs = notBefore ? Date.parse(notBefore) - Date.now() : 0;
  if (!(holdMs > 0 && holdMs <= MAX_HOLD_MS)) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, holdMs);
    cancellation.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** What the placeholder of an earlier attempt that left no record says. */
const NOT_REPORTED = 'attempt did not report back (its worker stopped or it exceeded the activity timeout)';

/** The records of earlier attempts, with a placeholder for any whose worker died before reporting. */
function previousAttempts(heartbeatDetails: unknown, attemptNumber: number): AttemptRecord[] {
  const known = Array.isArray(heartbeatDetails) ? (heartbeatDetails as AttemptRecord[]) : [];
  const attempts: AttemptRecord[] = [];
  for (let n = 1; n < attemptNumber; n++) {
    attempts.push(known.find((a) => a.number === n) ?? missingAttempt(n, NOT_REPORTED));
  }
  return attempts;
}

async function attemptCall(
  input: HttpCallInput,
  attemptNumber: number,
  startedAt: Date,
  cancellation: AbortSignal,
  deps: HttpActivityDeps,
): Promise<{ record: Omit<AttemptRecord, 'scheduledAt'>; result: HttpResult | null }> {
  const { request } = input;
  const payload = request.body === undefined || request.method === 'GET' ? '' : JSON.stringify(request.body);
  const userHeaders = lowerCaseKeys(request.headers);
  const headers: Record<string, string> = {
    'user-agent': deps.userAgent,
    ...userHeaders,
    ...(payload ? { 'content-type': userHeaders['content-type'] ?? 'application/json' } : {}),
    [CALL_HEADERS.idempotencyKey]: input.idempotencyKey,
    [CALL_HEADERS.taskId]: input.taskId,
    [CALL_HEADERS.attempt]: String(attemptNumber),
    ...signWebhook(deps.signingKey, input.idempotencyKey, Math.floor(startedAt.getTime() / 1000), payload),
  };

  let statusCode: number | null = null;
  let result: HttpResult | null = null;
  let error: string | null = null;
  const timeout = AbortSignal.timeout(request.timeoutMs);
  try {
    const response = await fetch(request.url, {
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
    error = timeout.aborted ? `timed out after ${request.timeoutMs} ms` : describeNetworkError(err);
  }
  const finishedAt = new Date();
  return {
    record: {
      number: attemptNumber,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      statusCode,
      error,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    },
    result,
  };
}

/** Reads at most `limit` bytes; parses JSON when the response says it is JSON and it is whole. */
async function readBody(response: Response, limit: number): Promise<Omit<HttpResult, 'statusCode'>> {
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
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
  if (text === '') return { body: null, bodyTruncated: false };
  const isJson = /\bjson\b/i.test(response.headers.get('content-type') ?? '');
  if (isJson && !truncated) {
    try {
      return { body: JSON.parse(text) as unknown, bodyTruncated: false };
    } catch {
      // Says JSON but is not: keep the text, which is what the target really sent.
    }
  }
  return { body: text, bodyTruncated: truncated };
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
