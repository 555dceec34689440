import request from 'supertest';
import { testSystemPerFile } from '../support/test-system';
import { eventually } from '../support/wait';

interface StepBody {
  number: number;
  kind: string;
  status: string;
  branches?: Array<{ status: string; calls: Array<{ status: string }> }>;
  result: { statusCode: number; body: unknown } | null;
}

describe('/orchestrations: parallel groups, data between calls, waits, changes before start (e2e, dev server)', () => {
  const system = testSystemPerFile();
  const api = () => system.api();

  async function finished(id: string): Promise<Record<string, unknown>> {
    await eventually(async () => {
      const { status } = (await api().get(`/orchestrations/${id}/status`).expect(200)).body as { status: string };
      return ['completed', 'failed', 'cancelled'].includes(status) ? status : undefined;
    }, 20_000);
    return (await api().get(`/orchestrations/${id}`).expect(200)).body as Record<string, unknown>;
  }

  it('runs the branches of a parallel group at the same time, passes data from one call to the next, and checks the group once', async () => {
    const url = (path: string) => system.target.url(`/par${path}`);
    system.target.respond('/par/quote', () => ({ status: 200, body: { price: 12.5, currency: 'EUR', lines: [{ sku: 'A-1' }] } }));
    const { body: created } = await api()
      .post('/orchestrations')
      .send({
        name: 'order 7',
        steps: [
          { id: 'quote', url: url('/quote') },
          {
            parallel: [
              [{ id: 'stock', url: url('/stock'), body: { sku: '{{calls.quote.body.lines.0.sku}}' } }],
              [{ url: url('/pay'), headers: { 'x-amount': '{{calls.quote.body.price}}' }, body: { amount: '{{calls.quote.body.price}}' } }],
              [{ url: url('/mail?currency={{calls.quote.body.currency}}') }],
            ],
          },
          { url: url('/ship'), body: { quoteStatus: '{{calls.quote.status}}', stock: '{{calls.stock.body.ok}}' } },
        ],
        conditionCheck: { url: url('/check'), method: 'GET' },
        initialDelayMs: 1_500,
      })
      .expect(201);
    expect(created.steps.map((s: StepBody) => [s.kind, s.status])).toEqual([
      ['call', 'pending'],
      ['parallel', 'pending'],
      ['call', 'pending'],
    ]);

    const done = await finished(created.id);
    expect(done.status).toBe('completed');
    const steps = done.steps as StepBody[];
    expect(steps.map((s) => s.status)).toEqual(['passed', 'passed', 'passed']);
    expect(steps[1].branches!.map((b) => [b.status, ...b.calls.map((c) => c.status)])).toEqual([
      ['completed', 'completed'],
      ['completed', 'completed'],
      ['completed', 'completed'],
    ]);
    expect(system.target.calledPaths('/par/').filter((p) => p === 'check')).toHaveLength(3);

    const first = (path: string) => system.target.requests(`/par${path}`)[0];
    expect(JSON.parse(first('/stock').body)).toEqual({ sku: 'A-1' });
    expect(JSON.parse(first('/pay').body)).toEqual({ amount: 12.5 });
    expect(first('/pay').headers['x-amount']).toBe('12.5');
    expect(first('/mail').headers['idempotency-key']).toBe(`${created.id}:step-2:branch-3:call-1`);
    expect(JSON.parse(first('/ship').body)).toEqual({ quoteStatus: 200, stock: true });
    const arrivals = ['/stock', '/pay', '/mail'].map((p) => first(p).arrivedAt);
    const spreadMs = Math.max(...arrivals) - Math.min(...arrivals);
    console.log(`parallel group: first calls of 3 branches arrived within ${spreadMs} ms`);
    expect(spreadMs).toBeLessThan(100);
  });

  it('shows every call as it was given: target, headers, body, time limit, flow control and retries, in steps, branches, the check and the fallback', async () => {
    const url = (path: string) => system.target.url(`/shown${path}`);
    const retried = { retries: 2, retryIntervalMs: 750, retryBackoff: 2, retryOn: 'transient' };
    const { body: created } = await api()
      .post('/orchestrations')
      .send({
        steps: [
          {
            id: 'quote',
            url: url('/quote'),
            method: 'PUT',
            headers: { 'x-api-key': 'k-1' },
            body: { orderId: 7 },
            timeoutMs: 4_000,
            flowControl: { key: 'partner', maxInFlight: 2 },
            ...retried,
          },
          { parallel: [[{ url: url('/a'), body: ['x'] }], [{ url: url('/b'), retries: 0 }]], join: 'any' },
        ],
        conditionCheck: { url: url('/check'), method: 'GET', headers: { accept: 'application/json' }, timeoutMs: 2_000 },
        fallback: { url: url('/undo'), body: { undo: '{{calls.quote.body.id}}' }, retries: 1 },
        initialDelayMs: 3_600_000,
      })
      .expect(201);
    const shown = (await api().get(`/orchestrations/${created.id}`).expect(200)).body;
    const defaults = {
      method: 'POST',
      headers: {},
      timeoutMs: 10_000,
      retries: 0,
      retryIntervalMs: 1_000,
      retryBackoff: 1,
      retryOn: 'any',
    };
    const call = (fields: Record<string, unknown>) => ({ ...defaults, ...fields });
    // What was given (and the defaults filled in), without how it went (status, attempts, result).
    const given = (view: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(view).filter(
          ([field]) => !['number', 'status', 'attempts', 'result', 'checkAttempts', 'checkResult'].includes(field),
        ),
      );
    expect(given(shown.steps[0])).toEqual({
      kind: 'call',
      id: 'quote',
      url: url('/quote'),
      method: 'PUT',
      headers: { 'x-api-key': 'k-1' },
      body: { orderId: 7 },
      timeoutMs: 4_000,
      flowControl: { key: 'partner', maxInFlight: 2 },
      ...retried,
    });
    const branches = (shown.steps[1] as { branches: Array<{ calls: Array<Record<string, unknown>> }> }).branches;
    expect(branches.map(({ calls }) => calls.map(given))).toEqual([
      [call({ url: url('/a'), body: ['x'] })],
      [call({ url: url('/b'), retries: 0 })],
    ]);
    expect(shown.conditionCheck).toEqual({
      url: url('/check'),
      method: 'GET',
      headers: { accept: 'application/json' },
      timeoutMs: 2_000,
      delayMs: 0,
      retries: 0,
      retryIntervalMs: 1_000,
    });
    expect(given(shown.fallback)).toEqual(call({ url: url('/undo'), body: { undo: '{{calls.quote.body.id}}' }, retries: 1 }));
    await api().post(`/orchestrations/${created.id}/cancel`).expect(200);
  });

  it('waits for the outside world: status waiting with a resume URL that works once, without a bearer token', async () => {
    const url = (path: string) => system.target.url(`/wait${path}`);
    const { body: created } = await api()
      .post('/orchestrations')
      .send({
        steps: [
          { url: url('/before') },
          { id: 'approval', waitFor: { timeoutMs: 3_600_000 } },
          { url: url('/after'), body: { approved: '{{calls.approval.body.approved}}' } },
        ],
        conditionCheck: { url: url('/check'), method: 'GET' },
      })
      .expect(201);
    const waiting = await eventually(async () => {
      const { body } = await api().get(`/orchestrations/${created.id}`).expect(200);
      return body.status === 'waiting' ? body : undefined;
    });
    expect(waiting.waiting).toEqual({
      step: 2,
      resumeUrl: expect.stringMatching(/\/orchestrations\/orch-[^/]+\/resume\/[A-Za-z0-9_-]{40}$/),
      expiresAt: expect.any(String),
    });
    expect(Date.parse(waiting.waiting.expiresAt) - Date.parse(waiting.steps[1].waitingSince)).toBe(3_600_000);
    expect((await api().get('/orchestrations/counts').expect(200)).body.waiting).toBeGreaterThanOrEqual(1);
    const listed = await api().get('/orchestrations').query({ status: 'waiting' }).expect(200);
    expect(listed.body.items.map((o: { id: string }) => o.id)).toContain(created.id);

    const resumePath = new URL(waiting.waiting.resumeUrl).pathname;
    const anonymous = request(system.baseUrl);
    const madeUp = resumePath.replace(/[^/]+$/, 'A'.repeat(40));
    expect((await anonymous.post(madeUp).send({ approved: true }).expect(404)).body.message).toMatch(/not found/);
    // JSON that is neither an object nor an array is a 400, as the document says; the wait goes on.
    for (const json of ['null', '"yes"', '42']) {
      const refused = await anonymous.post(resumePath).set('content-type', 'application/json').send(json).expect(400);
      expect(refused.body.message).toMatch(/^malformed JSON body/);
    }
    const accepted = await anonymous.post(resumePath).send({ approved: true }).expect(202);
    expect(accepted.body).toEqual({ id: created.id, resumed: true, step: 2 });
    const again = await anonymous.post(resumePath).send({ approved: false }).expect(409);
    expect(again.body.message).toMatch(/only a waiting orchestration|resumed already/);

    const done = await finished(created.id);
    expect(done.status).toBe('completed');
    expect(system.target.calledPaths('/wait/')).toEqual(['before', 'check', 'after', 'check']);
    expect(JSON.parse(system.target.requests('/wait/after')[0].body)).toEqual({ approved: true });
    expect((done.steps as StepBody[])[1]).toMatchObject({
      kind: 'wait',
      status: 'passed',
      result: { statusCode: 200, body: { approved: true } },
    });
    expect(done.waiting).toBeNull();
  });

  it('lets its owner resume it with a bearer token, and no one else', async () => {
    const { body: created } = await api()
      .post('/orchestrations')
      .send({ steps: [{ waitFor: { timeoutMs: 60_000 } }], conditionCheck: { url: system.target.url('/owner/check') } })
      .expect(201);
    await eventually(async () =>
      (await api().get(`/orchestrations/${created.id}/status`).expect(200)).body.status === 'waiting' ? true : undefined,
    );
    const bob = await system.as('bob-resume');
    await bob.post(`/orchestrations/${created.id}/resume`).send({ approved: true }).expect(404);
    await request(system.baseUrl).post(`/orchestrations/${created.id}/resume`).send({}).expect(401);
    await api().post(`/orchestrations/${created.id}/resume`).send({ approved: false }).expect(202);
    const done = await finished(created.id);
    expect((done.steps as StepBody[])[0].result?.body).toEqual({ approved: false });
  });

  it('runs the fallback when a wait times out, and fails saying so', async () => {
    const { body: created } = await api()
      .post('/orchestrations')
      .send({
        steps: [{ waitFor: { timeoutMs: 1_000 } }],
        conditionCheck: { url: system.target.url('/late/check') },
        fallback: { url: system.target.url('/late/fallback') },
      })
      .expect(201);
    const done = await finished(created.id);
    expect(done).toMatchObject({
      status: 'failed',
      failure: { reason: 'wait_timed_out', step: 1, message: 'step 1 waited 1000 ms and was not resumed' },
      fallback: { status: 'completed' },
    });
    expect(system.target.calledPaths('/late/')).toEqual(['fallback']);
  });

  it('replaces its plan with PATCH while scheduled, validated as at create, and 409 once it has started', async () => {
    const url = (path: string) => system.target.url(`/patch${path}`);
    const { body: created } = await api()
      .post('/orchestrations')
      .send({ name: 'before', steps: [{ url: url('/old') }], conditionCheck: { url: url('/old-check') }, initialDelayMs: 3_600_000 })
      .expect(201);
    const refused = await api()
      .patch(`/orchestrations/${created.id}`)
      .send({
        steps: [
          { url: url('/a'), body: { x: '{{calls.b.status}}' } },
          { id: 'b', url: url('/b') },
        ],
      })
      .expect(400);
    expect(refused.body.errors).toEqual([{ field: 'steps[0].body.x', messages: ['{{calls.b.status}} refers to a later call (steps[1])'] }]);

    const { body: patched } = await api()
      .patch(`/orchestrations/${created.id}`)
      .send({
        name: 'after',
        steps: [
          { id: 'a', url: url('/a') },
          { parallel: [[{ url: url('/b1') }], [{ url: url('/b2') }]], join: 'any' },
        ],
        conditionCheck: { url: url('/check'), method: 'GET' },
        fallback: { url: url('/fallback') },
        initialDelayMs: 1_600,
      })
      .expect(200);
    expect(patched).toMatchObject({
      name: 'after',
      status: 'scheduled',
      stepCount: 2,
      fallback: { url: url('/fallback'), status: 'not_run' },
    });
    expect(patched.steps.map((s: StepBody) => s.kind)).toEqual(['call', 'parallel']);
    const listed = await api().get('/orchestrations').query({ status: 'scheduled' }).expect(200);
    expect(listed.body.items.find((o: { id: string }) => o.id === created.id)).toMatchObject({ name: 'after', stepCount: 2 });

    await system.target.waitForRequests('/patch/a', 1, 10_000);
    await api().patch(`/orchestrations/${created.id}`).send({ name: 'too late' }).expect(409);
    const done = await finished(created.id);
    expect(done.status).toBe('completed');
    expect(system.target.calledPaths('/patch/')).not.toContain('old');
  });

  describe('bad input: 400 naming the field, and nothing created', () => {
    async function refused(body: Record<string, unknown>): Promise<Array<{ field: string; messages: string[] }>> {
      const before = (await api().get('/orchestrations/counts').expect(200)).body.all as number;
      const { body: answer } = await api()
        .post('/orchestrations')
        .send({ conditionCheck: { url: system.target.url('/bad/check') }, ...body })
        .expect(400);
      expect((await api().get('/orchestrations/counts').expect(200)).body.all).toBe(before);
      return answer.errors;
    }
    const call = (id?: string, extra: object = {}) => ({ ...(id ? { id } : {}), url: system.target.url('/bad/x'), ...extra });

    it('a group with no branches, or an empty branch', async () => {
      expect(await refused({ steps: [{ parallel: [] }] })).toEqual([
        { field: 'steps[0].parallel', messages: ['parallel must have at least 1 branch'] },
      ]);
      expect(await refused({ steps: [{ parallel: [[call()], []] }] })).toEqual([
        { field: 'steps[0].parallel', messages: ['parallel[1] must be an array of at least 1 call (a branch)'] },
      ]);
    });

    it('more than 20 steps, or more than 100 calls in all', async () => {
      expect((await refused({ steps: Array.from({ length: 21 }, () => call()) }))[0].field).toBe('steps');
      const wide = { parallel: Array.from({ length: 20 }, () => [call(), call()]) };
      expect(await refused({ steps: [wide, wide, wide] })).toEqual([
        { field: 'steps', messages: ['the orchestration makes 121 calls (steps, branches, check and fallback); at most 100'] },
      ]);
    });

    it('duplicate or malformed ids, and references to unknown, later or parallel calls', async () => {
      expect(await refused({ steps: [call('a'), call('a')] })).toEqual([
        { field: 'steps[1].id', messages: ['id a is used twice (also at steps[0].id): ids are unique in an orchestration'] },
      ]);
      expect(await refused({ steps: [call('Bad-Id')] })).toEqual([
        { field: 'steps[0].id', messages: ['id must be a lower-case letter followed by up to 39 lower-case letters, digits or _'] },
      ]);
      expect(
        await refused({
          steps: [
            call('a', { headers: { 'x-y': '{{calls.nobody.status}}' } }),
            { parallel: [[call('p1')], [call('p2', { body: '{{calls.p1.body}}' })]] },
            call('c', { body: { v: '{{calls.later.body.v}}', w: '{{calls.a.body' } }),
            call('later'),
          ],
        }),
      ).toEqual([
        { field: 'steps[0].headers.x-y', messages: ['{{calls.nobody.status}} refers to no call of this orchestration (no id nobody)'] },
        {
          field: 'steps[1].parallel[1][0].body',
          messages: ['{{calls.p1.body}} refers to a call of another branch of the same parallel group, which runs at the same time'],
        },
        { field: 'steps[2].body.v', messages: ['{{calls.later.body.v}} refers to a later call (steps[3])'] },
        { field: 'steps[2].body.w', messages: ['holds a malformed reference: write {{calls.<id>.status}} or {{calls.<id>.body.<path>}}'] },
      ]);
    });

    it('a wait out of range', async () => {
      expect(await refused({ steps: [{ waitFor: { timeoutMs: 999 } }] })).toEqual([
        { field: 'steps[0].waitFor.timeoutMs', messages: ['timeoutMs must not be less than 1000'] },
      ]);
      expect(await refused({ steps: [{ waitFor: { timeoutMs: 30 * 24 * 3_600_000 + 1 } }] })).toEqual([
        { field: 'steps[0].waitFor.timeoutMs', messages: ['timeoutMs must not be greater than 2592000000'] },
      ]);
    });
  });
});
