import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import {
  ATTEMPT_NOT_REPORTED,
  HELD_HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_THROTTLE_MS,
  HttpFailureType,
  isLambdaRequest,
  isSqsRequest,
  isTransientFailure,
  LambdaFailureType,
  SqsFailureType,
  LOCAL_HOLD_MAX_MS,
  MAX_HOLD_MS,
  missingAttempt,
  type AttemptInput,
  type AttemptLate,
  type AttemptMade,
  type AttemptRecord,
  type AttemptReport,
  type CallInput,
  type CallOutcome,
  type HeldCallProgress,
  type HttpRequestSpec,
  type LambdaRequestSpec,
  type FlowLimiterInput,
  type FlowRequest,
  FLOW_LIMITER_KIND,
  FLOW_LIMITER_WORKFLOW,
  flowAcquireSignal,
  SearchAttr,
} from '../common';
import { type CallMetrics, type CallTarget } from './call-metrics';
import { heldCallKey, type HeldCalls, type HoldEnd } from './held-calls';
import { attemptHttpCall, type AttemptOutcome, type HttpAttemptDeps } from './http-attempt';
import { lambdaCheckPassed, payloadStatusCode, type LambdaAttemptOutcome, type LambdaInvoker } from './lambda-invoke';
import type { SqsSender } from './sqs-send';
import { ownerSigningKey } from './webhook-signature';

/** What the call activities need from their worker. */
export interface CallActivityDeps extends HttpAttemptDeps {
  /** Key bytes of the master Standard Webhooks secret; each owner's calls are signed with a key derived from it. */
  masterSigningKey: Buffer;
  /** Makes one Lambda Invoke (credentials, region and endpoint from the standard AWS chains). */
  invokeLambda: LambdaInvoker;
  /** Sends one SQS message (the same chains; AWS_ENDPOINT_URL_SQS). */
  sendSqs: SqsSender;
  /** Where attempts, fire lateness and held calls are counted. */
  metrics: CallMetrics;
  /** The calls this worker holds until due, so that a workflow (or a shutdown) can hand them back. */
  heldCalls: HeldCalls;
}

/**
 * The owner of a call whose activity was scheduled before calls carried their owner: every
 * resource belonged to this default owner then.
 */
const OWNER_BEFORE_USERS = 'default';

/** Makes one attempt of a call, given its number and the activity's cancellation. */
type Attempt = (attemptNumber: number, cancellation: AbortSignal) => Promise<AttemptOutcome>;

/** A call's one attempt, made by whichever target its request names. */
type TargetedAttempt = { target: CallTarget; failureTypes: FailureTypes; attempt: Attempt };
type FailureTypes = { AttemptFailed: string; InvalidRequest?: string; NotRetryable?: string };

/**
 * Builds the activities with their dependencies. `httpCall` and `lambdaCall` make one attempt
 * per activity execution under Temporal's retry policy (earlier attempts' records travel in
 * heartbeat details); orchestrations, and tasks started before dispatch v2, use them.
 * `callAttempt` (local) and `heldCall` (regular, held until due) make the attempt the workflow
 * numbers, and report it rather than throw: the task workflow runs its retries itself.
 */
