import { randomUUID } from 'node:crypto';
import {
  cancelTaskUpdate,
  CALL_DEFAULTS,
  CHANGE_CUTOFF_MS,
  modifyTaskUpdate,
  NOT_SCHEDULED_FAILURE,
  TASK_FAILED_FAILURE,
  type TaskState,
  type TaskWorkflowInput,
} from '../../common';
import { scheduledTaskWorkflow } from '../../workflows';
import { HttpTarget } from '../support/http-target';
import { LambdaTarget } from '../support/lambda-target';
import { startTimeSkipping, updateRejection, waitedMs, workflowFailureDetails, type TimeSkippingHarness } from '../support/time-skipping';

const DAY_MS = 24 * 3_600_000;

describe('scheduledTaskWorkflow (time-skipping)', () => {
  let harness: TimeSkippingHarness;
  let target: HttpTarget;

  let lambda: LambdaTarget;
  let restoreAwsEnv: () => void;

  beforeAll(async () => {
    [harness, target, lambda] = await Promise.all([startTimeSkipping(), HttpTarget.start(), LambdaTarget.start()]);
    restoreAwsEnv = lambda.useAsAwsEndpoint();
  });
  afterAll(async () => {
    restoreAwsEnv?.();
    await Promise.all([harness?.teardown(), target?.stop(), lambda?.stop()]);
  });

  function taskInput(path: string, runAt: Date, overrides: Partial<TaskWorkflowInput> = {}): TaskWorkflowInput {
    return {
      ownerId: 'owner-1',
      name: path,
      request: { url: target.url(path), method: 'POST', headers: {}, body: { hello: path }, timeoutMs: CALL_DEFAULTS.timeoutMs },
      retry: { retries: 0, retryIntervalMs: 1_000, retryBackoff: 1 },
      runAt: runAt.toISOString(),
      createdAt: new Date().toISOString(),
      ...overrides,
    };
  }

  function start(input: TaskWorkflowInput) {
    return harness.env.client.workflow.start(scheduledTaskWorkflow, {
      workflowId: `task-${randomUUID()}`,
      taskQueue: harness.taskQueue,
      args: [input],
    });
  }

  it('fires a task due in 30 days exactly once, at its time', async () => {
    const now = await harness.env.currentTimeMs();
    const runAt = new Date(now + 30 * DAY_MS);
    const state = await (await start(taskInput('/in-30-days', runAt))).result();

    expect(state.status).toBe('completed');
    expect(target.requests('/in-30-days')).toHaveLength(1);
    expect(target.requests('/in-30-days')[0].body).toBe('{"hello":"/in-30-days"}');
    const lateness = Date.parse(state.startedAt!) - runAt.getTime();
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(1_000);
    expect(state.attempts.map((a) => [a.number, a.statusCode, a.error])).toEqual([[1, 200, null]]);
    expect(state.result).toEqual({ statusCode: 200, body: { ok: true }, bodyTruncated: false });
  });

  it('moves a sleeping task to the time a modify Update gives it', async () => {
    const now = await harness.env.currentTimeMs();
    const state = await (async () => {
      const handle = await start(taskInput('/moved', new Date(now + 30 * DAY_MS)));
      const newRunAt = new Date(now + 2 * DAY_MS).toISOString();
      const modified = await handle.executeUpdate(modifyTaskUpdate, { args: [{ runAt: newRunAt, request: { method: 'PUT' } }] });
      expect(modified.runAt).toBe(newRunAt);
      expect(modified.status).toBe('scheduled');
      return handle.result();
    })();

    expect(state.status).toBe('completed');
    const lateness = Date.parse(state.startedAt!) - (now + 2 * DAY_MS);
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(1_000);
    expect(target.requests('/moved').map((r) => r.method)).toEqual(['PUT']);
  });

  it('never calls a task that a cancel Update ended', async () => {
    const now = await harness.env.currentTimeMs();
    {
      const handle = await start(taskInput('/cancelled', new Date(now + DAY_MS)));
      const cancelled = await handle.executeUpdate(cancelTaskUpdate);
      expect(cancelled.status).toBe('cancelled');
      const state = await handle.result();
      expect(state.status).toBe('cancelled');
    }
    await harness.env.sleep(2 * DAY_MS);
    expect(target.requests('/cancelled')).toHaveLength(0);
  });

  it('rejects modify and cancel Updates once the call has started, naming the status', async () => {
    target.failTimes('/retrying', 1);
    const now = await harness.env.currentTimeMs();
    const handle = await start(
      taskInput('/retrying', new Date(now + 1_000), { retry: { retries: 1, retryIntervalMs: 3_600_000, retryBackoff: 1 } }),
    );
    // The first attempt fails; the task then waits an hour for its retry, running.
    await harness.env.sleep(2_000);
    expect(target.requests('/retrying')).toHaveLength(1);

    for (const attempt of [
      handle.executeUpdate(modifyTaskUpdate, { args: [{ runAt: new Date(now + DAY_MS).toISOString() }] }),
      handle.executeUpdate(cancelTaskUpdate),
    ]) {
      const cause = await updateRejection(attempt);
      expect(cause.type).toBe(NOT_SCHEDULED_FAILURE);
      expect(cause.message).toBe('task is running; only a scheduled task can be changed or cancelled');
    }
    const state = await handle.result();
    expect(state.status).toBe('completed');
    expect(state.attempts.map((a) => [a.number, a.statusCode])).toEqual([
      [1, 500],
      [2, 200],
    ]);
  });

  it(`rejects modify and cancel Updates from ${CHANGE_CUTOFF_MS} ms before the due time, and fires once`, async () => {
    const now = await harness.env.currentTimeMs();
    const handle = await start(taskInput('/cut-off', new Date(now + DAY_MS)));
    await harness.env.sleep(DAY_MS - CHANGE_CUTOFF_MS + 100);

    for (const attempt of [
      handle.executeUpdate(modifyTaskUpdate, { args: [{ runAt: new Date(now + 2 * DAY_MS).toISOString() }] }),
      handle.executeUpdate(cancelTaskUpdate),
    ]) {
      const cause = await updateRejection(attempt);
      expect(cause.message).toBe('task is running; only a scheduled task can be changed or cancelled');
    }
    expect((await handle.result()).status).toBe('completed');
    expect(target.requests('/cut-off')).toHaveLength(1);
  });

  it('retries a target that fails twice and completes after exactly 3 attempts spaced by the interval', async () => {
    target.failTimes('/flaky', 2);
    const now = await harness.env.currentTimeMs();
    const handle = await start(
      taskInput('/flaky', new Date(now + 1_000), { retry: { retries: 3, retryIntervalMs: 10_000, retryBackoff: 1 } }),
    );
    const state = await handle.result();

    expect(state.status).toBe('completed');
    expect(state.attempts.map((a) => [a.number, a.statusCode, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 200, null],
    ]);
    expect(target.requests('/flaky').map((r) => r.headers['x-task-attempt'])).toEqual(['1', '2', '3']);
    const keys = new Set(target.requests('/flaky').map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect(waitedMs(state)).toBe(2 * 10_000);
  });

  it('waits what a 429 or 503 says in Retry-After before its retry, not the shorter interval', async () => {
    target.respond('/busy', (n) =>
      n === 0
        ? { status: 429, headers: { 'retry-after': '30' } }
        : n === 1
          ? { status: 503, headers: { 'retry-after': '2' } }
          : { status: 200, body: { ok: true } },
    );
    const now = await harness.env.currentTimeMs();
    const handle = await start(
      taskInput('/busy', new Date(now + 1_000), { retry: { retries: 3, retryIntervalMs: 5_000, retryBackoff: 1 } }),
    );
    const state = await handle.result();

    expect(state.status).toBe('completed');
    expect(state.attempts.map((a) => [a.number, a.statusCode, a.retryAfterMs])).toEqual([
      [1, 429, 30_000],
      [2, 503, 2_000],
      [3, 200, undefined],
    ]);
    // On workflow time: 30 s (more than the 5 s interval), then 5 s (more than the 2 s asked).
    const [first, second, third] = state.attempts.map((a) => Date.parse(a.scheduledAt));
    expect(second - first).toBeGreaterThanOrEqual(30_000);
    expect(second - first).toBeLessThan(31_000);
    expect(third - second).toBeGreaterThanOrEqual(5_000);
    expect(third - second).toBeLessThan(6_000);
  });

  it('retries only transient failures with retryOn transient: a 404 ends the task at its first attempt', async () => {
    target.failTimes('/missing', Number.MAX_SAFE_INTEGER, 404);
    target.failTimes('/flaky-transient', 1, 503);
    const now = await harness.env.currentTimeMs();
    const retry = { retries: 3, retryIntervalMs: 1_000, retryBackoff: 1, retryOn: 'transient' as const };
    const missing = await start(taskInput('/missing', new Date(now + 1_000), { retry }));
    const { details } = await workflowFailureDetails<TaskState>(missing.result(), TASK_FAILED_FAILURE);
    expect(details.attempts.map((a) => a.statusCode)).toEqual([404]);
    expect(details.error).toBe('attempt 1 failed: HTTP 404');

    const flaky = await (await start(taskInput('/flaky-transient', new Date(now + 1_000), { retry }))).result();
    expect(flaky.attempts.map((a) => a.statusCode)).toEqual([503, 200]);
  });

  it('fails a task whose target always fails after exactly retries + 1 attempts', async () => {
    target.failTimes('/down', Number.MAX_SAFE_INTEGER, 503);
    const now = await harness.env.currentTimeMs();
    const handle = await start(
      taskInput('/down', new Date(now + 1_000), { retry: { retries: 2, retryIntervalMs: 5_000, retryBackoff: 2 } }),
    );
    const { details: state } = await workflowFailureDetails<TaskState>(handle.result(), TASK_FAILED_FAILURE);

    expect(state.status).toBe('failed');
    expect(state.error).toBe('attempt 3 failed: HTTP 503');
    expect(state.attempts.map((a) => [a.number, a.statusCode])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
    ]);
    expect(state.result).toEqual({ statusCode: 503, body: { error: 'scripted failure' }, bodyTruncated: false });
    expect(target.requests('/down')).toHaveLength(3);
    expect(waitedMs(state)).toBe(5_000 + 10_000); // backoff 2
  });

  it('retries a Lambda FunctionError with the backoff asked, and completes once the function succeeds', async () => {
    let calls = 0;
    lambda.register('warming-up', () => {
      if (++calls < 3) throw new Error(`cold (${calls})`);
      return { statusCode: 200 };
    });
    const now = await harness.env.currentTimeMs();
    const handle = await start(
      taskInput('/unused', new Date(now + 1_000), {
        request: { lambda: { function: 'warming-up', invocationType: 'RequestResponse' }, timeoutMs: 5_000 },
        retry: { retries: 3, retryIntervalMs: 10_000, retryBackoff: 2 },
      }),
    );
    const state = await handle.result();

    expect(state.status).toBe('completed');
    expect(state.attempts.map((a) => [a.number, a.statusCode, a.error])).toEqual([
      [1, 200, 'FunctionError (Unhandled): Error: cold (1)'],
      [2, 200, 'FunctionError (Unhandled): Error: cold (2)'],
      [3, 200, null],
    ]);
    expect(waitedMs(state)).toBe(10_000 + 20_000);
    expect(lambda.invocations('warming-up')).toHaveLength(3);
  });

  it('fails a task whose function does not exist after one attempt, whatever its retries', async () => {
    const now = await harness.env.currentTimeMs();
    const handle = await start(
      taskInput('/unused', new Date(now + 1_000), {
        request: { lambda: { function: 'nowhere', invocationType: 'RequestResponse' }, timeoutMs: 5_000 },
        retry: { retries: 5, retryIntervalMs: 10_000, retryBackoff: 1 },
      }),
    );
    const { details: state } = await workflowFailureDetails<TaskState>(handle.result(), TASK_FAILED_FAILURE);
    expect(state.attempts).toHaveLength(1);
    expect(state.attempts[0].error).toMatch(
      /^ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:123456789012:function:nowhere/,
    );
  });
});
