import { setTimeout as sleep } from 'node:timers/promises';
import { testSystemPerFile } from '../support/test-system';
import { eventually } from '../support/wait';

interface AttemptBody {
  number: number;
  statusCode: number | null;
}

describe('/orchestrations (e2e, dev server, loopback target)', () => {
  const system = testSystemPerFile();
  const api = () => system.api();

  async function statusOf(id: string): Promise<string> {
    return (await api().get(`/orchestrations/${id}/status`).expect(200)).body.status;
  }

  it('runs three steps, each checked after delayMs and re-checked after retryIntervalMs, with the asked spacing', async () => {
    const delayMs = 300;
    const retryIntervalMs = 200;
    // Per step: the first check fails, the second passes.
    system.target.respond('/run/check', (n) =>
      n % 2 === 0 ? { status: 503, body: { ready: false } } : { status: 200, body: { ready: true } },
    );
    const created = await api()
      .post('/orchestrations')
      .send({
        name: 'three steps',
        steps: [
          { url: system.target.url('/run/a'), body: { n: 1 } },
          { url: system.target.url('/run/b') },
          { url: system.target.url('/run/c'), method: 'put' },
        ],
        conditionCheck: { url: system.target.url('/run/check'), method: 'GET', delayMs, retries: 2, retryIntervalMs },
        fallback: { url: system.target.url('/run/fallback') },
        initialDelayMs: 300,
      })
      .expect(201);
    expect(created.body).toMatchObject({
      name: 'three steps',
      status: 'scheduled',
      stepCount: 3,
      currentStep: null,
      startedAt: null,
      conditionCheck: { url: system.target.url('/run/check'), method: 'GET', delayMs, retries: 2, retryIntervalMs },
      fallback: { url: system.target.url('/run/fallback'), method: 'POST', status: 'not_run', attempts: [], result: null },
      failure: null,
    });
    expect(created.body.id).toMatch(/^orch-[0-9a-f-]{36}$/);
    expect(created.body.steps.map((s: { number: number; method: string; status: string }) => [s.number, s.method, s.status])).toEqual([
      [1, 'POST', 'pending'],
      [2, 'POST', 'pending'],
      [3, 'PUT', 'pending'],
    ]);
    const dueAt = Date.parse(created.body.runAt);
    expect(dueAt - Date.parse(created.body.createdAt)).toBe(300);

    await system.target.waitForRequests('/run/check', 6, 10_000);
    const done = await eventually(async () => {
      const res = await api().get(`/orchestrations/${created.body.id}`).expect(200);
      return res.body.status === 'completed' ? res.body : undefined;
    });

    expect(system.target.calledPaths('/run/')).toEqual(['a', 'check', 'check', 'b', 'check', 'check', 'c', 'check', 'check']);
    const arrivals = system.target.requestsUnder('/run/');
    const firstLatenessMs = arrivals[0].arrivedAt - dueAt;
    expect(firstLatenessMs).toBeGreaterThanOrEqual(0);
    expect(firstLatenessMs).toBeLessThan(1000);
    // Per step: [step -> first check, first check -> second check].
    const gaps = [0, 3, 6].map((i) => [
      arrivals[i + 1].arrivedAt - arrivals[i].arrivedAt,
      arrivals[i + 2].arrivedAt - arrivals[i + 1].arrivedAt,
    ]);
    const errors = gaps.map(([toCheck, between]) => [toCheck - delayMs, between - retryIntervalMs]);
    console.log(
      `orchestration spacing: first step ${firstLatenessMs} ms late; gaps ${JSON.stringify(gaps)} ms (asked [${delayMs}, ${retryIntervalMs}]); ` +
        `spacing error ${JSON.stringify(errors)} ms`,
    );
    for (const [toCheck, between] of gaps) {
      expect(toCheck).toBeGreaterThanOrEqual(delayMs);
      expect(toCheck).toBeLessThan(delayMs + 300);
      expect(between).toBeGreaterThanOrEqual(retryIntervalMs);
      expect(between).toBeLessThan(retryIntervalMs + 300);
    }
    expect(arrivals[0].body).toBe('{"n":1}');
    expect(arrivals[6].method).toBe('PUT');
    expect(arrivals.map((r) => r.headers['idempotency-key'])).toEqual(
      [
        'step-1',
        'step-1:check-1',
        'step-1:check-2',
        'step-2',
        'step-2:check-1',
        'step-2:check-2',
        'step-3',
        'step-3:check-1',
        'step-3:check-2',
      ].map((key) => `${created.body.id}:${key}`),
    );

    expect(done).toMatchObject({ status: 'completed', currentStep: 3, failure: null, fallback: { status: 'not_run', attempts: [] } });
    // startedAt is the due time, or later when the timer fired late (never earlier).
    expect(Date.parse(done.startedAt) - dueAt).toBeGreaterThanOrEqual(0);
    expect(Date.parse(done.startedAt) - dueAt).toBeLessThan(1000);
    for (const step of done.steps) {
      expect(step.status).toBe('passed');
      expect(step.attempts.map((a: AttemptBody) => [a.number, a.statusCode])).toEqual([[1, 200]]);
      expect(step.result).toEqual({ statusCode: 200, body: { ok: true }, bodyTruncated: false });
      expect(step.checkAttempts.map((a: AttemptBody) => [a.number, a.statusCode])).toEqual([
        [1, 503],
        [2, 200],
      ]);
      expect(step.checkResult).toEqual({ statusCode: 200, body: { ready: true }, bodyTruncated: false });
    }
    expect(system.target.calledPaths('/run/fallback')).toEqual([]);
    expect(await statusOf(created.body.id)).toBe('completed');
  });

  it('runs the fallback and ends failed when the checks are exhausted', async () => {
    system.target.failTimes('/exhausted/check', Number.MAX_SAFE_INTEGER, 409);
    const { body: orch } = await api()
      .post('/orchestrations')
      .send({
        steps: [{ url: system.target.url('/exhausted/a') }, { url: system.target.url('/exhausted/b') }],
        conditionCheck: { url: system.target.url('/exhausted/check'), retries: 1, retryIntervalMs: 100 },
        fallback: { url: system.target.url('/exhausted/fallback') },
      })
      .expect(201);
    const failed = await eventually(async () => {
      const res = await api().get(`/orchestrations/${orch.id}`).expect(200);
      return res.body.status === 'failed' ? res.body : undefined;
    });
    expect(system.target.calledPaths('/exhausted/')).toEqual(['a', 'check', 'check', 'fallback']);
    expect(failed.failure).toEqual({
      reason: 'checks_exhausted',
      step: 1,
      message: 'condition check after step 1 did not pass in 2 tries: HTTP 409',
    });
    expect(failed.steps.map((s: { status: string }) => s.status)).toEqual(['failed', 'skipped']);
    expect(failed.fallback).toMatchObject({ status: 'completed', result: { statusCode: 200, body: { ok: true }, bodyTruncated: false } });
    expect(failed.fallback.attempts.map((a: AttemptBody) => [a.number, a.statusCode])).toEqual([[1, 200]]);
  });

  it('lists a scheduled orchestration, and cancels it before its start so that nothing is ever called', async () => {
    const { body: orch } = await api()
      .post('/orchestrations')
      .send({
        name: 'cancel me',
        steps: [{ url: system.target.url('/cancel/a') }],
        conditionCheck: { url: system.target.url('/cancel/check') },
        fallback: { url: system.target.url('/cancel/fallback') },
        initialDelayMs: 2_000,
      })
      .expect(201);
    const listed = await eventually(async () => {
      const res = await api().get('/orchestrations').query({ status: 'scheduled' }).expect(200);
      return res.body.items.find((o: { id: string }) => o.id === orch.id);
    });
    expect(listed).toEqual({
      id: orch.id,
      name: 'cancel me',
      owner: system.owner,
      status: 'scheduled',
      stepCount: 1,
      runAt: orch.runAt,
      // The list and the resource agree, to the millisecond.
      createdAt: orch.createdAt,
      tags: {},
      finishedAt: null,
    });

    const cancelled = await api().post(`/orchestrations/${orch.id}/cancel`).expect(200);
    expect(cancelled.body).toEqual({ id: orch.id, cancelled: true, status: 'cancelled' });
    expect(await statusOf(orch.id)).toBe('cancelled');
    const again = await api().post(`/orchestrations/${orch.id}/cancel`).expect(409);
    expect(again.body.message).toBe('orchestration is cancelled; only a scheduled orchestration can be changed or cancelled');

    await sleep(2_300);
    expect(system.target.calledPaths('/cancel/')).toEqual([]);
    const { body: detail } = await api().get(`/orchestrations/${orch.id}`).expect(200);
    expect(detail).toMatchObject({
      status: 'cancelled',
      currentStep: null,
      startedAt: null,
      failure: null,
      fallback: { status: 'not_run' },
    });
    expect(detail.steps.map((s: { status: string }) => s.status)).toEqual(['skipped']);
    await eventually(async () => {
      const res = await api().get('/orchestrations').query({ status: 'cancelled' }).expect(200);
      return res.body.items.some((o: { id: string }) => o.id === orch.id) ? true : undefined;
    });
  });

  it('moves the start with PATCH, then answers 409 to PATCH and cancel once it has started', async () => {
    system.target.respond('/moved/a', () => ({ status: 200, body: { ok: true }, delayMs: 400 }));
    const { body: orch } = await api()
      .post('/orchestrations')
      .send({
        steps: [{ url: system.target.url('/moved/a') }],
        conditionCheck: { url: system.target.url('/moved/check') },
        initialDelayMs: 3_600_000,
      })
      .expect(201);
    const patched = await api().patch(`/orchestrations/${orch.id}`).send({ initialDelayMs: 1_500 }).expect(200);
    expect(patched.body).toMatchObject({ id: orch.id, status: 'scheduled', currentStep: null });
    const newDue = Date.parse(patched.body.runAt);
    expect(newDue).toBeLessThan(Date.parse(orch.runAt));
    expect(newDue - Date.now()).toBeLessThanOrEqual(1_500);

    const [arrival] = await system.target.waitForRequests('/moved/a', 1, 5_000);
    console.log(`orchestration start after PATCH: ${arrival.arrivedAt - newDue} ms late`);
    expect(arrival.arrivedAt - newDue).toBeGreaterThanOrEqual(0);
    expect(arrival.arrivedAt - newDue).toBeLessThan(1000);

    const conflict = 'orchestration is running; only a scheduled orchestration can be changed or cancelled';
    const late = await api().patch(`/orchestrations/${orch.id}`).send({ initialDelayMs: 1000 }).expect(409);
    expect(late.body).toEqual({ statusCode: 409, error: 'Conflict', message: conflict });
    expect((await api().post(`/orchestrations/${orch.id}/cancel`).expect(409)).body.message).toBe(conflict);

    await eventually(async () => ((await statusOf(orch.id)) === 'completed' ? true : undefined));
    expect(system.target.calledPaths('/moved/')).toEqual(['a', 'check']);
    const done = await api().patch(`/orchestrations/${orch.id}`).send({ runAt: '2030-01-01T00:00:00Z' }).expect(409);
    expect(done.body.message).toBe('orchestration is completed; only a scheduled orchestration can be changed or cancelled');
  });

  describe('bad input', () => {
    async function countOrchestrations(): Promise<number> {
      return (await api().get('/orchestrations').query({ limit: 100 }).expect(200)).body.items.length;
    }

    it('answers 400 naming every bad field, nested ones by path, and creates nothing', async () => {
      const before = await countOrchestrations();
      const empty = await api().post('/orchestrations').send({ steps: [] }).expect(400);
      expect(empty.body.errors).toEqual([
        { field: 'steps', messages: ['steps must contain at least 1 step'] },
        { field: 'conditionCheck', messages: ['conditionCheck must be an object: the HTTP call that confirms each step'] },
      ]);

      const nested = await api()
        .post('/orchestrations')
        .send({
          steps: [{ url: system.target.url('/ok') }, { url: 'ftp://example.com', retries: -1 }],
          conditionCheck: { url: system.target.url('/check'), delayMs: 1.5, retryBackoff: 2 },
          fallback: { url: 'not a url' },
          runAt: '2030-01-01T00:00:00Z',
          initialDelayMs: 10,
          surprise: true,
        })
        .expect(400);
      expect(nested.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
        [
          'conditionCheck.delayMs',
          'conditionCheck.retryBackoff',
          'fallback.url',
          'runAt',
          'steps[1].retries',
          'steps[1].url',
          'surprise',
        ].sort(),
      );
      expect(nested.body.errors).toContainEqual({ field: 'steps[1].url', messages: ['url must be an http or https URL'] });
      expect(nested.body.errors).toContainEqual({ field: 'runAt', messages: ['runAt and initialDelayMs cannot be given together'] });

      const tooMany = await api()
        .post('/orchestrations')
        .send({
          steps: Array.from({ length: 21 }, () => ({ url: system.target.url('/ok') })),
          conditionCheck: { url: system.target.url('/check') },
        })
        .expect(400);
      expect(tooMany.body.errors).toEqual([{ field: 'steps', messages: ['steps must contain at most 20 steps'] }]);

      await sleep(300);
      expect(await countOrchestrations()).toBe(before);
      expect(system.target.calledPaths('/ok')).toEqual([]);
    });

    it('answers 400 to a PATCH with nothing to change, or with a plan that would not be valid at create', async () => {
      const { body: orch } = await api()
        .post('/orchestrations')
        .send({
          steps: [{ url: system.target.url('/x') }],
          conditionCheck: { url: system.target.url('/x-check') },
          initialDelayMs: 3_600_000,
        })
        .expect(201);
      const nothing = await api().patch(`/orchestrations/${orch.id}`).send({}).expect(400);
      expect(nothing.body.message).toBe(
        'nothing to change: give runAt or initialDelayMs, name, steps, conditionCheck, fallback, tags or callback',
      );
      const other = await api().patch(`/orchestrations/${orch.id}`).send({ steps: [] }).expect(400);
      expect(other.body.errors).toEqual([{ field: 'steps', messages: ['steps must contain at least 1 step'] }]);
      await api().post(`/orchestrations/${orch.id}/cancel`).expect(200);
    });
  });

  it('answers 404 for unknown ids, and for a task id, on every endpoint', async () => {
    const { body: task } = await api()
      .post('/tasks')
      .send({ url: system.target.url('/task'), delayMs: 3_600_000 })
      .expect(201);
    for (const id of ['orch-00000000-0000-0000-0000-000000000000', task.id]) {
      for (const call of [
        api().get(`/orchestrations/${id}`),
        api().get(`/orchestrations/${id}/status`),
        api().patch(`/orchestrations/${id}`).send({ initialDelayMs: 5 }),
        api().post(`/orchestrations/${id}/cancel`),
      ]) {
        const res = await call.expect(404);
        expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: `orchestration ${id} not found` });
      }
    }
    await api().post(`/tasks/${task.id}/cancel`).expect(200);
  });

  it('documents the orchestration endpoints in the OpenAPI document', async () => {
    const doc = await api().get('/docs-json').expect(200);
    expect(
      Object.keys(doc.body.paths)
        .filter((p) => p.startsWith('/orchestrations'))
        .sort(),
    ).toEqual([
      '/orchestrations',
      '/orchestrations/bulk',
      '/orchestrations/counts',
      '/orchestrations/{id}',
      '/orchestrations/{id}/cancel',
      '/orchestrations/{id}/resume',
      '/orchestrations/{id}/resume/{token}',
      '/orchestrations/{id}/retry',
      '/orchestrations/{id}/status',
    ]);
    const create = doc.body.components.schemas.CreateOrchestrationDto;
    expect(create.required.sort()).toEqual(['conditionCheck', 'steps']);
    expect(create.additionalProperties).toBe(false);
    expect(create.oneOf.map((branch: { title: string }) => branch.title)).toEqual(['at runAt', 'after initialDelayMs', 'now']);
    expect(create.properties.steps).toMatchObject({
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: {
        oneOf: [
          { $ref: '#/components/schemas/OrchestrationCallDto', title: 'call' },
          { $ref: '#/components/schemas/ParallelStepDto', title: 'parallel group' },
          { $ref: '#/components/schemas/WaitStepDto', title: 'wait' },
        ],
      },
    });
    expect(doc.body.components.schemas.ConditionCheckDto.properties.delayMs).toMatchObject({ default: 0, example: 5000 });
    expect(doc.body.components.schemas.OrchestrationResponseDto.properties.steps.items).toEqual({
      $ref: '#/components/schemas/OrchestrationStepDto',
    });
  });
});