export function createCallActivities(deps: CallActivityDeps) {
  // One derivation and one key import per owner, not per call (both showed in a 1,000 burst's profile).
  const signingKeys = new Map<string, KeyObject>();
  const signingKeyOf = (owner: string): KeyObject => {
    let key = signingKeys.get(owner);
    if (!key) signingKeys.set(owner, (key = createSecretKey(ownerSigningKey(deps.masterSigningKey, owner))));
    return key;
  };
  const targeted = (input: CallInput): TargetedAttempt => {
    const { request } = input;
    if (isLambdaRequest(request)) {
      return {
        target: 'lambda',
        failureTypes: LambdaFailureType,
        attempt: (attempt, cancellation) =>
          attemptAwsCall(
            input,
            attempt,
            (meta) => deps.invokeLambda(request, meta, cancellation),
            input.conditionCheck ? lambdaCheck : undefined,
          ),
      };
    }
    if (isSqsRequest(request)) {
      return {
        target: 'sqs',
        failureTypes: SqsFailureType,
        attempt: (attempt, cancellation) => attemptAwsCall(input, attempt, (meta) => deps.sendSqs(request, meta, cancellation)),
      };
    }
    const signingKey = signingKeyOf(input.ownerId ?? OWNER_BEFORE_USERS);
    return {
      target: 'http',
      failureTypes: HttpFailureType,
      attempt: (attempt, cancellation) =>
        attemptHttpCall(
          request,
          { idempotencyKey: input.idempotencyKey, taskId: input.taskId, attempt, signingKey, keepOutput: keepOutputOf(input) },
          cancellation,
          deps,
        ),
    };
  };

  return {
    /** One attempt at an HTTP call. */
    async httpCall(input: CallInput<HttpRequestSpec>): Promise<CallOutcome> {
      return runAttempt(input, targeted(input), deps);
    },
    /** One attempt at a Lambda invocation. */
    async lambdaCall(input: CallInput<LambdaRequestSpec>): Promise<CallOutcome> {
      return runAttempt(input, targeted(input), deps);
    },

    /**
     * Asks the flow limiter of an owner and key for a turn (see flowLimiterWorkflow), starting the
     * limiter if it is not running (signal-with-start). The turn comes back as a signal.
     * @returns the limiter's workflow id, to give the turn back to.
     */
    async flowAcquire(input: { ownerId: string; key: string; request: FlowRequest }): Promise<{ limiterId: string }> {
      const ctx = Context.current();
      // One limiter per owner and key: its id is their hash (keys are the user's own text).
      const limiterId = `flow-${createHash('sha256').update(`${input.ownerId}\0${input.key}`).digest('base64url').slice(0, 43)}`;
      const start: FlowLimiterInput = { ownerId: input.ownerId, key: input.key };
      await ctx.client.workflow.signalWithStart(FLOW_LIMITER_WORKFLOW, {
        workflowId: limiterId,
        taskQueue: ctx.info.taskQueue,
        args: [start],
        signal: flowAcquireSignal,
        signalArgs: [input.request],
        typedSearchAttributes: [
          { key: SearchAttr.kind, value: FLOW_LIMITER_KIND },
          { key: SearchAttr.owner, value: input.ownerId },
        ],
      });
      return { limiterId };
    },

    /**
     * Attempt `input.attempt` of a call, in a local activity: held until `notBefore` when that is at
     * most LOCAL_HOLD_MAX_MS away. Cancelled while it holds (a parallel group no longer needs it),
     * the call is never made.
     */
    async callAttempt(input: AttemptInput): Promise<AttemptMade | AttemptLate> {
      const ctx = Context.current();
      await holdUntil(input.notBefore, LOCAL_HOLD_MAX_MS + MAX_HOLD_MS, deps);
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('the call was cancelled before it went out');
      const late = lateFor(input);
      if (late) return late;
      const report = await recordedAttempt(input, input.attempt, targeted(input), ctx.cancellationSignal, deps.metrics);
      if (input.notBefore) await deps.heldCalls.allGone(Date.parse(input.notBefore));
      return { outcome: 'attempted', ...report };
    },

    /**
     * Attempt `input.attempt` of a call, held on this worker until `notBefore` (however far):
     * a burst's workflow tasks and dispatches are done ahead, so that only the calls happen at
     * its due time. Handed back (not made) when the workflow asks (a cancel or a modify) or the
     * worker shuts down. Heartbeats while it holds, so that a dead worker is noticed and the call
     * dispatched again; once the call has gone out a cancel no longer stops it (it lost the race).
     */
    async heldCall(input: AttemptInput): Promise<AttemptReport> {
      const ctx = Context.current();
      const progress = ctx.info.heartbeatDetails as HeldCallProgress | undefined;
      // An earlier execution made the call (or was about to) and its worker died: no second call.
      if (ctx.info.attempt > 1 && progress?.phase === 'calling') return { outcome: 'lost' };
      // A hold longer than the workflow meant (`maxHoldMs`) means the clocks disagree (as with the
      // time-skipping test server, whose time runs days ahead): then the call goes at once.
      const notBeforeMs = Date.parse(input.notBefore ?? '') || Date.now();
      const dueMs = notBeforeMs - Date.now() > (input.maxHoldMs ?? Infinity) ? Date.now() : notBeforeMs;
      const key = heldCallKey(ctx.info.workflowExecution?.workflowId ?? '', ctx.info.activityId);
      const beat = heartbeatWhileHeld(ctx, dueMs);
      try {
        deps.metrics.held(1);
        let end: HoldEnd;
        const held = deps.heldCalls.hold(key, dueMs);
        try {
          end = await Promise.race([held, ctx.cancelled.catch(() => cancelledEnd(ctx))]);
        } finally {
          deps.metrics.held(-1);
          // Ended by the activity's cancellation, the hold must not linger (no-op otherwise).
          deps.heldCalls.drop(key, held);
        }
        if (end === 'superseded') throw new CancelledFailure('held call superseded by a later attempt of the same activity on this worker');
        if (end !== 'due') return { outcome: 'released', reason: end };
        const late = lateFor(input);
        if (late) return late;
        const attempt = recordedAttempt(input, input.attempt, targeted(input), unlessCancelRequested(ctx), deps.metrics);
        // Said once every call due at this instant has gone out: a worker that dies before it
        // has this call made again (at least once), one that dies after has it counted as lost.
        await deps.heldCalls.allGone(dueMs);
        beat.calling();
        const report = await attempt;
        return { outcome: 'attempted', ...report };
      } finally {
        beat.stop();
      }
    },
  };
}

