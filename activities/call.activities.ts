import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  HttpFailureType,
  LambdaFailureType,
  MAX_HOLD_MS,
  missingAttempt,
  type AttemptRecord,
  type CallInput,
  type CallOutcome,
  type HttpRequestSpec,
  type LambdaRequestSpec,
} from '../common';
import { type CallMetrics, type CallTarget } from './call-metrics';
import { attemptHttpCall, type AttemptOutcome, type HttpAttemptDeps } from './http-attempt';
import { lambdaCheckPassed, payloadStatusCode, type LambdaInvoker } from './lambda-invoke';
import { ownerSigningKey } from './webhook-signature';

/** What the call activities need from their worker. */
export interface CallActivityDeps extends HttpAttemptDeps {
  /** Key bytes of the master Standard Webhooks secret; each owner's calls are signed with a key derived from it. */
  masterSigningKey: Buffer;
  /** Makes one Lambda Invoke (credentials, region and endpoint from the standard AWS chains). */
  invokeLambda: LambdaInvoker;
  /** Where attempts, fire lateness and held calls are counted. */
  metrics: CallMetrics;
}

/**
 * The owner of a call whose activity was scheduled before calls carried their owner: every
 * resource belonged to this default owner then.
 */
const OWNER_BEFORE_USERS = 'default';

/** Makes one attempt of a call, given its number and the activity's cancellation. */
type Attempt = (attemptNumber: number, cancellation: AbortSignal) => Promise<AttemptOutcome>;

/**
 * Builds the activities with their dependencies. One attempt per activity execution:
 * Temporal's retry policy repeats it; earlier attempts' records travel in heartbeat details,
 * which Temporal hands to the next attempt.
 */
export function createCallActivities(deps: CallActivityDeps) {
  return {
    /** One attempt at an HTTP call. */
    async httpCall(input: CallInput<HttpRequestSpec>): Promise<CallOutcome> {
      const signingKey = ownerSigningKey(deps.masterSigningKey, input.ownerId ?? OWNER_BEFORE_USERS);
      return runAttempt(input, 'http', HttpFailureType, deps.metrics, (attempt, cancellation) =>
        attemptHttpCall(
          input.request,
          { idempotencyKey: input.idempotencyKey, taskId: input.taskId, attempt, signingKey },
          cancellation,
          deps,
        ),
      );
    },
    /** One attempt at a Lambda invocation. */
    async lambdaCall(input: CallInput<LambdaRequestSpec>): Promise<CallOutcome> {
      return runAttempt(input, 'lambda', LambdaFailureType, deps.metrics, (attempt, cancellation) =>
        attemptLambdaCall(input, attempt, cancellation, deps.invokeLambda),
      );
    },
  };
}

/**
 * One Invoke, timed and recorded like an HTTP attempt. A condition check's invocation also fails
 * when its payload carries a numeric `statusCode` that is not 2xx.
 */
async function attemptLambdaCall(
  input: CallInput<LambdaRequestSpec>,
  attempt: number,
  cancellation: AbortSignal,
  invoke: LambdaInvoker,
): Promise<AttemptOutcome> {
  const startedAt = new Date();
  const outcome = await invoke(input.request, { idempotencyKey: input.idempotencyKey, taskId: input.taskId, attempt }, cancellation);
  const finishedAt = new Date();
  let error = outcome.error;
  if (error === null && input.conditionCheck && !lambdaCheckPassed(outcome)) {
    error = `check did not pass: the function answered statusCode ${payloadStatusCode(outcome)}`;
  }
  return {
    record: {
      number: attempt,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      statusCode: outcome.statusCode,
      error,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    },
    result: outcome.result,
    retryable: outcome.retryable,
  };
}

/**
 * Holds the call until its due time, makes one attempt and records it after the earlier ones.
 * A failed attempt is recorded in a heartbeat (so the next attempt, and the workflow, see it)
 * and fails the activity with the outcome attached: retryable, or not when no retry can help.
 */
async function runAttempt(
  input: CallInput,
  target: CallTarget,
  failureTypes: { AttemptFailed: string; InvalidRequest?: string; NotRetryable?: string },
  metrics: CallMetrics,
  attempt: Attempt,
): Promise<CallOutcome> {
  const ctx = Context.current();
  const attemptNumber = ctx.info.attempt;
  const attempts = previousAttempts(ctx.info.heartbeatDetails, attemptNumber);
  await holdUntil(input.notBefore, ctx.cancellationSignal, metrics);

  const { record, result, retryable } = await attempt(attemptNumber, ctx.cancellationSignal);
  attempts.push({ ...record, scheduledAt: new Date(ctx.info.currentAttemptScheduledTimestampMs).toISOString() });
  const outcome: CallOutcome = { attempts, result };
  const latenessMs = attemptNumber === 1 && input.notBefore ? Date.parse(record.startedAt) - Date.parse(input.notBefore) : null;
  metrics.attempt(target, record.error === null ? 'succeeded' : retryable ? 'failed' : 'refused', record.durationMs);
  if (latenessMs !== null) metrics.fired(target, latenessMs);
  // One line per attempt, with the run, its owner and the attempt (the SDK adds the workflow and
  // activity ids); never the call's headers or body, which may hold the owner's secrets.
  ctx.log.info('call attempt', {
    taskId: input.taskId,
    owner: input.ownerId,
    idempotencyKey: input.idempotencyKey,
    target,
    attempt: attemptNumber,
    statusCode: record.statusCode,
    error: record.error,
    durationMs: record.durationMs,
    ...(latenessMs !== null ? { latenessMs } : {}),
  });
  if (record.error === null) return outcome;

  ctx.heartbeat(attempts);
  const notRetryableType = failureTypes.NotRetryable ?? failureTypes.InvalidRequest;
  throw ApplicationFailure.create({
    type: retryable || !notRetryableType ? failureTypes.AttemptFailed : notRetryableType,
    message: `attempt ${attemptNumber} failed: ${record.error}`,
    details: [outcome],
    nonRetryable: !retryable,
  });
}

async function holdUntil(notBefore: string | undefined, cancellation: AbortSignal, metrics: CallMetrics): Promise<void> {
  const holdMs = notBefore ? Date.parse(notBefore) - Date.now() : 0;
  if (!(holdMs > 0 && holdMs <= MAX_HOLD_MS)) return;
  metrics.held(1);
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, holdMs);
      cancellation.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    metrics.held(-1);
  }
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
