import {
  ApplicationFailure,
  CancelledFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  callbackState,
  CHANGE_CUTOFF_MS,
  SearchAttr,
  tagValues,
  initialStepState,
  isParallelStepState,
  isWaitStepState,
  missingAttempt,
  NOT_SCHEDULED_FAILURE,
  ORCHESTRATION_FAILED_FAILURE,
  ORCHESTRATION_RUN,
  referencesOf,
  resolveCall,
  resumeOrchestrationUpdate,
  WRONG_RESUME_TOKEN_FAILURE,
  type AttemptInput,
  type AttemptReport,
  type AttemptRecord,
  type BranchState,
  type CallOutput,
  type CallRequestSpec,
  type OrchestrationCallSpec,
  type OrchestrationCallStepState,
  type OrchestrationFailure,
  type OrchestrationModification,
  type OrchestrationResume,
  type OrchestrationState,
  type OrchestrationWorkflowInput,
  type ParallelStepState,
  type RetrySpec,
  type WaitStepState,
} from '../common';
import { attemptHeld, callEndedAt, retryUntilDone, type AttemptEnd, type CallLog, type HeldCall } from './calls';
import { attemptInTurn, FlowGate } from './flow-control';
import { orchestrationV1 } from './orchestration-v1';
import { PendingRun } from './pending-run';
import { sendCallback } from './callback';
import { endRun, heldUntil, settleRun } from './run-state';

/** The patch that put orchestrations on the pending-run model and the v2 attempt path: those started before it replay v1. */
export const ORCHESTRATION_V2_PATCH = 'orchestration-v2';

/**
 * An orchestration: sleeps until `runAt` (movable, changeable and cancellable by Updates while it
 * sleeps), then runs its steps in order. A step is one call under its own retry policy, a parallel
 * group of branches (each a sequence of calls), or a wait for the outside world. After a call step
 * or a group succeeds, the condition check is called (after `delayMs`, then every
 * `retryIntervalMs`) until a 2xx or `retries` re-checks are spent. A step that fails for good,
 * whose checks are exhausted or whose wait times out runs the fallback and ends the orchestration
 * `failed`; nothing after it runs. Completes with the final state; fails with type
 * `OrchestrationFailed` (state in the details).
 */
export async function orchestrationWorkflow(input: OrchestrationWorkflowInput): Promise<OrchestrationState> {
  const state = ORCHESTRATION_RUN.initialState(input);
  setHandler(ORCHESTRATION_RUN.stateQuery, () => state);
  return patched(ORCHESTRATION_V2_PATCH) ? new Orchestration(state).run() : orchestrationV1(state);
}

/** How a step ended: why the orchestration fails, or when its last call ended (ISO, workflow time). */
type StepOutcome = { failure: OrchestrationFailure } | { failure: null; endedAt: string };

/** One orchestration run on the pending-run model: its state, the answers later calls refer to, and how each kind of step runs. */
class Orchestration {
  private readonly pending: PendingRun<OrchestrationState, OrchestrationModification>;
  private readonly who: { taskId: string; ownerId: string };
  /** What each call with an id answered, for later calls' references (not part of the state: bodies may be large). */
  private readonly outputs = new Map<string, CallOutput>();
  /** Ids that some call refers to: only their answers are kept whole. */
  private referenced = new Set<string>();
  /** When the last call ended (epoch ms): the orchestration finishes no earlier. */
  private lastEnd = 0;
  /** Where calls under flow control wait for their turns (made on first use). */
  private gate: FlowGate | undefined;

  constructor(private readonly state: OrchestrationState) {
    this.who = { taskId: workflowInfo().workflowId, ownerId: state.ownerId };
    this.referenced = referencedIds(state);
    this.pending = new PendingRun(state, {
      kind: ORCHESTRATION_RUN.kind,
      modify: ORCHESTRATION_RUN.modifyUpdate,
      cancel: ORCHESTRATION_RUN.cancelUpdate,
      changeCutoffMs: CHANGE_CUTOFF_MS,
      // The API validated the plan as at create; here only the state decides (scheduled, before the cut-off).
      validate: () => undefined,
      apply: (change) => this.replacePlan(change),
      onCancel: () => this.skipRemaining(),
    });
    setHandler(
      resumeOrchestrationUpdate,
      (resume: OrchestrationResume) => {
        const step = this.waitingStep()!;
        step.result = { statusCode: 200, body: resume.body, bodyTruncated: false };
        step.resumedAt = new Date().toISOString();
        return state;
      },
      { validator: (resume: OrchestrationResume) => this.assertResumable(resume) },
    );
  }

