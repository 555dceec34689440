import { setTimeout as sleep } from 'node:timers/promises';
import { decodeWebhookSecret, ownerSigningKey, verifyWebhook } from '../../activities';
import { CHANGE_CUTOFF_MS } from '../../common';
import { testSystemPerFile } from '../support/test-system';
import { eventually } from '../support/wait';
import { TEST_WEBHOOK_SECRET } from '../support/webhook-secret';

describe('/tasks (e2e, dev server, loopback target)', () => {
  const system = testSystemPerFile();
  const api = () => system.api();

  async function statusOf(id: string): Promise<string> {
    return (await api().get(`/tasks/${id}/status`).expect(200)).body.status;
  }

  it('calls a task with delayMs 2000 once, within 1 s of its due time, signed and keyed', async () => {
    const created = await api()
      .post('/tasks')
      .send({ url: system.target.url('/report'), delayMs: 2000, body: { reportId: 42 }, headers: { 'x-api-key': 'k-1' }, name: 'report' })
      .expect(201);
    const dueAt = Date.parse(created.body.runAt);
    expect(created.body).toMatchObject({
      status: 'scheduled',
      method: 'POST',
      name: 'report',
      retries: 0,
      retryIntervalMs: 1000,
      attempts: [],
    });
    expect(dueAt - Date.parse(created.body.createdAt)).toBe(2000);

    const [arrival] = await system.target.waitForRequests('/report', 1, 10_000);
    const latenessMs = arrival.arrivedAt - dueAt;
    console.log(`task lateness: ${latenessMs} ms`);
    expect(latenessMs).toBeGreaterThanOrEqual(0);
    expect(latenessMs).toBeLessThan(1000);
    expect(arrival.body).toBe('{"reportId":42}');
    expect(arrival.headers).toMatchObject({
      'idempotency-key': created.body.id,
      'x-task-id': created.body.id,
      'x-task-attempt': '1',
      'x-api-key': 'k-1',
      'content-type': 'application/json',
    });
    // Signed with the owner's own key, derived from the master secret: not with the master, not with another user's.
    const master = decodeWebhookSecret(TEST_WEBHOOK_SECRET);
    const headers = arrival.headers as Record<string, string>;
    expect(verifyWebhook(ownerSigningKey(master, system.owner), headers, arrival.body)).toBe(true);
    expect(verifyWebhook(master, headers, arrival.body)).toBe(false);
    expect(verifyWebhook(ownerSigningKey(master, `other-${system.owner}`), headers, arrival.body)).toBe(false);

    const done = await eventually(async () => {
      const res = await api().get(`/tasks/${created.body.id}`).expect(200);
      return res.body.status === 'completed' ? res.body : undefined;
    });
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({ number: 1, statusCode: 200, error: null });
    expect(done.result).toEqual({ statusCode: 200, body: { ok: true }, bodyTruncated: false });
    await sleep(500);
    expect(system.target.requests('/report')).toHaveLength(1);
  });

  it('lists a task under scheduled, then under completed', async () => {
    const { body: task } = await api()
      .post('/tasks')
      .send({ url: system.target.url('/listed'), delayMs: 1500 })
      .expect(201);
    const listed = (status: string) => async () => {
      const res = await api().get('/tasks').query({ status }).expect(200);
      return res.body.items.some((t: { id: string }) => t.id === task.id) ? res.body : undefined;
    };
    const scheduled = await eventually(listed('scheduled'));
    expect(scheduled.items.find((t: { id: string }) => t.id === task.id)).toEqual({
      id: task.id,
      name: null,
      owner: system.owner,
      status: 'scheduled',
      url: system.target.url('/listed'),
      method: 'POST',
      runAt: task.runAt,
      // The list and the resource agree, to the millisecond.
      createdAt: task.createdAt,
      scheduleId: null,
      tags: {},
      finishedAt: null,
    });
    const completed = await eventually(listed('completed'), 10_000);
    // The list says when it ended, as the resource does (visibility's close time: within a few ms of it).
    const closed = completed.items.find((t: { id: string }) => t.id === task.id);
    const { body: done } = await api().get(`/tasks/${task.id}`).expect(200);
    expect(Math.abs(Date.parse(closed.finishedAt) - Date.parse(done.finishedAt))).toBeLessThan(1_000);
    const stillScheduled = await api().get('/tasks').query({ status: 'scheduled' }).expect(200);
    expect(stillScheduled.body.items.map((t: { id: string }) => t.id)).not.toContain(task.id);
  });

  it("counts the caller's tasks in each status", async () => {
    const counter = await system.as(`counter-${system.owner}`);
    const { body: cancelled } = await counter
      .post('/tasks')
      .send({ url: system.target.url('/counted'), delayMs: 3_600_000 })
      .expect(201);
    await counter.post(`/tasks/${cancelled.id}/cancel`).expect(200);
    await counter
      .post('/tasks')
      .send({ url: system.target.url('/counted'), delayMs: 3_600_000 })
      .expect(201);
    const counts = await eventually(async () => {
      const { body } = await counter.get('/tasks/counts').expect(200);
      return body.all === 2 && body.cancelled === 1 ? body : undefined;
    });
    expect(counts).toEqual({ all: 2, scheduled: 1, running: 0, completed: 0, failed: 0, cancelled: 1 });
  });

  it('pages through the list with nextCursor, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (
          await api()
            .post('/tasks')
            .send({ url: system.target.url('/paged'), delayMs: 3_600_000 })
            .expect(201)
        ).body.id,
      );
    }
    const first = await eventually(async () => {
      const res = await api().get('/tasks').query({ status: 'scheduled', limit: 2 }).expect(200);
      return res.body.items[0]?.id === ids[2] ? res.body : undefined;
    });
    expect(first.items.map((t: { id: string }) => t.id)).toEqual([ids[2], ids[1]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await api().get('/tasks').query({ status: 'scheduled', limit: 2, cursor: first.nextCursor }).expect(200);
    expect(second.body.items.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
    // The last page says that nothing follows, whether it is full or not.
    expect(second.body.nextCursor).toBeNull();
    const whole = await api().get('/tasks').query({ status: 'scheduled', limit: 3 }).expect(200);
    expect(whole.body.items.map((t: { id: string }) => t.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(whole.body.nextCursor).toBeNull();
    for (const id of ids) await api().post(`/tasks/${id}/cancel`).expect(200);
  });

  it('moves a scheduled task with PATCH and answers 409 once it has run', async () => {
    const { body: task } = await api()
      .post('/tasks')
      .send({ url: system.target.url('/old'), delayMs: 3_600_000 })
      .expect(201);
    // Asleep in its start delay, it has not run a workflow task: the API reads it from its input.
    const { body: asleep } = await api().get(`/tasks/${task.id}`).expect(200);
    expect(asleep).toEqual(task);
    const patched = await api()
      .patch(`/tasks/${task.id}`)
      .send({ delayMs: 1_500, url: system.target.url('/new'), method: 'PUT', retries: 2 })
      .expect(200);
    expect(patched.body).toMatchObject({ id: task.id, status: 'scheduled', url: system.target.url('/new'), method: 'PUT', retries: 2 });
    const newDue = Date.parse(patched.body.runAt);
    expect(newDue - Date.now()).toBeLessThanOrEqual(1_500);

    const [arrival] = await system.target.waitForRequests('/new', 1, 5_000);
    expect(arrival.method).toBe('PUT');
    expect(arrival.arrivedAt - newDue).toBeLessThan(1000);
    expect(system.target.requests('/old')).toHaveLength(0);

    await eventually(async () => ((await statusOf(task.id)) === 'completed' ? true : undefined));
    const late = await api().patch(`/tasks/${task.id}`).send({ delayMs: 1000 }).expect(409);
    expect(late.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'task is completed; only a scheduled task can be changed or cancelled',
    });
    await api().post(`/tasks/${task.id}/cancel`).expect(409);
  });

  it('cancels a scheduled task, which then never calls, and answers 409 to a second cancel', async () => {
    const { body: task } = await api()
      .post('/tasks')
      .send({ url: system.target.url('/cancel-me'), delayMs: 2_500 })
      .expect(201);
    const cancelled = await api().post(`/tasks/${task.id}/cancel`).expect(200);
    expect(cancelled.body).toEqual({ id: task.id, cancelled: true, status: 'cancelled' });
    expect(await statusOf(task.id)).toBe('cancelled');
    const again = await api().post(`/tasks/${task.id}/cancel`).expect(409);
    expect(again.body.message).toBe('task is cancelled; only a scheduled task can be changed or cancelled');
    await sleep(3_000);
    expect(system.target.requests('/cancel-me')).toHaveLength(0);
    const { body: detail } = await api().get(`/tasks/${task.id}`).expect(200);
    expect(detail).toMatchObject({ status: 'cancelled', attempts: [], result: null });
  });

  it(`answers 409 "running" to a cancel or a modify from ${CHANGE_CUTOFF_MS} ms before the due time, and calls once`, async () => {
    const { body: task } = await api()
      .post('/tasks')
      .send({ url: system.target.url('/past-cut-off'), delayMs: CHANGE_CUTOFF_MS - 300 })
      .expect(201);
    const running = 'task is running; only a scheduled task can be changed or cancelled';
    expect((await api().post(`/tasks/${task.id}/cancel`).expect(409)).body.message).toBe(running);
    expect((await api().patch(`/tasks/${task.id}`).send({ delayMs: 60_000 }).expect(409)).body.message).toBe(running);
    await system.target.waitForRequests('/past-cut-off', 1);
    await eventually(async () => ((await statusOf(task.id)) === 'completed' ? true : undefined));
    expect(system.target.requests('/past-cut-off')).toHaveLength(1);
  });

  it('records every attempt of a failing task and ends it failed', async () => {
    system.target.failTimes('/always-down', Number.MAX_SAFE_INTEGER, 502);
    const { body: task } = await api()
      .post('/tasks')
      .send({ url: system.target.url('/always-down'), retries: 2, retryIntervalMs: 200, retryBackoff: 2 })
      .expect(201);
    const failed = await eventually(async () => {
      const res = await api().get(`/tasks/${task.id}`).expect(200);
      return res.body.status === 'failed' ? res.body : undefined;
    });
    expect(failed.error).toBe('attempt 3 failed: HTTP 502');
    expect(failed.attempts.map((a: { number: number; statusCode: number; error: string }) => [a.number, a.statusCode, a.error])).toEqual([
      [1, 502, 'HTTP 502'],
      [2, 502, 'HTTP 502'],
      [3, 502, 'HTTP 502'],
    ]);
    const arrivals = system.target.requests('/always-down').map((r) => r.arrivedAt);
    const gaps = [arrivals[1] - arrivals[0], arrivals[2] - arrivals[1]];
    console.log(`retry gaps: ${gaps.join(', ')} ms (asked for 200, 400)`);
    expect(gaps[0]).toBeGreaterThanOrEqual(200);
    expect(gaps[0]).toBeLessThan(200 + 500);
    expect(gaps[1]).toBeGreaterThanOrEqual(400);
    expect(gaps[1]).toBeLessThan(400 + 500);
    expect(failed.result).toEqual({ statusCode: 502, body: { error: 'scripted failure' }, bodyTruncated: false });
  });

  describe('bad input', () => {
    async function countTasks(): Promise<number> {
      return (await api().get('/tasks').query({ limit: 100 }).expect(200)).body.items.length;
    }

    it('answers 400 naming every bad field, and creates nothing', async () => {
      const before = await countTasks();
      const res = await api()
        .post('/tasks')
        .send({
          url: 'ftp://example.com',
          method: 'FETCH',
          delayMs: -1,
          retries: 1.5,
          retryBackoff: 0.5,
          timeoutMs: 0,
          headers: { 'x-ok': 1 },
          surprise: true,
        })
        .expect(400);
      expect(res.body.statusCode).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
        ['delayMs', 'headers', 'method', 'retries', 'retryBackoff', 'surprise', 'timeoutMs', 'url'].sort(),
      );
      expect(res.body.errors.find((e: { field: string }) => e.field === 'url').messages).toEqual(['url must be an http or https URL']);
      await sleep(300);
      expect(await countTasks()).toBe(before);
    });

    it.each([
      [{ url: 'http://127.0.0.1:9/x', runAt: '2026-11-23T09:00:00Z', delayMs: 5 }, 'runAt', 'runAt and delayMs cannot be given together'],
      [
        { url: 'http://127.0.0.1:9/x', runAt: '2026-11-23T09:00:00' },
        'runAt',
        'runAt must be an ISO 8601 date-time with an offset, e.g. 2026-11-23T09:00:00Z',
      ],
      [{ url: 'http://127.0.0.1:9/x', method: 'GET', body: { a: 1 } }, 'body', 'body cannot be sent with GET'],
      [{ url: 'http://127.0.0.1:9/x', headers: { 'x-ok': 'v', '': '' } }, 'headers', 'headers has names that are not header names: ""'],
      [{}, 'url', 'url must be an http or https URL'],
    ])('rejects %j on %s', async (payload, field, message) => {
      const res = await api().post('/tasks').send(payload).expect(400);
      expect(res.body.errors).toContainEqual({ field, messages: [message] });
    });

    it('answers 400 to malformed JSON and 413 to a body over the limit', async () => {
      const malformed = await api().post('/tasks').set('content-type', 'application/json').send('{"url":').expect(400);
      expect(malformed.body.statusCode).toBe(400);
      const huge = await api()
        .post('/tasks')
        .send({ url: system.target.url('/x'), body: 'x'.repeat(300 * 1024) })
        .expect(413);
      expect(huge.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'request body is larger than the limit of 262144 bytes',
      });
    });

    it('answers 400 to a PATCH with nothing to change and to an unknown list status', async () => {
      const { body: task } = await api()
        .post('/tasks')
        .send({ url: system.target.url('/x'), delayMs: 3_600_000 })
        .expect(201);
      const res = await api().patch(`/tasks/${task.id}`).send({}).expect(400);
      expect(res.body.message).toBe('nothing to change: give runAt or delayMs, or a call or retry field');
      // Header names are checked at every PATCH as at create.
      const badHeader = await api()
        .patch(`/tasks/${task.id}`)
        .send({ headers: { '': 'x' } })
        .expect(400);
      expect(badHeader.body.errors).toEqual([{ field: 'headers', messages: ['headers has names that are not header names: ""'] }]);
      // flowControl needs a limit, as its schema says (anyOf ratePerSecond, maxInFlight).
      const noLimit = await api().patch(`/tasks/${task.id}`).send({ flowControl: {} }).expect(400);
      expect(noLimit.body.errors).toEqual([{ field: 'flowControl', messages: ['flowControl needs ratePerSecond, maxInFlight, or both'] }]);
      await api().get('/tasks').query({ status: 'sleeping' }).expect(400);
      await api().get('/tasks').query({ cursor: 'bm90LWEtdG9rZW4' }).expect(400);
      await api().post(`/tasks/${task.id}/cancel`).expect(200);
    });
  });

  it('answers 404 for unknown ids on every endpoint', async () => {
    const id = 'task-00000000-0000-0000-0000-000000000000';
    for (const call of [
      api().get(`/tasks/${id}`),
      api().get(`/tasks/${id}/status`),
      api().patch(`/tasks/${id}`).send({ delayMs: 5 }),
      api().post(`/tasks/${id}/cancel`),
    ]) {
      const res = await call.expect(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: `task ${id} not found` });
    }
  });

  it("answers 404 for another user's task", async () => {
    const other = await system.as(`other-${system.owner}`);
    const { body: task } = await other
      .post('/tasks')
      .send({ url: system.target.url('/x'), delayMs: 3_600_000 })
      .expect(201);
    await api().get(`/tasks/${task.id}`).expect(404);
    await api().post(`/tasks/${task.id}/cancel`).expect(404);
    await other.post(`/tasks/${task.id}/cancel`).expect(200);
  });

  it('serves /health, Swagger UI and the OpenAPI document', async () => {
    const health = await api().get('/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', api: 'up', temporal: { status: 'up', address: system.config.temporal.address } });
    await api().get('/docs').expect(200);
    const doc = await api().get('/docs-json').expect(200);
    expect(Object.keys(doc.body.paths).sort()).toEqual([
      '/bulk/{id}',
      '/codec/decode',
      '/codec/encode',
      '/codec/session',
      '/dashboard/dev-sign-in',
      '/functions',
      '/health',
      '/health/live',
      '/health/ready',
      '/me',
      '/me/signing-secret',
      '/orchestrations',
      '/orchestrations/bulk',
      '/orchestrations/counts',
      '/orchestrations/{id}',
      '/orchestrations/{id}/cancel',
      '/orchestrations/{id}/resume',
      '/orchestrations/{id}/resume/{token}',
      '/orchestrations/{id}/retry',
      '/orchestrations/{id}/status',
      '/schedules',
      '/schedules/{id}',
      '/schedules/{id}/pause',
      '/schedules/{id}/resume',
      '/schedules/{id}/trigger',
      '/tasks',
      '/tasks/bulk',
      '/tasks/counts',
      '/tasks/{id}',
      '/tasks/{id}/cancel',
      '/tasks/{id}/retry',
      '/tasks/{id}/status',
    ]);
    // The development sign-in's body is documented, so a script can get a token without the dashboard.
    expect(doc.body.paths['/dashboard/dev-sign-in'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/DevSignInDto',
    });
    expect(doc.body.components.schemas.DevSignInDto).toMatchObject({
      required: ['sub'],
      additionalProperties: false,
      properties: { sub: expect.objectContaining({ type: 'string' }), admin: expect.objectContaining({ type: 'boolean' }) },
    });
    expect(doc.body.paths['/dashboard/dev-sign-in'].post.security).toEqual([{}]);
    expect(doc.body.components.schemas.CreateTaskDto.properties.url.example).toBe(
      'https://abc123.lambda-url.eu-central-1.on.aws/jobs/report',
    );
  });
});
