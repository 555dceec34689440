import { randomUUID } from 'node:crypto';
import {
  cancelOrchestrationUpdate,
  CALL_DEFAULTS,
  modifyOrchestrationUpdate,
  NOT_SCHEDULED_FAILURE,
  ORCHESTRATION_FAILED_FAILURE,
  ORCHESTRATION_RUN,
  type ConditionCheckSpec,
  type HttpRequestSpec,
  type OrchestrationState,
  type OrchestrationWorkflowInput,
  type RetrySpec,
} from '../../common';
import { orchestrationWorkflow } from '../../workflows';
import { HttpTarget } from '../support/http-target';
import { startTimeSkipping, updateRejection, waitedMs, workflowFailureDetails, type TimeSkippingHarness } from '../support/time-skipping';

const DAY_MS = 24 * 3_600_000;
const NO_RETRY: RetrySpec = { retries: 0, retryIntervalMs: 1_000, retryBackoff: 1 };

describe('orchestrationWorkflow (time-skipping)', () => {
  let harness: TimeSkippingHarness;
  let target: HttpTarget;

  beforeAll(async () => {
    [harness, target] = await Promise.all([startTimeSkipping(), HttpTarget.start()]);
  });
  afterAll(async () => {
    await Promise.all([harness?.teardown(), target?.stop()]);
  });

  function call(path: string): HttpRequestSpec {
    return { url: target.url(path), method: 'POST', headers: {}, body: { path }, timeoutMs: CALL_DEFAULTS.timeoutMs };
  }

  interface Plan {
    steps: Array<{ path: string; retry?: RetrySpec }>;
    check: { path: string } & Partial<Omit<ConditionCheckSpec, 'request'>>;
    fallback?: { path: string; retry?: RetrySpec };
    runAt: Date;
  }

  function input(plan: Plan): OrchestrationWorkflowInput {
    return {
      ownerId: 'owner-1',
      name: plan.steps[0].path,
      steps: plan.steps.map((s) => ({ request: call(s.path), retry: s.retry ?? NO_RETRY })),
      conditionCheck: {
        request: { ...call(plan.check.path), method: 'GET', body: undefined },
        delayMs: plan.check.delayMs ?? 0,
        retries: plan.check.retries ?? 0,
        retryIntervalMs: plan.check.retryIntervalMs ?? 1_000,
      },
      fallback: plan.fallback ? { request: call(plan.fallback.path), retry: plan.fallback.retry ?? NO_RETRY } : null,
      runAt: plan.runAt.toISOString(),
      createdAt: new Date().toISOString(),
    };
  }

  async function start(plan: Plan) {
    return harness.env.client.workflow.start(orchestrationWorkflow, {
      workflowId: `${ORCHESTRATION_RUN.idPrefix}${randomUUID()}`,
      taskQueue: harness.taskQueue,
      args: [input(plan)],
    });
  }

  async function soon(): Promise<Date> {
    return new Date((await harness.env.currentTimeMs()) + 1_000);
  }

  it('runs three steps in order, each confirmed by a check that passes at once, and completes', async () => {
    const handle = await start({
      steps: [{ path: '/all-pass/a' }, { path: '/all-pass/b' }, { path: '/all-pass/c' }],
      check: { path: '/all-pass/check' },
      runAt: await soon(),
    });
    const state = await handle.result();

    expect(target.calledPaths('/all-pass/')).toEqual(['a', 'check', 'b', 'check', 'c', 'check']);
    expect(state.status).toBe('completed');
    expect(state.currentStep).toBe(3);
    expect(state.failure).toBeNull();
    expect(state.fallback).toBeNull();
    expect(
      state.steps.map((s) => [
        s.number,
        s.status,
        s.attempts.map((a) => a.statusCode),
        s.checkAttempts.map((a) => [a.number, a.statusCode]),
      ]),
    ).toEqual([
      [1, 'passed', [200], [[1, 200]]],
      [2, 'passed', [200], [[1, 200]]],
      [3, 'passed', [200], [[1, 200]]],
    ]);
    expect(state.steps[0].result).toEqual({ statusCode: 200, body: { ok: true }, bodyTruncated: false });
    expect(state.steps[0].checkResult).toEqual({ statusCode: 200, body: { ok: true }, bodyTruncated: false });
    const id = handle.workflowId;
    expect(target.requestsUnder('/all-pass/').map((r) => r.headers['idempotency-key'])).toEqual([
      `${id}:step-1`,
      `${id}:step-1:check-1`,
      `${id}:step-2`,
      `${id}:step-2:check-1`,
      `${id}:step-3`,
      `${id}:step-3:check-1`,
    ]);
    expect(new Set(target.requestsUnder('/all-pass/').map((r) => r.headers['x-task-id']))).toEqual(new Set([id]));
    expect(target.requests('/all-pass/check').map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
  });

  it('re-checks a failed check and moves on when it passes on its third try', async () => {
    target.failTimes('/third-try/check', 2);
    const handle = await start({
      steps: [{ path: '/third-try/a' }],
      check: { path: '/third-try/check', retries: 3, retryIntervalMs: 5_000 },
      runAt: await soon(),
    });
    const state = await handle.result();

    expect(state.status).toBe('completed');
    expect(state.steps[0].status).toBe('passed');
    expect(state.steps[0].checkAttempts.map((a) => [a.number, a.statusCode, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 200, null],
    ]);
    expect(state.steps[0].checkResult).toEqual({ statusCode: 200, body: { ok: true }, bodyTruncated: false });
    expect(target.requests('/third-try/check').map((r) => r.headers['idempotency-key'])).toEqual([
      `${handle.workflowId}:step-1:check-1`,
      `${handle.workflowId}:step-1:check-2`,
      `${handle.workflowId}:step-1:check-3`,
    ]);
  });

  it('calls the fallback once and fails when the checks after a step are exhausted, calling no later step', async () => {
    target.respond('/exhausted/check', (n) => (n === 0 ? { status: 200, body: { ready: true } } : { status: 503, body: { ready: false } }));
    const handle = await start({
      steps: [{ path: '/exhausted/a' }, { path: '/exhausted/b' }, { path: '/exhausted/c' }],
      check: { path: '/exhausted/check', retries: 1, retryIntervalMs: 2_000 },
      fallback: { path: '/exhausted/fallback' },
      runAt: await soon(),
    });
    const { details: state, message } = await workflowFailureDetails<OrchestrationState>(handle.result(), ORCHESTRATION_FAILED_FAILURE);
    expect(message).toBe(state.failure?.message);

    expect(target.calledPaths('/exhausted/')).toEqual(['a', 'check', 'b', 'check', 'check', 'fallback']);
    expect(state.status).toBe('failed');
    expect(state.currentStep).toBe(2);
    expect(state.failure).toEqual({
      reason: 'checks_exhausted',
      step: 2,
      message: 'condition check after step 2 did not pass in 2 tries: HTTP 503',
    });
    expect(state.steps.map((s) => s.status)).toEqual(['passed', 'failed', 'skipped']);
    expect(state.steps[1].checkAttempts.map((a) => [a.number, a.statusCode])).toEqual([
      [1, 503],
      [2, 503],
    ]);
    expect(state.steps[1].checkResult).toEqual({ statusCode: 503, body: { ready: false }, bodyTruncated: false });
    expect(state.steps[2].attempts).toEqual([]);
    expect(state.fallback?.status).toBe('completed');
    expect(state.fallback?.attempts.map((a) => [a.number, a.statusCode])).toEqual([[1, 200]]);
    expect(state.fallback?.result).toEqual({ statusCode: 200, body: { ok: true }, bodyTruncated: false });
    expect(target.requests('/exhausted/fallback')[0].headers['idempotency-key']).toBe(`${handle.workflowId}:fallback`);
  });

  it('calls the fallback under its own retry policy and fails when a step fails after its retries', async () => {
    target.failTimes('/step-down/b', Number.MAX_SAFE_INTEGER, 503);
    target.failTimes('/step-down/fallback', 1, 502);
    const handle = await start({
      steps: [
        { path: '/step-down/a' },
        { path: '/step-down/b', retry: { retries: 1, retryIntervalMs: 5_000, retryBackoff: 1 } },
        { path: '/step-down/c' },
      ],
      check: { path: '/step-down/check' },
      fallback: { path: '/step-down/fallback', retry: { retries: 2, retryIntervalMs: 1_000, retryBackoff: 1 } },
      runAt: await soon(),
    });
    const { details: state, message } = await workflowFailureDetails<OrchestrationState>(handle.result(), ORCHESTRATION_FAILED_FAILURE);
    expect(message).toBe(state.failure?.message);

    expect(target.calledPaths('/step-down/')).toEqual(['a', 'check', 'b', 'b', 'fallback', 'fallback']);
    expect(state.status).toBe('failed');
    expect(state.failure).toEqual({ reason: 'step_failed', step: 2, message: 'step 2 failed after 2 attempts: HTTP 503' });
    expect(state.steps.map((s) => s.status)).toEqual(['passed', 'failed', 'skipped']);
    expect(state.steps[1].attempts.map((a) => [a.number, a.statusCode])).toEqual([
      [1, 503],
      [2, 503],
    ]);
    expect(state.steps[1].checkAttempts).toEqual([]);
    expect(state.fallback?.status).toBe('completed');
    expect(state.fallback?.attempts.map((a) => [a.number, a.statusCode])).toEqual([
      [1, 502],
      [2, 200],
    ]);
    expect(new Set(target.requests('/step-down/b').map((r) => r.headers['idempotency-key']))).toEqual(
      new Set([`${handle.workflowId}:step-2`]),
    );
  });

  it('fails with the reason and no fallback when none was given', async () => {
    target.failTimes('/no-fallback/a', Number.MAX_SAFE_INTEGER, 500);
    const handle = await start({
      steps: [{ path: '/no-fallback/a' }, { path: '/no-fallback/b' }],
      check: { path: '/no-fallback/check' },
      runAt: await soon(),
    });
    const { details: state, message } = await workflowFailureDetails<OrchestrationState>(handle.result(), ORCHESTRATION_FAILED_FAILURE);
    expect(message).toBe(state.failure?.message);

    expect(target.calledPaths('/no-fallback/')).toEqual(['a']);
    expect(state.status).toBe('failed');
    expect(state.currentStep).toBe(1);
    expect(state.failure).toEqual({ reason: 'step_failed', step: 1, message: 'step 1 failed after 1 attempt: HTTP 500' });
    expect(state.fallback).toBeNull();
    expect(state.steps.map((s) => s.status)).toEqual(['failed', 'skipped']);
  });

  it('waits delayMs after each step before its first check and retryIntervalMs between checks', async () => {
    // Per step: the first check fails, the second passes.
    target.respond('/spaced/check', (n) =>
      n % 2 === 0 ? { status: 500, body: { ready: false } } : { status: 200, body: { ready: true } },
    );
    const handle = await start({
      steps: [{ path: '/spaced/a' }, { path: '/spaced/b' }],
      check: { path: '/spaced/check', delayMs: 30_000, retries: 1, retryIntervalMs: 60_000 },
      runAt: await soon(),
    });
    const state = await handle.result();

    expect(target.calledPaths('/spaced/')).toEqual(['a', 'check', 'check', 'b', 'check', 'check']);
    expect(state.status).toBe('completed');
    expect(waitedMs(state)).toBe(2 * (30_000 + 60_000));
    // Each attempt's scheduledAt is server time: the gaps are the waits (dispatch is at most 200 ms early).
    const gaps = state.steps.map((s) => {
      const [step, check1, check2] = [s.attempts[0], ...s.checkAttempts].map((a) => Date.parse(a.scheduledAt));
      return [Math.round((check1 - step) / 1_000) * 1_000, Math.round((check2 - check1) / 1_000) * 1_000];
    });
    expect(gaps).toEqual([
      [30_000, 60_000],
      [30_000, 60_000],
    ]);
  });

  it('moves the start to the time a modify Update gives it', async () => {
    const now = await harness.env.currentTimeMs();
    const handle = await start({ steps: [{ path: '/moved/a' }], check: { path: '/moved/check' }, runAt: new Date(now + 30 * DAY_MS) });
    const newRunAt = new Date(now + 2 * DAY_MS).toISOString();
    const modified = await handle.executeUpdate(modifyOrchestrationUpdate, { args: [{ runAt: newRunAt }] });
    expect(modified).toMatchObject({ status: 'scheduled', runAt: newRunAt, currentStep: null });
    const state = await handle.result();

    expect(state.status).toBe('completed');
    const lateness = Date.parse(state.startedAt!) - (now + 2 * DAY_MS);
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(1_000);
    expect(target.calledPaths('/moved/')).toEqual(['a', 'check']);
  });

  it('calls nothing when cancelled before its start', async () => {
    const now = await harness.env.currentTimeMs();
    const handle = await start({
      steps: [{ path: '/cancelled/a' }],
      check: { path: '/cancelled/check' },
      fallback: { path: '/cancelled/fallback' },
      runAt: new Date(now + DAY_MS),
    });
    const cancelled = await handle.executeUpdate(cancelOrchestrationUpdate);
    expect(cancelled.status).toBe('cancelled');
    const state = await handle.result();
    expect(state).toMatchObject({ status: 'cancelled', currentStep: null, startedAt: null, failure: null });
    expect(state.steps.map((s) => s.status)).toEqual(['skipped']);
    expect(state.fallback?.status).toBe('not_run');

    await harness.env.sleep(2 * DAY_MS);
    expect(target.calledPaths('/cancelled/')).toEqual([]);
  });

  it('rejects modify and cancel Updates once it has started, naming the status', async () => {
    target.respond('/started/a', () => ({ status: 200, body: { ok: true }, delayMs: 1_000 }));
    const now = await harness.env.currentTimeMs();
    const handle = await start({ steps: [{ path: '/started/a' }], check: { path: '/started/check' }, runAt: new Date(now + 1_000) });
    const resultPromise = handle.result();
    await target.waitForRequests('/started/a', 1);

    for (const attempt of [
      handle.executeUpdate(modifyOrchestrationUpdate, { args: [{ runAt: new Date(now + DAY_MS).toISOString() }] }),
      handle.executeUpdate(cancelOrchestrationUpdate),
    ]) {
      const cause = await updateRejection(attempt);
      expect(cause.type).toBe(NOT_SCHEDULED_FAILURE);
      expect(cause.message).toBe('orchestration is running; only a scheduled orchestration can be changed or cancelled');
    }
    expect((await resultPromise).status).toBe('completed');
    expect(target.calledPaths('/started/')).toEqual(['a', 'check']);
  });
});