  async run(): Promise<OrchestrationState> {
    const { state } = this;
    if (!(await this.pending.untilWake())) {
      await sendCallback(state, this.outcome());
      return state;
    }
    state.status = 'running';
    // The first call is held until runAt: the run started then.
    state.startedAt = new Date(heldUntil(state.runAt)).toISOString();
    this.pending.publish('running');

    let dueAt = state.runAt;
    let failure: OrchestrationFailure | null = null;
    for (const step of state.steps) {
      state.currentStep = step.number;
      const outcome: StepOutcome = isWaitStepState(step)
        ? await this.runWait(step)
        : isParallelStepState(step)
          ? await this.runParallel(step, dueAt)
          : await this.runCallStep(step, dueAt);
      if (outcome.failure) {
        failure = outcome.failure;
        break;
      }
      if (isWaitStepState(step)) {
        dueAt = outcome.endedAt;
        continue;
      }
      const checks = await this.runChecks(step, outcome.endedAt);
      if (checks.failure) {
        failure = checks.failure;
        break;
      }
      dueAt = checks.endedAt;
    }
    if (failure) {
      this.skipRemaining();
      state.failure = failure;
      await this.runFallback();
    }
    const finishedAt = new Date(Math.max(Date.now(), this.lastEnd)).toISOString();
    const ending = state.failure ? { type: ORCHESTRATION_FAILED_FAILURE, message: state.failure.message } : null;
    settleRun(state, ending, finishedAt);
    await sendCallback(state, this.outcome());
    return endRun(state, ending);
  }

  /** What its callback says of it: how many attempts its calls made, its last step's answer, why it failed. */
  private outcome() {
    const { state } = this;
    const attempts = state.steps.reduce(
      (sum, step) =>
        sum +
        step.attempts.length +
        step.checkAttempts.length +
        (isParallelStepState(step) ? step.branches.reduce((n, b) => n + b.calls.reduce((m, c) => m + c.attempts.length, 0), 0) : 0),
      state.fallback?.attempts.length ?? 0,
    );
    const reached = state.steps.filter((s) => s.status !== 'pending' && s.status !== 'skipped').at(-1);
    return { kind: ORCHESTRATION_RUN.kind, attempts, result: reached?.result ?? null, error: state.failure?.message ?? null };
  }

  /** A step that is one call: made under its own retry policy. */
  private async runCallStep(step: OrchestrationCallStepState, dueAt: string): Promise<StepOutcome> {
    step.status = 'running';
    const error = await this.makeCall(step, step, `step-${step.number}`, dueAt);
    if (error === null) return { failure: null, endedAt: this.endOf(step, dueAt) };
    step.status = 'failed';
    const tries = step.attempts.length;
    return {
      failure: {
        reason: 'step_failed',
        step: step.number,
        message: `step ${step.number} failed after ${tries} attempt${tries === 1 ? '' : 's'}: ${lastError(step, error)}`,
      },
    };
  }