/**
 * Why the activity's cancellation ends a hold: the workflow's request (a cancel or a modify whose
 * sink did not reach this worker) or this worker's shutdown hands the call back; anything else
 * (the activity timed out, or is gone) ends the activity.
 */
function cancelledEnd(ctx: Context): 'requested' | 'shutdown' {
  const details = ctx.cancellationDetails;
  if (details?.cancelRequested) return 'requested';
  if (details?.workerShutdown) return 'shutdown';
  throw new CancelledFailure('held call cancelled: the activity timed out or no longer exists');
}

/** A signal that aborts with the activity's, except for a cancel the workflow requested: a call that has gone out is finished. */
function unlessCancelRequested(ctx: Context): AbortSignal {
  const controller = new AbortController();
  const abort = () => {
    if (!ctx.cancellationDetails?.cancelRequested) controller.abort(ctx.cancellationSignal.reason);
  };
  if (ctx.cancellationSignal.aborted) abort();
  else ctx.cancellationSignal.addEventListener('abort', abort, { once: true });
  return controller.signal;
}

/**
 * Heartbeats a held call every HELD_HEARTBEAT_INTERVAL_MS, except in the last
 * HEARTBEAT_THROTTLE_MS before it is due, so that `calling()` is sent at once, not throttled.
 */
