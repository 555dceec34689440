/**
 * Records real workflow histories as replay fixtures (README, "Upgrades"): drives the API, a
 * worker and the dev server through every path of every workflow type, then saves each history
 * with the Temporal CLI (`temporal workflow show -o json`) under
 * test/replay/histories/<REPLAY_FIXTURE_SET>/. Open histories (a task asleep, an orchestration
 * between checks, a call held on a worker) are saved too: they are what a deploy meets.
 *
 *   REPLAY_FIXTURE_SET=v2 npm run replay:record
 *
 * Never overwrite an existing set: it stands for workflows that may be running in production.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporalBinary } from '../../libs/runtime/temporal-binaries';
import { testDataConverter } from '../support/payload-keys';
import { startTestSystem, type TestSystem } from '../support/test-system';
import { eventually } from '../support/wait';

const FIXTURE_SET = process.env.REPLAY_FIXTURE_SET;
const FINAL = new Set(['completed', 'failed', 'cancelled']);

describe(`record replay fixtures into test/replay/histories/${FIXTURE_SET ?? '<REPLAY_FIXTURE_SET>'}`, () => {
  let system: TestSystem;
  let client: Client;
  let outDir: string;
  const api = () => system.api();

  beforeAll(async () => {
    if (!FIXTURE_SET) throw new Error('set REPLAY_FIXTURE_SET to the name of the new fixture set (e.g. v2)');
    outDir = join(__dirname, 'histories', FIXTURE_SET);
    if (existsSync(outDir)) throw new Error(`${outDir} exists: fixture sets are never overwritten; pick a new name`);
    mkdirSync(outDir, { recursive: true });
    // One wake per second: of several tasks due at one instant, the third and later wake more
    // than 1.5 s ahead and hold their calls on the worker (the held-call path).
    system = await startTestSystem({ DISPATCH_WAKES_PER_SECOND: '1' });
    // The product's codec with the committed test key: the recorded histories are encrypted as
    // production's are, and the replay test decodes them with the same key.
    client = new Client({
      connection: await Connection.connect({ address: system.config.temporal.address }),
      dataConverter: testDataConverter(),
    });
  });
  afterAll(async () => {
    await client?.connection.close();
    await system?.teardown();
  });

  /** Saves the workflow's history as the CLI prints it (the format the SDK's replayer reads). */
  function save(name: string, workflowId: string): void {
    const json = execFileSync(
      temporalBinary('temporal'),
      ['workflow', 'show', '--workflow-id', workflowId, '--address', system.config.temporal.address, '--output', 'json'],
      { encoding: 'utf8' },
    );
    // With its workflow id: code that reads its own id (a flow-controlled call's permits name it) replays only under it.
    writeFileSync(join(outDir, `${name}.json`), JSON.stringify({ workflowId, ...(JSON.parse(json) as object) }, null, 2));
  }

  async function finished(kind: 'tasks' | 'orchestrations', id: string): Promise<string> {
    return eventually(
      async () => {
        const { body } = await api().get(`/${kind}/${id}/status`).expect(200);
        return FINAL.has(body.status) ? (body.status as string) : undefined;
      },
      20_000,
      100,
    );
  }

  async function task(name: string, create: object, expected: string, then?: (id: string) => Promise<void>): Promise<void> {
    const { body } = await api().post('/tasks').send(create).expect(201);
    await then?.(body.id);
    expect(await finished('tasks', body.id)).toBe(expected);
    save(name, body.id);
  }

  async function orchestration(name: string, create: object, expected: string, then?: (id: string) => Promise<void>): Promise<void> {
    const { body } = await api().post('/orchestrations').send(create).expect(201);
    await then?.(body.id);
    expect(await finished('orchestrations', body.id)).toBe(expected);
    save(name, body.id);
  }

  it('records tasks: due now, slept, moved, cancelled, retried, failed, and one still asleep', async () => {
    const url = (path: string) => system.target.url(path);
    system.target.failTimes('/retried', 2, 503);
    system.target.failTimes('/down', Number.MAX_SAFE_INTEGER, 502);
    await task('task-due-now-completed', { url: url('/now') }, 'completed');
    await task('task-slept-completed', { url: url('/slept'), delayMs: 2_500, body: { n: 1 }, name: 'slept' }, 'completed');
    await task('task-moved-then-completed', { url: url('/old'), delayMs: 3_600_000 }, 'completed', async (id) => {
      await api()
        .patch(`/tasks/${id}`)
        .send({ delayMs: 2_500, url: url('/new'), method: 'PUT', retries: 1 })
        .expect(200);
    });
    await task('task-cancelled', { url: url('/never'), delayMs: 3_600_000 }, 'cancelled', async (id) => {
      await api().post(`/tasks/${id}/cancel`).expect(200);
    });
    await task('task-retried-completed', { url: url('/retried'), retries: 3, retryIntervalMs: 200, retryBackoff: 2 }, 'completed');
    await task('task-failed', { url: url('/down'), retries: 1, retryIntervalMs: 100 }, 'failed');

    const { body: asleep } = await api()
      .post('/tasks')
      .send({ url: url('/asleep'), delayMs: 3_600_000 })
      .expect(201);
    await api().patch(`/tasks/${asleep.id}`).send({ delayMs: 1_800_000 }).expect(200);
    save('task-asleep-after-move-open', asleep.id);
    await api().post(`/tasks/${asleep.id}/cancel`).expect(200);
  });

  it('records orchestrations: every branch, a cancel, a move, and one between checks', async () => {
    const url = (path: string) => system.target.url(path);
    system.target.respond('/o/check', (n) => (n % 2 === 0 ? { status: 503 } : { status: 200, body: { ready: true } }));
    system.target.failTimes('/o/never-ready', Number.MAX_SAFE_INTEGER, 409);
    system.target.failTimes('/o/broken', Number.MAX_SAFE_INTEGER, 500);
    const check = { url: url('/o/check'), method: 'GET', delayMs: 200, retries: 2, retryIntervalMs: 100 };

    await orchestration(
      'orchestration-completed-after-rechecks',
      { steps: [{ url: url('/o/a') }, { url: url('/o/b'), method: 'PUT' }], conditionCheck: check, fallback: { url: url('/o/fallback') } },
      'completed',
    );
    await orchestration(
      'orchestration-checks-exhausted-fallback',
      {
        steps: [{ url: url('/o/a') }, { url: url('/o/b') }],
        conditionCheck: { url: url('/o/never-ready'), retries: 1, retryIntervalMs: 100 },
        fallback: { url: url('/o/fallback'), retries: 1 },
      },
      'failed',
    );
    await orchestration(
      'orchestration-step-failed-fallback',
      {
        steps: [{ url: url('/o/broken'), retries: 1, retryIntervalMs: 100 }],
        conditionCheck: check,
        fallback: { url: url('/o/fallback') },
      },
      'failed',
    );
    await orchestration(
      'orchestration-step-failed-no-fallback',
      { steps: [{ url: url('/o/a') }, { url: url('/o/broken') }], conditionCheck: { url: url('/o/a') } },
      'failed',
    );
    await orchestration(
      'orchestration-cancelled',
      { steps: [{ url: url('/o/a') }], conditionCheck: check, initialDelayMs: 3_600_000 },
      'cancelled',
      async (id) => {
        await api().post(`/orchestrations/${id}/cancel`).expect(200);
      },
    );
    await orchestration(
      'orchestration-moved-then-completed',
      { steps: [{ url: url('/o/a') }], conditionCheck: { url: url('/o/a') }, initialDelayMs: 3_600_000 },
      'completed',
      async (id) => {
        await api().patch(`/orchestrations/${id}`).send({ initialDelayMs: 1_500 }).expect(200);
      },
    );

    const { body: waiting } = await api()
      .post('/orchestrations')
      .send({ steps: [{ url: url('/o/a') }], conditionCheck: { url: url('/o/never-ready'), retries: 5, retryIntervalMs: 3_600_000 } })
      .expect(201);
    await system.target.waitForRequests('/o/never-ready', 5, 10_000).catch(() => undefined);
    await eventually(async () => {
      const { body } = await api().get(`/orchestrations/${waiting.id}`).expect(200);
      return body.steps[0].checkAttempts.length >= 1 ? true : undefined;
    });
    save('orchestration-between-checks-open', waiting.id);
    await client.workflow.getHandle(waiting.id).terminate('replay fixture recorded');
  });

  it('records held calls (completed, open, cancelled, moved) and a run started by a schedule', async () => {
    const url = (path: string) => system.target.url(path);
    /** `count` tasks due at one instant `aheadMs` from now; the last wakes earliest and holds its call. */
    const dueTogether = async (path: string, count: number, aheadMs: number): Promise<string[]> => {
      const runAt = new Date(Math.ceil((Date.now() + aheadMs) / 1000) * 1000).toISOString();
      const ids: string[] = [];
      for (let i = 0; i < count; i++)
        ids.push(
          (
            await api()
              .post('/tasks')
              .send({ url: url(path), runAt })
              .expect(201)
          ).body.id,
        );
      return ids;
    };
    const held = (id: string) =>
      eventually(
        async () => {
          const { searchAttributes } = await client.workflow.getHandle(id).describe();
          return (searchAttributes.TaskStatus as string[] | undefined)?.[0] === 'held' ? true : undefined;
        },
        15_000,
        100,
      );
    const heldCallScheduled = (id: string) =>
      expect(JSON.stringify(JSON.parse(readFileSync(join(outDir, `${id}.json`), 'utf8')))).toContain('"name":"heldCall"');

    const completed = await dueTogether('/held', 3, 4_000);
    const heldThenCompleted = completed.at(-1)!;
    await held(heldThenCompleted);
    expect(await finished('tasks', heldThenCompleted)).toBe('completed');
    save('task-held-completed', heldThenCompleted);
    heldCallScheduled('task-held-completed');

    const cancelled = (await dueTogether('/held-never', 5, 8_000)).at(-1)!;
    await held(cancelled);
    save('task-held-open', cancelled);
    heldCallScheduled('task-held-open');
    await api().post(`/tasks/${cancelled}/cancel`).expect(200);
    expect(await finished('tasks', cancelled)).toBe('cancelled');
    save('task-held-cancelled', cancelled);

    // Due well after the cancelled batch, so its wakes find free seconds of their own.
    const moved = (await dueTogether('/held-old', 5, 14_000)).at(-1)!;
    await held(moved);
    await api()
      .patch(`/tasks/${moved}`)
      .send({ delayMs: 2_500, url: url('/held-new') })
      .expect(200);
    expect(await finished('tasks', moved)).toBe('completed');
    expect(system.target.requests('/held-old').filter((r) => r.headers['x-task-id'] === moved)).toEqual([]);
    save('task-held-moved-then-completed', moved);

    const { body: schedule } = await api()
      .post('/schedules')
      .send({ everyMs: 3_600_000, task: { url: url('/scheduled') } })
      .expect(201);
    await api().post(`/schedules/${schedule.id}/trigger`).expect(200);
    const [run] = await system.target.waitForRequests('/scheduled', 1, 10_000);
    const runId = run.headers['x-task-id'] as string;
    expect(await finished('tasks', runId)).toBe('completed');
    save('task-from-schedule-completed', runId);
    await api().delete(`/schedules/${schedule.id}`).expect(200);
  });
  it('records orchestrations of plan model 2: parallel groups (all, any, a failing branch), data between calls, waits (resumed, timed out, open), a plan changed, a retry', async () => {
    const url = (path: string) => system.target.url(path);
    system.target.respond('/v2/quote', () => ({ status: 200, body: { price: 42, sku: 'A-1' } }));
    system.target.respond('/v2/slow', () => ({ status: 200, body: { ok: true }, delayMs: 1_500 }));
    system.target.failTimes('/v2/broken', Number.MAX_SAFE_INTEGER, 500);
    const check = { url: url('/v2/check'), delayMs: 100 };

    await orchestration(
      'orchestration-v2-parallel-all-completed',
      {
        steps: [
          { id: 'quote', url: url('/v2/quote') },
          {
            parallel: [
              [{ id: 'stock', url: url('/v2/stock'), body: { sku: '{{calls.quote.body.sku}}' } }, { url: url('/v2/stock-2') }],
              [{ url: url('/v2/pay'), headers: { 'x-amount': '{{calls.quote.body.price}}' } }],
            ],
            join: 'all',
            maxConcurrency: 2,
          },
          { url: url('/v2/ship'), body: { stock: '{{calls.stock.status}}' } },
        ],
        conditionCheck: check,
        callback: { url: url('/v2/callback') },
        tags: { replay: 'v2' },
      },
      'completed',
    );
    await orchestration(
      'orchestration-v2-parallel-any-completed',
      { steps: [{ parallel: [[{ url: url('/v2/slow') }], [{ url: url('/v2/fast') }]], join: 'any' }], conditionCheck: check },
      'completed',
    );
    await orchestration(
      'orchestration-v2-branch-failed-fallback',
      {
        steps: [{ parallel: [[{ url: url('/v2/broken'), retries: 1, retryIntervalMs: 100 }], [{ url: url('/v2/slow') }]] }],
        conditionCheck: check,
        fallback: { url: url('/v2/fallback') },
      },
      'failed',
    );
    await orchestration(
      'orchestration-v2-wait-resumed',
      {
        steps: [
          { id: 'approval', waitFor: { timeoutMs: 3_600_000 } },
          { url: url('/v2/after'), body: { approved: '{{calls.approval.body.approved}}' } },
        ],
        conditionCheck: check,
      },
      'completed',
      async (id) => {
        await eventually(async () =>
          (await api().get(`/orchestrations/${id}/status`).expect(200)).body.status === 'waiting' ? true : undefined,
        );
        await api().post(`/orchestrations/${id}/resume`).send({ approved: true }).expect(202);
      },
    );
    await orchestration(
      'orchestration-v2-wait-timed-out',
      { steps: [{ waitFor: { timeoutMs: 1_000 } }], conditionCheck: check, fallback: { url: url('/v2/fallback') } },
      'failed',
    );
    await orchestration(
      'orchestration-v2-plan-changed-then-completed',
      { steps: [{ url: url('/v2/old') }], conditionCheck: check, initialDelayMs: 3_600_000 },
      'completed',
      async (id) => {
        await api()
          .patch(`/orchestrations/${id}`)
          .send({
            steps: [{ id: 'a', url: url('/v2/new') }, { parallel: [[{ url: url('/v2/b1') }], [{ url: url('/v2/b2') }]] }],
            initialDelayMs: 1_500,
          })
          .expect(200);
      },
    );
    const { body: failed } = await api()
      .post('/orchestrations')
      .send({ steps: [{ url: url('/v2/first') }, { url: url('/v2/broken') }], conditionCheck: check })
      .expect(201);
    expect(await finished('orchestrations', failed.id)).toBe('failed');
    const { body: retried } = await api().post(`/orchestrations/${failed.id}/retry`).send({ fromStep: 2 }).expect(201);
    expect(await finished('orchestrations', retried.id)).toBe('failed');
    save('orchestration-v2-retry-failed', retried.id);

    const { body: waiting } = await api()
      .post('/orchestrations')
      .send({ steps: [{ url: url('/v2/before') }, { waitFor: { timeoutMs: 3_600_000 } }], conditionCheck: check })
      .expect(201);
    await eventually(async () =>
      (await api().get(`/orchestrations/${waiting.id}/status`).expect(200)).body.status === 'waiting' ? true : undefined,
    );
    save('orchestration-v2-waiting-open', waiting.id);
    await api().post(`/orchestrations/${waiting.id}/cancel`).expect(409);
    await client.workflow.getHandle(waiting.id).terminate('replay fixture recorded');
  });

  it('records calls that fail well: flow control (and its limiter), Retry-After, retryOn transient, a callback, a retry, and a bulk job', async () => {
    const url = (path: string) => system.target.url(path);
    system.target.respond('/w/later', (n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    system.target.failTimes('/w/gone', Number.MAX_SAFE_INTEGER, 404);
    const flowControl = { key: 'replay-partner', ratePerSecond: 2, maxInFlight: 1 };
    const paced = await Promise.all(
      [1, 2, 3].map(
        async (i) =>
          (
            await api()
              .post('/tasks')
              .send({ url: url(`/w/paced/${i}`), flowControl })
              .expect(201)
          ).body.id as string,
      ),
    );
    for (const id of paced) expect(await finished('tasks', id)).toBe('completed');
    save('task-flow-controlled-completed', paced[2]);
    const limiters = client.workflow.list({ query: "WorkflowType = 'flowLimiterWorkflow'" });
    for await (const limiter of limiters) {
      save('flow-limiter-open', limiter.workflowId);
      break;
    }
    await task(
      'task-retry-after-completed',
      { url: url('/w/later'), retries: 2, retryIntervalMs: 100, tags: { replay: 'v3' } },
      'completed',
    );
    await task('task-transient-only-failed', { url: url('/w/gone'), retries: 3, retryOn: 'transient' }, 'failed');
    await task(
      'task-callback-completed',
      { url: url('/w/done'), callback: { url: url('/w/callback'), on: ['completed', 'failed'] } },
      'completed',
    );
    const { body: source } = await api()
      .post('/tasks')
      .send({ url: url('/w/gone'), retries: 0 })
      .expect(201);
    expect(await finished('tasks', source.id)).toBe('failed');
    const { body: retry } = await api().post(`/tasks/${source.id}/retry`).send({}).expect(201);
    expect(await finished('tasks', retry.id)).toBe('failed');
    save('task-retry-of-failed', retry.id);

    const doomed = await Promise.all(
      [1, 2].map(
        async () =>
          (
            await api()
              .post('/tasks')
              .send({ url: url('/w/never'), delayMs: 3_600_000, tags: { replay: 'bulk' } })
              .expect(201)
          ).body.id as string,
      ),
    );
    await eventually(async () =>
      (await api().get('/tasks/counts').query({ tag: 'replay:bulk' }).expect(200)).body.scheduled === 2 ? true : undefined,
    );
    const { body: job } = await api()
      .post('/tasks/bulk')
      .send({ action: 'cancel', filter: { tag: ['replay:bulk'] } })
      .expect(202);
    await eventually(async () => ((await api().get(`/bulk/${job.id}`).expect(200)).body.status === 'completed' ? true : undefined), 20_000);
    expect(await Promise.all(doomed.map((id) => finished('tasks', id)))).toEqual(['cancelled', 'cancelled']);
    save('bulk-job-cancel-completed', job.id);
  });
});