  /**
   * A parallel group: its branches run at the same time (at most `maxConcurrency` at once), each
   * its calls in order. `all`: one failed branch fails the group and the others are cancelled;
   * `any`: the first branch to complete wins and the others are cancelled. A cancelled branch's
   * calls still held are handed back (never made: `skipped`); one already under way finishes and
   * is recorded. The group ends once every branch has.
   */
  private async runParallel(step: ParallelStepState, dueAt: string): Promise<StepOutcome> {
    step.status = 'running';
    const scopes = step.branches.map(() => new CancellationScope());
    const held = new Set<HeldCall>();
    const verdict: { decided: boolean; winner: BranchState | null; failed: { branch: BranchState; message: string } | null } = {
      decided: false,
      winner: null,
      failed: null,
    };
    const decide = () => {
      verdict.decided = true;
      held.forEach((call) => void call.release());
      scopes.forEach((scope) => scope.cancel());
    };
    const runOne = async (branch: BranchState, i: number) => {
      try {
        await scopes[i].run(async () => {
          branch.status = 'running';
          // Branches beyond maxConcurrency start when a slot frees up: then, not at the group's due time.
          const due = new Date(Math.max(Date.parse(dueAt), Date.now())).toISOString();
          const error = await this.runBranch(step, branch, due, held);
          branch.status = error === null ? 'completed' : 'failed';
          if (verdict.decided) return;
          if (error === null && step.join === 'any') {
            verdict.winner = branch;
            // The group answers as its winning branch's last call did.
            step.result = branch.calls.at(-1)?.result ?? null;
            decide();
          } else if (error !== null && (step.join === 'all' || step.branches.every((b) => b.status === 'failed'))) {
            verdict.failed = { branch, message: error };
            decide();
          }
        });
      } catch (err) {
        if (!isCancellation(err)) throw err;
        markCancelled(branch);
      }
    };
    // maxConcurrency lanes, each taking the next branch not started once its own has ended.
    let next = 0;
    const lane = async () => {
      while (next < step.branches.length) {
        const i = next++;
        if (verdict.decided) markCancelled(step.branches[i]);
        else await runOne(step.branches[i], i);
      }
    };
    await Promise.all(Array.from({ length: step.maxConcurrency ?? step.branches.length }, lane));
    const endedAt = new Date(Math.max(Date.now(), this.lastEnd, Date.parse(dueAt))).toISOString();
    if (verdict.failed === null && (step.join === 'all' || verdict.winner !== null)) return { failure: null, endedAt };
    step.status = 'failed';
    const { failed } = verdict;
    const which = failed ? `branch ${failed.branch.number} failed: ${failed.message}` : 'no branch completed';
    return {
      failure: { reason: 'step_failed', step: step.number, message: `step ${step.number} (parallel, join ${step.join}) failed: ${which}` },
    };
  }

  /** A branch's calls in order; the next starts when the one before it has succeeded. @returns null, or why it failed. */
  private async runBranch(step: ParallelStepState, branch: BranchState, dueAt: string, held: Set<HeldCall>): Promise<string | null> {
    let due = dueAt;
    for (const call of branch.calls) {
      call.status = 'running';
      const error = await this.makeCall(call, call, `step-${step.number}:branch-${branch.number}:call-${call.number}`, due, { held });
      if (error !== null) {
        call.status = 'failed';
        branch.calls.filter((c) => c.status === 'pending').forEach((c) => (c.status = 'skipped'));
        return `call ${call.number} failed after ${call.attempts.length} attempt${call.attempts.length === 1 ? '' : 's'}: ${lastError(call, error)}`;
      }
      call.status = 'completed';
      due = this.endOf(call, due);
    }
    return null;
  }

  /** A wait: pauses (status `waiting`) until resumed (its resume URL, or its owner) or `timeoutMs` has passed. */
  private async runWait(step: WaitStepState): Promise<StepOutcome> {
    const { state } = this;
    const now = Date.now();
    step.status = 'waiting';
    step.waitingSince = new Date(now).toISOString();
    step.expiresAt = new Date(now + step.waitFor.timeoutMs).toISOString();
    state.status = 'waiting';
    this.pending.publish('waiting');
    const resumed = await condition(() => step.result !== null, step.waitFor.timeoutMs);
    state.status = 'running';
    this.pending.publish('running');
    if (!resumed) {
      step.status = 'failed';
      return {
        failure: {
          reason: 'wait_timed_out',
          step: step.number,
          message: `step ${step.number} waited ${step.waitFor.timeoutMs} ms and was not resumed`,
        },
      };
    }
    step.status = 'passed';
    if (step.id) this.outputs.set(step.id, { status: 200, body: step.result!.body });
    return { failure: null, endedAt: step.resumedAt! };
  }

  /**
   * Calls the condition check until it answers 2xx: the first try `delayMs` after the step ended,
   * each later one `retryIntervalMs` after the previous ended. Each try is one attempt (no
   * retries), held until its due time, so it is sent on time to the millisecond.
   * @returns why the orchestration fails, or when the check that passed ended.
   */
  private async runChecks(
    step: OrchestrationCallStepState | ParallelStepState,
    stepEndedAt: string,
  ): Promise<{ failure: OrchestrationFailure } | { failure: null; endedAt: string }> {
    const check = this.state.conditionCheck;
    step.status = 'checking';
    const tries = check.retries + 1;
    let dueAt = new Date(Date.parse(stepEndedAt) + check.delayMs).toISOString();
    let error = '';
    for (let k = 1; k <= tries; k++) {
      const log: CallLog = { attempts: [], result: null };
      const once: RetrySpec = { retries: 0, retryIntervalMs: check.retryIntervalMs, retryBackoff: 1 };
      const failure = await this.makeCall(
        { id: check.id, request: check.request, retry: once },
        log,
        `step-${step.number}:check-${k}`,
        dueAt,
        { conditionCheck: true },
      );
      if (failure !== null) error = lastError(log, failure);
      step.checkAttempts.push(...(log.attempts.length > 0 ? log.attempts.map((a) => ({ ...a, number: k })) : [missingAttempt(k, error)]));
      step.checkResult = log.result;
      const endedAt = this.endOf(log, dueAt);
      if (failure === null) {
        step.status = 'passed';
        return { failure: null, endedAt };
      }
      dueAt = new Date(Date.parse(endedAt) + check.retryIntervalMs).toISOString();
    }
    step.status = 'failed';
    return {
      failure: {
        reason: 'checks_exhausted',
        step: step.number,
        message: `condition check after step ${step.number} did not pass in ${tries} tr${tries === 1 ? 'y' : 'ies'}: ${error}`,
      },
    };
  }