function heartbeatWhileHeld(ctx: Context, dueMs: number): { calling(): void; stop(): void } {
  let phase: HeldCallProgress['phase'] = 'holding';
  const timer = setInterval(() => {
    if (phase === 'calling' || Date.now() < dueMs - HEARTBEAT_THROTTLE_MS) ctx.heartbeat({ phase } satisfies HeldCallProgress);
  }, HELD_HEARTBEAT_INTERVAL_MS);
  return {
    calling: () => {
      phase = 'calling';
      ctx.heartbeat({ phase } satisfies HeldCallProgress);
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * One AWS call (a Lambda Invoke, an SQS SendMessage), timed and recorded like an HTTP attempt.
 * `check` adds a condition check's own rule (a Lambda check also fails on a payload statusCode
 * that is not 2xx).
 */
async function attemptAwsCall(
  input: CallInput,
  attempt: number,
  send: (meta: { idempotencyKey: string; taskId: string; attempt: number; keepOutput: boolean }) => Promise<LambdaAttemptOutcome>,
  check?: (outcome: LambdaAttemptOutcome) => string | null,
): Promise<AttemptOutcome> {
  const startedAt = new Date();
  const outcome = await send({ idempotencyKey: input.idempotencyKey, taskId: input.taskId, attempt, keepOutput: keepOutputOf(input) });
  const finishedAt = new Date();
  const error = outcome.error ?? check?.(outcome) ?? null;
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
    transient: error !== null && (outcome.transient ?? isTransientFailure(outcome.statusCode)),
    ...(outcome.output ? { output: outcome.output } : {}),
  };
}

/** A Lambda condition check also fails when its payload carries a numeric `statusCode` that is not 2xx. */
function lambdaCheck(outcome: LambdaAttemptOutcome): string | null {
  return lambdaCheckPassed(outcome) ? null : `check did not pass: the function answered statusCode ${payloadStatusCode(outcome)}`;
}

/** An attempt under flow control past its `sendBy`: not made (it would go out too close to the next turn). */
function lateFor(input: AttemptInput): AttemptLate | null {
  if (!input.sendBy) return null;
  const now = Date.now();
  const lateByMs = now - Date.parse(input.notBefore ?? input.sendBy);
  return now > Date.parse(input.sendBy) ? { outcome: 'late', lateByMs } : null;
}

/** Whether later calls refer to this one's answer (only attempts carry the flag). */
function keepOutputOf(input: CallInput): boolean {
  return (input as Partial<AttemptInput>).keepOutput === true;
}

/**
 * Holds the call until its due time, makes one attempt and records it after the earlier ones.
 * A failed attempt is recorded in a heartbeat (so the next attempt, and the workflow, see it)
 * and fails the activity with the outcome attached: retryable, or not when no retry can help.
 */
async function runAttempt(input: CallInput, call: TargetedAttempt, deps: CallActivityDeps): Promise<CallOutcome> {
  const ctx = Context.current();
  const attemptNumber = ctx.info.attempt;
  const attempts = previousAttempts(ctx.info.heartbeatDetails, attemptNumber);
  await holdUntil(input.notBefore, MAX_HOLD_MS, deps);

  const { record, result, retryable } = await recordedAttempt(input, attemptNumber, call, ctx.cancellationSignal, deps.metrics);
  attempts.push(record);
  const outcome: CallOutcome = { attempts, result };
  if (record.error === null) return outcome;

  ctx.heartbeat(attempts);
  const notRetryableType = call.failureTypes.NotRetryable ?? call.failureTypes.InvalidRequest;
  throw ApplicationFailure.create({
    type: retryable || !notRetryableType ? call.failureTypes.AttemptFailed : notRetryableType,
    message: `attempt ${attemptNumber} failed: ${record.error}`,
    details: [outcome],
    nonRetryable: !retryable,
  });
}

/** Makes attempt `attemptNumber` and records it: in the metrics, in one log line, and as the record returned. */
async function recordedAttempt(
  input: CallInput,
  attemptNumber: number,
  call: TargetedAttempt,
  cancellation: AbortSignal,
  metrics: CallMetrics,
): Promise<{
  record: AttemptRecord;
  result: AttemptOutcome['result'];
  retryable: boolean;
  transient?: boolean;
  output?: AttemptOutcome['output'];
}> {
  const ctx = Context.current();
  const { record, result, retryable, transient, output } = await call.attempt(attemptNumber, cancellation);
  const { target } = call;
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
  return {
    record: { ...record, scheduledAt: new Date(ctx.info.currentAttemptScheduledTimestampMs).toISOString() },
    result,
    retryable,
    ...(transient !== undefined ? { transient } : {}),
    ...(output ? { output } : {}),
  };
}

/**
 * Waits until `notBefore` when that is at most `maxHoldMs` away: anything longer means the
 * workflow's and this worker's clocks disagree, and then sending now beats waiting on a clock we
 * cannot trust. Held in the worker's registry, so that calls due together go out in chunks.
 */
async function holdUntil(
  notBefore: string | undefined,
  maxHoldMs: number,
  deps: Pick<CallActivityDeps, 'heldCalls' | 'metrics'>,
): Promise<void> {
  const holdMs = notBefore ? Date.parse(notBefore) - Date.now() : 0;
  if (!(holdMs > 0 && holdMs <= maxHoldMs)) return;
  const ctx = Context.current();
  const key = `local/${ctx.info.workflowExecution?.workflowId ?? ''}/${ctx.info.activityId}/${ctx.info.attempt}`;
  // Not handed back on shutdown: the worker drains it (it is at most seconds from its call).
  const held = deps.heldCalls.hold(key, Date.parse(notBefore!), { handBackOnShutdown: false });
  const abort = () => deps.heldCalls.drop(key, held);
  ctx.cancellationSignal.addEventListener('abort', abort, { once: true });
  deps.metrics.held(1);
  try {
    await held;
  } finally {
    deps.metrics.held(-1);
    ctx.cancellationSignal.removeEventListener('abort', abort);
  }
}

/** The records of earlier attempts, with a placeholder for any whose worker died before reporting. */
function previousAttempts(heartbeatDetails: unknown, attemptNumber: number): AttemptRecord[] {
  const known = Array.isArray(heartbeatDetails) ? (heartbeatDetails as AttemptRecord[]) : [];
  const attempts: AttemptRecord[] = [];
  for (let n = 1; n < attemptNumber; n++) {
    attempts.push(known.find((a) => a.number === n) ?? missingAttempt(n, ATTEMPT_NOT_REPORTED));
  }
  return attempts;
}
