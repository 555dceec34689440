import { randomUUID } from 'node:crypto';
import {
  CALL_DEFAULTS,
  modifyOrchestrationUpdate,
  NOT_SCHEDULED_FAILURE,
  ORCHESTRATION_FAILED_FAILURE,
  ORCHESTRATION_RUN,
  resumeOrchestrationUpdate,
  WRONG_RESUME_TOKEN_FAILURE,
  type BranchState,
  type HttpRequestSpec,
  type OrchestrationCallSpec,
  type OrchestrationState,
  type OrchestrationStepSpec,
  type OrchestrationWorkflowInput,
  type ParallelStepState,
  type RetrySpec,
  type WaitStepState,
} from '../../common';
import { orchestrationWorkflow } from '../../workflows';
import { HttpTarget } from '../support/http-target';
import { eventually } from '../support/wait';
import { startTimeSkipping, updateRejection, workflowFailureDetails, type TimeSkippingHarness } from '../support/time-skipping';

const NO_RETRY: RetrySpec = { retries: 0, retryIntervalMs: 1_000, retryBackoff: 1 };
const HOUR_MS = 3_600_000;

describe('orchestrationWorkflow v2: parallel groups, data between calls, waits (time-skipping)', () => {
  let harness: TimeSkippingHarness;
  let target: HttpTarget;

  beforeAll(async () => {
    [harness, target] = await Promise.all([startTimeSkipping(), HttpTarget.start()]);
  });
  afterAll(async () => {
    await Promise.all([harness?.teardown(), target?.stop()]);
  });

  function call(path: string, extra: Partial<HttpRequestSpec> = {}): HttpRequestSpec {
    return { url: target.url(path), method: 'POST', headers: {}, body: { path }, timeoutMs: CALL_DEFAULTS.timeoutMs, ...extra };
  }
  const callSpec = (
    path: string,
    extra: Partial<OrchestrationCallSpec> & { http?: Partial<HttpRequestSpec> } = {},
  ): OrchestrationCallSpec => {
    const { http, ...rest } = extra;
    return { request: call(path, http), retry: NO_RETRY, ...rest };
  };

  async function start(steps: OrchestrationStepSpec[], prefix: string, options: { fallback?: boolean; runAt?: Date } = {}) {
    const now = await harness.env.currentTimeMs();
    const input: OrchestrationWorkflowInput = {
      ownerId: 'owner-1',
      name: prefix,
      steps,
      conditionCheck: {
        request: { ...call(`${prefix}/check`), method: 'GET', body: undefined },
        delayMs: 0,
        retries: 0,
        retryIntervalMs: 1_000,
      },
      fallback: options.fallback ? callSpec(`${prefix}/fallback`) : null,
      runAt: (options.runAt ?? new Date(now + 1_000)).toISOString(),
      createdAt: new Date(now).toISOString(),
    };
    return harness.env.client.workflow.start(orchestrationWorkflow, {
      workflowId: `${ORCHESTRATION_RUN.idPrefix}${randomUUID()}`,
      taskQueue: harness.taskQueue,
      args: [input],
    });
  }

  const group = (step: OrchestrationState['steps'][number]) => step as ParallelStepState;
  const statuses = (branches: BranchState[]) => branches.map((b) => [b.status, ...b.calls.map((c) => c.status)]);

  it('joins all: runs every branch, each its calls in order, then checks the group once', async () => {
    const handle = await start(
      [{ parallel: [[callSpec('/all/a1'), callSpec('/all/a2')], [callSpec('/all/b1')]], join: 'all', maxConcurrency: null }],
      '/all',
    );
    const state = await handle.result();

    expect(state.status).toBe('completed');
    expect([...target.calledPaths('/all/')].sort()).toEqual(['a1', 'a2', 'b1', 'check']);
    expect(target.calledPaths('/all/').indexOf('a1')).toBeLessThan(target.calledPaths('/all/').indexOf('a2'));
    expect(target.calledPaths('/all/').at(-1)).toBe('check');
    expect(group(state.steps[0]).status).toBe('passed');
    expect(statuses(group(state.steps[0]).branches)).toEqual([
      ['completed', 'completed', 'completed'],
      ['completed', 'completed'],
    ]);
    const keys = target.requestsUnder('/all/').map((r) => [r.path, r.headers['idempotency-key']]);
    expect(keys).toContainEqual(['/all/a2', `${handle.workflowId}:step-1:branch-1:call-2`]);
    expect(keys).toContainEqual(['/all/check', `${handle.workflowId}:step-1:check-1`]);
  });

  it('joins any: the first branch to complete wins, the others are cancelled and their later calls never made', async () => {
    target.respond('/any/slow1', () => ({ status: 200, body: { ok: true }, delayMs: 1_500 }));
    const handle = await start(
      [
        {
          parallel: [[callSpec('/any/fast')], [callSpec('/any/slow1'), callSpec('/any/slow2')]],
          join: 'any',
          maxConcurrency: null,
        },
      ],
      '/any',
    );
    const state = await handle.result();

    expect(state.status).toBe('completed');
    expect(
      target
        .calledPaths('/any/')
        .filter((p) => p !== 'check')
        .sort(),
    ).toEqual(['fast', 'slow1']);
    await new Promise((r) => setTimeout(r, 1_700));
    expect(target.calledPaths('/any/')).not.toContain('slow2');
    // slow1 had gone out: it finished and is recorded; slow2 was never made.
    expect(statuses(group(state.steps[0]).branches)).toEqual([
      ['completed', 'completed'],
      ['cancelled', 'completed', 'skipped'],
    ]);
    expect(group(state.steps[0]).result).toEqual({ statusCode: 200, body: { ok: true }, bodyTruncated: false });
  });

  it('fails the group when a branch fails (join all), cancels the others and runs the fallback', async () => {
    target.failTimes('/fail/b', Number.MAX_SAFE_INTEGER, 503);
    target.respond('/fail/a1', () => ({ status: 200, body: { ok: true }, delayMs: 1_500 }));
    const handle = await start(
      [
        {
          parallel: [
            [callSpec('/fail/a1'), callSpec('/fail/a2')],
            [callSpec('/fail/b', { retry: { retries: 1, retryIntervalMs: 10, retryBackoff: 1 } })],
          ],
          join: 'all',
          maxConcurrency: null,
        },
        callSpec('/fail/never'),
      ],
      '/fail',
      { fallback: true },
    );
    const { details: state } = await workflowFailureDetails<OrchestrationState>(handle.result(), ORCHESTRATION_FAILED_FAILURE);

    expect(state.failure).toEqual({
      reason: 'step_failed',
      step: 1,
      message: 'step 1 (parallel, join all) failed: branch 2 failed: call 1 failed after 2 attempts: HTTP 503',
    });
    expect(statuses(group(state.steps[0]).branches)).toEqual([
      ['cancelled', 'completed', 'skipped'],
      ['failed', 'failed'],
    ]);
    expect(state.steps.map((s) => s.status)).toEqual(['failed', 'skipped']);
    expect(state.fallback?.status).toBe('completed');
    await new Promise((r) => setTimeout(r, 1_700));
    expect(target.calledPaths('/fail/').sort()).toEqual(['a1', 'b', 'b', 'fallback']);
  });

  it('runs at most maxConcurrency branches at once', async () => {
    for (const b of ['1', '2', '3']) target.respond(`/limited/${b}`, () => ({ status: 200, body: { b }, delayMs: 300 }));
    const handle = await start(
      [{ parallel: [[callSpec('/limited/1')], [callSpec('/limited/2')], [callSpec('/limited/3')]], join: 'all', maxConcurrency: 2 }],
      '/limited',
    );
    await handle.result();
    const [one, two, three] = ['1', '2', '3'].map((b) => target.requests(`/limited/${b}`)[0].arrivedAt);
    expect(Math.abs(one - two)).toBeLessThan(200);
    expect(three - Math.min(one, two)).toBeGreaterThanOrEqual(290);
  });

  it('passes data between calls: a whole-string reference keeps its JSON type, one in a longer string is text', async () => {
    target.respond('/data/reserve', () => ({ status: 201, body: { order: { id: 'o-42', items: [{ sku: 'A 1', qty: 2 }] }, hold: true } }));
    const handle = await start(
      [
        callSpec('/data/reserve', { id: 'reserve' }),
        callSpec('/data/ship', {
          http: {
            url: `${target.url('/data/ship')}?sku={{calls.reserve.body.order.items.0.sku}}`,
            headers: { 'x-order': '{{calls.reserve.body.order.id}}', 'x-status': '{{ calls.reserve.status }}' },
            body: {
              qty: '{{calls.reserve.body.order.items.0.qty}}',
              hold: '{{calls.reserve.body.hold}}',
              note: 'order {{calls.reserve.body.order.id}}',
            },
          },
        }),
      ],
      '/data',
    );
    expect((await handle.result()).status).toBe('completed');
    const [ship] = target.requests('/data/ship');
    expect(ship.headers['x-order']).toBe('o-42');
    expect(ship.headers['x-status']).toBe('201');
    expect(JSON.parse(ship.body)).toEqual({ qty: 2, hold: true, note: 'order o-42' });
    expect(target.requests('/data/ship')).toHaveLength(1);
  });

  it('fails a call at once, naming the reference, when it finds nothing', async () => {
    const handle = await start(
      [
        callSpec('/nothing/a', { id: 'a' }),
        callSpec('/nothing/b', {
          http: { body: { x: '{{calls.a.body.missing}}' } },
          retry: { retries: 3, retryIntervalMs: 10, retryBackoff: 1 },
        }),
      ],
      '/nothing',
    );
    const { details: state } = await workflowFailureDetails<OrchestrationState>(handle.result(), ORCHESTRATION_FAILED_FAILURE);
    expect(state.failure?.message).toBe(
      'step 2 failed after 1 attempt: reference {{calls.a.body.missing}} found nothing in the answer of call a',
    );
    expect(target.calledPaths('/nothing/')).toEqual(['a', 'check']);
  });

  describe('waitFor', () => {
    const wait = (token: string, timeoutMs = HOUR_MS, id?: string): OrchestrationStepSpec => ({
      ...(id ? { id } : {}),
      waitFor: { timeoutMs, token },
    });

    it('waits (status waiting) until resumed through its token, then goes on with the JSON as the step body, and no check', async () => {
      const handle = await start(
        [
          callSpec('/resumed/a'),
          wait('tok-1', HOUR_MS, 'approval'),
          callSpec('/resumed/b', { http: { body: { ok: '{{calls.approval.body.approved}}' } } }),
        ],
        '/resumed',
      );
      await target.waitForRequests('/resumed/check', 1);
      const waiting = await eventually(async () => {
        const state = await handle.query(ORCHESTRATION_RUN.stateQuery);
        return state.status === 'waiting' ? state : undefined;
      });
      const step = waiting.steps[1] as WaitStepState;
      expect(step.status).toBe('waiting');
      expect(Date.parse(step.expiresAt!) - Date.parse(step.waitingSince!)).toBe(HOUR_MS);

      const wrong = await updateRejection(handle.executeUpdate(resumeOrchestrationUpdate, { args: [{ token: 'tok-x', body: {} }] }));
      expect(wrong.type).toBe(WRONG_RESUME_TOKEN_FAILURE);
      await handle.executeUpdate(resumeOrchestrationUpdate, { args: [{ token: 'tok-1', body: { approved: true } }] });
      const twice = await updateRejection(
        handle.executeUpdate(resumeOrchestrationUpdate, { args: [{ token: 'tok-1', body: { approved: false } }] }),
      );
      expect(twice).toMatchObject({
        type: NOT_SCHEDULED_FAILURE,
        message: 'step 2 is resumed already; a resume URL works once, while its step waits',
      });

      const state = await handle.result();
      expect(state.status).toBe('completed');
      expect(target.calledPaths('/resumed/')).toEqual(['a', 'check', 'b', 'check']);
      expect(JSON.parse(target.requests('/resumed/b')[0].body)).toEqual({ ok: true });
      expect(state.steps[1]).toMatchObject({ status: 'passed', result: { statusCode: 200, body: { approved: true } }, checkAttempts: [] });
    });

    it('is resumed by its owner without a token', async () => {
      const handle = await start([wait('tok-2')], '/owner');
      await eventually(async () => ((await handle.query(ORCHESTRATION_RUN.stateQuery)).status === 'waiting' ? true : undefined));
      await handle.executeUpdate(resumeOrchestrationUpdate, { args: [{ body: { approved: false } }] });
      expect((await handle.result()).steps[0].result?.body).toEqual({ approved: false });
      expect(target.calledPaths('/owner/')).toEqual([]);
    });

    it('times out: runs the fallback and fails, saying so', async () => {
      const handle = await start([wait('tok-3', 2 * HOUR_MS), callSpec('/timeout/never')], '/timeout', { fallback: true });
      const { details: state } = await workflowFailureDetails<OrchestrationState>(handle.result(), ORCHESTRATION_FAILED_FAILURE);
      expect(state.failure).toEqual({ reason: 'wait_timed_out', step: 1, message: 'step 1 waited 7200000 ms and was not resumed' });
      expect(state.steps.map((s) => s.status)).toEqual(['failed', 'skipped']);
      expect(target.calledPaths('/timeout/')).toEqual(['fallback']);
    });
  });

  it('replaces its plan with a modify Update while scheduled', async () => {
    const now = await harness.env.currentTimeMs();
    const handle = await start([callSpec('/replaced/old')], '/replaced', { runAt: new Date(now + HOUR_MS) });
    const modified = await handle.executeUpdate(modifyOrchestrationUpdate, {
      args: [
        {
          name: 'new plan',
          steps: [callSpec('/replaced/new1'), { parallel: [[callSpec('/replaced/new2')]], join: 'all', maxConcurrency: null }],
        },
      ],
    });
    expect(modified).toMatchObject({ status: 'scheduled', name: 'new plan' });
    expect(modified.steps.map((s) => s.number)).toEqual([1, 2]);
    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(target.calledPaths('/replaced/')).toEqual(['new1', 'check', 'new2', 'check']);
  });
});