  /** The fallback's call, if there is one, under its own retry policy; records its outcome. */
  private async runFallback(): Promise<void> {
    const { fallback } = this.state;
    if (!fallback) return;
    fallback.status = 'running';
    const error = await this.makeCall(fallback, fallback, 'fallback', new Date().toISOString());
    fallback.status = error === null ? 'completed' : 'failed';
  }

  /**
   * Makes one call (its references resolved from the answers before it) until it succeeds or its
   * retries are spent; the first attempt at `dueAt`, each in a regular activity held until due
   * (see attemptHeld). A reference that finds nothing fails the call at once, naming it.
   * @param options.held where its held calls are kept while they hold, for a parallel group to hand them back
   * @returns null when it succeeded, else why it failed for good.
   * @throws CancelledFailure when its held call was handed back (the group no longer needs it).
   */
  private async makeCall(
    call: OrchestrationCallSpec,
    log: CallLog,
    key: string,
    dueAt: string,
    options: { conditionCheck?: boolean; held?: Set<HeldCall> } = {},
  ): Promise<string | null> {
    const resolved = resolveCall(call.request, (id) => this.outputs.get(id));
    if ('error' in resolved) {
      const at = new Date(Math.max(Date.now(), Date.parse(dueAt))).toISOString();
      log.attempts.push({
        number: 1,
        scheduledAt: at,
        startedAt: at,
        finishedAt: at,
        statusCode: null,
        error: resolved.error,
        durationMs: 0,
      });
      return `attempt 1 failed: ${resolved.error}`;
    }
    const input = (attempt: number): AttemptInput => ({
      ...this.who,
      request: resolved.request,
      idempotencyKey: `${this.who.taskId}:${key}`,
      attempt,
      ...(options.conditionCheck ? { conditionCheck: true } : {}),
      ...(call.id && this.referenced.has(call.id) ? { keepOutput: true } : {}),
    });
    const flowControl = resolved.request.flowControl;
    const attempt = async (n: number, due: string): Promise<AttemptEnd> => {
      let sends = 0;
      const send = async (callAt: string, sendBy?: string): Promise<AttemptReport> => {
        let dispatched: HeldCall | undefined;
        const activityId = flowControl ? `${key}:${n}.${++sends}` : `${key}:${n}`;
        const report = await attemptHeld({ ...input(n), ...(sendBy ? { sendBy } : {}) }, callAt, activityId, (held) => {
          dispatched = held;
          options.held?.add(held);
        });
        if (dispatched) options.held?.delete(dispatched);
        return report;
      };
      // Under flow control, the attempt waits for its turn and goes out at its slot.
      const report = flowControl
        ? (await attemptInTurn(
            (this.gate ??= new FlowGate(this.who.ownerId)),
            { request: resolved.request, flow: flowControl, requestId: `${this.who.taskId}:${key}:attempt-${n}`, dueAt: Date.parse(due) },
            send,
          ))!
        : await send(due);
      if (report.outcome === 'released') throw new CancelledFailure(`call ${key} handed back before it went out`);
      if (report.outcome === 'late') throw new Error('unreachable: a call without flow control is never late');
      if (report.outcome === 'attempted' && call.id && report.output) this.outputs.set(call.id, report.output);
      return report;
    };
    const first = await attempt(1, dueAt);
    const error = await retryUntilDone(log, call.retry, first, (n) => attempt(n, new Date().toISOString()));
    this.lastEnd = Math.max(this.lastEnd, callEndedAt(log));
    return error;
  }

  /** When a call held until `notBefore` ended, as an ISO time (see callEndedAt). */
  private endOf(log: CallLog, notBefore: string): string {
    return new Date(callEndedAt(log, notBefore)).toISOString();
  }

  /** PATCH while scheduled: each part of the plan given replaces the one the orchestration has. */
  private replacePlan(change: OrchestrationModification): void {
    const { state } = this;
    if (change.name !== undefined) state.name = change.name;
    if (change.steps) state.steps = change.steps.map(initialStepState);
    if (change.conditionCheck) state.conditionCheck = change.conditionCheck;
    if (change.fallback !== undefined) {
      state.fallback = change.fallback ? { ...change.fallback, status: 'not_run', attempts: [], result: null } : null;
    }
    if (change.name !== undefined || change.steps) upsertMemo({ name: state.name, stepCount: state.steps.length });
    if (change.tags !== undefined) {
      state.tags = change.tags;
      upsertSearchAttributes([{ key: SearchAttr.tags, value: tagValues(change.tags) }]);
    }
    if (change.callback !== undefined) {
      if (change.callback === null) delete state.callback;
      else state.callback = callbackState(change.callback);
    }
    this.referenced = referencedIds(state);
  }

  /** Steps not reached, and the branches and calls in them, are skipped (after a failure, or a cancel). */
  private skipRemaining(): void {
    for (const step of this.state.steps) {
      if (step.status !== 'pending') continue;
      step.status = 'skipped';
      if (isParallelStepState(step)) step.branches.forEach((branch) => markCancelled(branch));
    }
  }

  private waitingStep(): WaitStepState | undefined {
    const step = this.state.steps.find((s) => s.status === 'waiting');
    return step && isWaitStepState(step) ? step : undefined;
  }

  /**
   * A resume needs a waiting step (else 409), and, through a resume URL, that step's token: a token
   * no wait step of this run has is refused as unknown (the API answers 404, as for any URL).
   */
  private assertResumable(resume: OrchestrationResume): void {
    if (resume?.token !== undefined) {
      const owner = this.state.steps.find((s) => isWaitStepState(s) && sameToken(s.waitFor.token, resume.token!));
      if (!owner) throw ApplicationFailure.create({ type: WRONG_RESUME_TOKEN_FAILURE, message: 'no such resume URL', nonRetryable: true });
      if (owner.status !== 'waiting') {
        throw ApplicationFailure.create({
          type: NOT_SCHEDULED_FAILURE,
          message: `step ${owner.number} is ${owner.status === 'passed' ? 'resumed already' : owner.status}; a resume URL works once, while its step waits`,
          nonRetryable: true,
        });
      }
      return;
    }
    if (!this.waitingStep()) {
      throw ApplicationFailure.create({
        type: NOT_SCHEDULED_FAILURE,
        message: `orchestration is ${this.state.status}; only a waiting orchestration can be resumed`,
        nonRetryable: true,
      });
    }
  }
}

/**
 * A branch (and its calls) that the group no longer needed: a branch under way is cancelled, one
 * not started skipped; a call that had been attempted is cancelled, one never made skipped.
 */
function markCancelled(branch: BranchState): void {
  if (branch.status === 'pending' || branch.status === 'running') branch.status = branch.status === 'pending' ? 'skipped' : 'cancelled';
  for (const call of branch.calls) {
    if (call.status === 'running') call.status = call.attempts.length > 0 ? 'cancelled' : 'skipped';
    else if (call.status === 'pending') call.status = 'skipped';
  }
}

/** The last recorded attempt's own error ("HTTP 503", "timed out after 5000 ms"), else the call's failure. */
function lastError(log: { attempts: AttemptRecord[] }, failure: string): string {
  return log.attempts.at(-1)?.error ?? failure;
}

/** The ids some call of the orchestration refers to. */
function referencedIds(state: Pick<OrchestrationState, 'steps' | 'conditionCheck' | 'fallback'>): Set<string> {
  const requests: CallRequestSpec[] = [state.conditionCheck.request, ...(state.fallback ? [state.fallback.request] : [])];
  for (const step of state.steps) {
    if (isParallelStepState(step)) step.branches.forEach((b) => b.calls.forEach((c) => requests.push(c.request)));
    else if (!isWaitStepState(step)) requests.push(step.request);
  }
  return new Set(requests.flatMap((request) => referencesOf(request).map((r) => r.id)));
}

/** Compares two tokens in time that does not depend on where they differ. */
function sameToken(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
