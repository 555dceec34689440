import { decodeWebhookSecret, ownerSigningKey, verifyWebhook } from '../../activities';
import { testSystemPerFile } from '../support/test-system';
import { eventually } from '../support/wait';
import { TEST_WEBHOOK_SECRET } from '../support/webhook-secret';

describe('tags, callbacks and retry of runs (e2e, dev server)', () => {
  const system = testSystemPerFile();
  const api = () => system.api();

  async function finished(kind: 'tasks' | 'orchestrations', id: string): Promise<Record<string, unknown>> {
    return eventually(async () => {
      const { body } = await api().get(`/${kind}/${id}`).expect(200);
      const done = ['completed', 'failed', 'cancelled'].includes(body.status);
      const callbackDone = !body.callback || !['waiting', 'running'].includes(body.callback.status);
      return done && callbackDone ? (body as Record<string, unknown>) : undefined;
    }, 20_000);
  }

  describe('PATCH of the new call fields', () => {
    it("changes a scheduled task's flowControl, retryOn and target (to an SQS queue), as it shows them", async () => {
      const { body: task } = await api()
        .post('/tasks')
        .send({ url: system.target.url('/patch-me'), delayMs: 3_600_000 })
        .expect(201);
      const { body: patched } = await api()
        .patch(`/tasks/${task.id}`)
        .send({ flowControl: { key: 'partner', ratePerSecond: 5 }, retryOn: 'transient' })
        .expect(200);
      expect(patched).toMatchObject({
        url: system.target.url('/patch-me'),
        flowControl: { key: 'partner', ratePerSecond: 5 },
        retryOn: 'transient',
      });
      const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/orders';
      const { body: queued } = await api()
        .patch(`/tasks/${task.id}`)
        .send({ sqs: { queueUrl, messageBody: { n: 1 } } })
        .expect(200);
      expect(queued).toMatchObject({
        sqs: { queueUrl, messageBody: { n: 1 } },
        flowControl: { key: 'partner', ratePerSecond: 5 },
        retryOn: 'transient',
      });
      expect(queued.url).toBeUndefined();
      await api().post(`/tasks/${task.id}/cancel`).expect(200);
    });

    it("keeps a schedule's callback through a PATCH of its task, and replaces it with a new one", async () => {
      const callback = { url: system.target.url('/schedule-callback') };
      const { body: schedule } = await api()
        .post('/schedules')
        .send({ everyMs: 3_600_000, paused: true, task: { url: system.target.url('/sched-a'), callback } })
        .expect(201);
      const { body: kept } = await api()
        .patch(`/schedules/${schedule.id}`)
        .send({ task: { url: system.target.url('/sched-b'), retryOn: 'transient' } })
        .expect(200);
      expect(kept.task).toMatchObject({ url: system.target.url('/sched-b'), retryOn: 'transient', callback: { url: callback.url } });
      const { body: replaced } = await api()
        .patch(`/schedules/${schedule.id}`)
        .send({ task: { callback: { url: system.target.url('/schedule-callback-2'), on: ['failed'] } } })
        .expect(200);
      expect(replaced.task.callback).toMatchObject({ url: system.target.url('/schedule-callback-2'), on: ['failed'] });
      await api().delete(`/schedules/${schedule.id}`).expect(200);
    });
  });

  describe('tags', () => {
    it('shows them back and filters lists and counts by them (all must match)', async () => {
      const later = { delayMs: 3_600_000 };
      const url = system.target.url('/tagged');
      const { body: a } = await api()
        .post('/tasks')
        .send({ url, ...later, tags: { customer: '42', campaign: 'x' } })
        .expect(201);
      const { body: b } = await api()
        .post('/tasks')
        .send({ url, ...later, tags: { customer: '42' } })
        .expect(201);
      await api()
        .post('/tasks')
        .send({ url, ...later, tags: { customer: '7' } })
        .expect(201);
      expect(a.tags).toEqual({ customer: '42', campaign: 'x' });

      const ids = async (query: Record<string, string | string[]>) =>
        eventually(async () => {
          const { body } = await api().get('/tasks').query(query).expect(200);
          return body.items.length > 0 ? (body.items as Array<{ id: string; tags: Record<string, string> }>) : undefined;
        });
      expect((await ids({ tag: 'customer:42' })).map((t) => t.id).sort()).toEqual([a.id, b.id].sort());
      const both = await ids({ tag: ['customer:42', 'campaign:x'] });
      expect(both.map((t) => t.id)).toEqual([a.id]);
      expect(both[0].tags).toEqual({ customer: '42', campaign: 'x' });
      expect((await api().get('/tasks/counts').query({ tag: 'customer:42' }).expect(200)).body).toMatchObject({ all: 2, scheduled: 2 });
      await Promise.all([a, b].map((t: { id: string }) => api().post(`/tasks/${t.id}/cancel`).expect(200)));
    });

    it('filters the list of schedules by tags (all must match)', async () => {
      const create = (tags: Record<string, string>) =>
        api()
          .post('/schedules')
          .send({ everyMs: 3_600_000, paused: true, tags, task: { url: system.target.url('/tagged-schedule') } })
          .expect(201);
      const [{ body: a }, { body: b }] = await Promise.all([
        create({ team: 'ops', tier: 'gold' }),
        create({ team: 'ops' }),
        create({ team: 'web' }),
      ]);
      const ids = async (tag: string[]) =>
        eventually(async () => {
          const { body } = await api().get('/schedules').query({ tag }).expect(200);
          return body.items.length > 0 ? (body.items as Array<{ id: string }>).map((s) => s.id).sort() : undefined;
        });
      expect(await ids(['team:ops'])).toEqual([a.id, b.id].sort());
      expect(await ids(['team:ops', 'tier:gold'])).toEqual([a.id]);
      const { body: refused } = await api().get('/schedules').query({ tag: 'no colon' }).expect(400);
      expect(refused.errors[0].field).toBe('tag');
    });

    it("puts a schedule's tags on each of its runs, and replaces an orchestration's with PATCH", async () => {
      const { body: schedule } = await api()
        .post('/schedules')
        .send({ everyMs: 3_600_000, paused: true, tags: { team: 'ops' }, task: { url: system.target.url('/tagged-run') } })
        .expect(201);
      expect(schedule.tags).toEqual({ team: 'ops' });
      await api().post(`/schedules/${schedule.id}/trigger`).expect(200);
      const run = await eventually(async () => {
        const { body } = await api().get('/tasks').query({ scheduleId: schedule.id, tag: 'team:ops' }).expect(200);
        return body.items[0] as { id: string } | undefined;
      });
      expect((await api().get(`/tasks/${run.id}`).expect(200)).body.tags).toEqual({ team: 'ops' });
      await api().delete(`/schedules/${schedule.id}`).expect(200);

      const { body: orch } = await api()
        .post('/orchestrations')
        .send({
          steps: [{ url: system.target.url('/o') }],
          conditionCheck: { url: system.target.url('/o-check') },
          initialDelayMs: 3_600_000,
          tags: { a: '1' },
        })
        .expect(201);
      const { body: patched } = await api()
        .patch(`/orchestrations/${orch.id}`)
        .send({ tags: { b: '2' } })
        .expect(200);
      expect(patched.tags).toEqual({ b: '2' });
      await eventually(async () => {
        const { body } = await api().get('/orchestrations').query({ tag: 'b:2' }).expect(200);
        return body.items.some((o: { id: string }) => o.id === orch.id) ? true : undefined;
      });
      await api().post(`/orchestrations/${orch.id}/cancel`).expect(200);
    });

    it('refuses 11 tags, a key with spaces, and a malformed filter, naming the field', async () => {
      const url = system.target.url('/never');
      const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
      expect((await api().post('/tasks').send({ url, tags: eleven }).expect(400)).body.errors).toEqual([
        { field: 'tags', messages: ['tags has 11 tags; at most 10'] },
      ]);
      expect(
        (
          await api()
            .post('/tasks')
            .send({ url, tags: { 'bad key': 'v' } })
            .expect(400)
        ).body.errors,
      ).toEqual([{ field: 'tags', messages: ['tags key "bad key" must be 1 to 40 of a-z 0-9 _ . -'] }]);
      expect((await api().get('/tasks').query({ tag: 'no-colon' }).expect(400)).body.errors[0].field).toBe('tag');
    });
  });

  describe('callbacks', () => {
    const ownerKey = () => ownerSigningKey(decodeWebhookSecret(TEST_WEBHOOK_SECRET), system.owner);

    it('calls back once the run completes, signed with the owner key, with its outcome, and shows how it went', async () => {
      const { body: task } = await api()
        .post('/tasks')
        .send({
          url: system.target.url('/cb/work'),
          tags: { x: '1' },
          callback: { url: system.target.url('/cb/done'), retries: 2, retryIntervalMs: 100 },
        })
        .expect(201);
      expect(task.callback).toMatchObject({
        url: system.target.url('/cb/done'),
        on: ['completed', 'failed'],
        status: 'waiting',
        attempts: [],
      });
      const done = await finished('tasks', task.id);
      const [callback] = system.target.requests('/cb/done');
      expect(JSON.parse(callback.body)).toEqual({
        id: task.id,
        kind: 'task',
        status: 'completed',
        owner: system.owner,
        runAt: task.runAt,
        finishedAt: done.finishedAt,
        attempts: 1,
        result: { statusCode: 200, body: { ok: true }, bodyTruncated: false },
        error: null,
      });
      expect(callback.headers['idempotency-key']).toBe(`${task.id}:callback`);
      expect(verifyWebhook(ownerKey(), callback.headers, callback.body)).toBe(true);
      expect(done.callback).toMatchObject({ status: 'completed', attempts: [{ number: 1, statusCode: 200, error: null }] });
    });

    it('retries a failing callback on its own policy, and calls back on a cancel only when asked', async () => {
      system.target.failTimes('/cb/flaky', 1, 503);
      const { body: failing } = await api()
        .post('/tasks')
        .send({
          url: system.target.url('/cb/broken'),
          retries: 0,
          callback: { url: system.target.url('/cb/flaky'), retries: 1, retryIntervalMs: 50 },
        })
        .expect(201);
      system.target.failTimes('/cb/broken', 99, 500);
      const failed = await finished('tasks', failing.id);
      expect(failed.status).toBe('failed');
      expect(failed.callback).toMatchObject({ status: 'completed', attempts: [{ statusCode: 503 }, { statusCode: 200 }] });
      expect(JSON.parse(system.target.requests('/cb/flaky')[1].body)).toMatchObject({
        status: 'failed',
        error: 'attempt 1 failed: HTTP 500',
      });

      const later = { url: system.target.url('/cb/never'), delayMs: 3_600_000 };
      const { body: quiet } = await api()
        .post('/tasks')
        .send({ ...later, callback: { url: system.target.url('/cb/quiet') } })
        .expect(201);
      const { body: loud } = await api()
        .post('/tasks')
        .send({ ...later, callback: { url: system.target.url('/cb/loud'), on: ['cancelled'] } })
        .expect(201);
      await api().post(`/tasks/${quiet.id}/cancel`).expect(200);
      await api().post(`/tasks/${loud.id}/cancel`).expect(200);
      expect((await finished('tasks', quiet.id)).callback).toMatchObject({ status: 'skipped', attempts: [] });
      expect((await finished('tasks', loud.id)).callback).toMatchObject({ status: 'completed' });
      expect(JSON.parse(system.target.requests('/cb/loud')[0].body)).toMatchObject({ id: loud.id, status: 'cancelled', attempts: 0 });
      expect(system.target.requests('/cb/quiet')).toEqual([]);
    });

    it('calls back once an orchestration fails, with why', async () => {
      system.target.failTimes('/cbo/step', 99, 502);
      const { body: orch } = await api()
        .post('/orchestrations')
        .send({
          steps: [{ url: system.target.url('/cbo/step') }],
          conditionCheck: { url: system.target.url('/cbo/check') },
          callback: { url: system.target.url('/cbo/done') },
        })
        .expect(201);
      const done = await finished('orchestrations', orch.id);
      expect(done.callback).toMatchObject({ status: 'completed' });
      expect(JSON.parse(system.target.requests('/cbo/done')[0].body)).toMatchObject({
        id: orch.id,
        kind: 'orchestration',
        status: 'failed',
        attempts: 1,
        error: 'step 1 failed after 1 attempt: HTTP 502',
      });
    });

    it('refuses a callback to a refused destination, with a body, or on an unknown end', async () => {
      const url = system.target.url('/never');
      const refused = await api()
        .post('/tasks')
        .send({ url, callback: { url: 'http://169.254.169.254/latest' } })
        .expect(400);
      expect(refused.body.errors).toEqual([{ field: 'callback.url', messages: ['destination not allowed: 169.254.169.254 (linkLocal)'] }]);
      expect(
        (
          await api()
            .post('/tasks')
            .send({ url, callback: { url, body: {} } })
            .expect(400)
        ).body.errors,
      ).toEqual([{ field: 'callback.body', messages: ['property body should not exist'] }]);
      expect(
        (
          await api()
            .post('/tasks')
            .send({ url, callback: { url, on: ['done'] } })
            .expect(400)
        ).body.errors[0].field,
      ).toBe('callback.on');
    });
  });

  describe('retry', () => {
    it('retries a failed task as a new task of the same call, due now, with retryOf; 409 for one not finished', async () => {
      system.target.failTimes('/retry/me', 1, 500);
      const { body: task } = await api()
        .post('/tasks')
        .send({ url: system.target.url('/retry/me'), body: { n: 1 }, tags: { t: 'r' } })
        .expect(201);
      expect((await finished('tasks', task.id)).status).toBe('failed');
      const { body: again } = await api().post(`/tasks/${task.id}/retry`).set('idempotency-key', `retry-${task.id}`).send({}).expect(201);
      expect(again).toMatchObject({ retryOf: task.id, url: task.url, body: { n: 1 }, tags: { t: 'r' }, status: 'scheduled' });
      expect(again.id).not.toBe(task.id);
      expect((await finished('tasks', again.id)).status).toBe('completed');
      const replayed = await api().post(`/tasks/${task.id}/retry`).set('idempotency-key', `retry-${task.id}`).send({}).expect(200);
      expect(replayed.body.id).toBe(again.id);

      const { body: pending } = await api()
        .post('/tasks')
        .send({ url: system.target.url('/retry/later'), delayMs: 3_600_000 })
        .expect(201);
      const conflict = await api().post(`/tasks/${pending.id}/retry`).send({}).expect(409);
      expect(conflict.body.message).toBe('task is scheduled; only a failed or cancelled task can be retried');
      await api().post(`/tasks/${pending.id}/cancel`).expect(200);
      // No body at all (the document's requestBody is optional): due now, as with {}.
      const { body: noBody } = await api().post(`/tasks/${pending.id}/retry`).expect(201);
      expect(noBody).toMatchObject({ retryOf: pending.id, status: 'scheduled' });
      expect(Math.abs(Date.parse(noBody.runAt) - Date.now())).toBeLessThan(10_000);
      const bob = await system.as('bob-retry');
      await bob.post(`/tasks/${task.id}/retry`).send({}).expect(404);
    });

    it('retries an orchestration from the step that failed', async () => {
      system.target.failTimes('/oretry/b', 1, 500);
      const { body: orch } = await api()
        .post('/orchestrations')
        .send({
          steps: [
            { url: system.target.url('/oretry/a') },
            { url: system.target.url('/oretry/b') },
            { url: system.target.url('/oretry/c') },
          ],
          conditionCheck: { url: system.target.url('/oretry/check') },
        })
        .expect(201);
      expect((await finished('orchestrations', orch.id)).status).toBe('failed');
      const { body: again } = await api().post(`/orchestrations/${orch.id}/retry`).send({}).expect(201);
      expect(again).toMatchObject({ retryOf: orch.id, stepCount: 2 });
      expect((await finished('orchestrations', again.id)).status).toBe('completed');
      expect(system.target.calledPaths('/oretry/')).toEqual(['a', 'check', 'b', 'b', 'check', 'c', 'check']);
      const badStep = await api().post(`/orchestrations/${orch.id}/retry`).send({ fromStep: 4 }).expect(400);
      expect(badStep.body.errors).toEqual([{ field: 'fromStep', messages: ['fromStep must be a step of the orchestration: 1 to 3'] }]);
    });

    it('refuses, on fromStep, a retry that drops a call a kept step refers to, and retries from before it', async () => {
      system.target.failTimes('/oref/b/200', 1, 500);
      const { body: orch } = await api()
        .post('/orchestrations')
        .send({
          steps: [{ id: 'first', url: system.target.url('/oref/a') }, { url: system.target.url('/oref/b/{{calls.first.status}}') }],
          conditionCheck: { url: system.target.url('/oref/check') },
        })
        .expect(201);
      expect((await finished('orchestrations', orch.id)).status).toBe('failed');
      // The default is the step that failed (2): its url refers to step 1's call.
      const refused = await api().post(`/orchestrations/${orch.id}/retry`).expect(400);
      expect(refused.body.errors).toEqual([
        {
          field: 'fromStep',
          messages: [
            'fromStep 2 drops calls that the steps kept refer to ({{calls.first.status}} refers to no call of this orchestration (no id first)): retry from an earlier step',
          ],
        },
      ]);
      const { body: again } = await api().post(`/orchestrations/${orch.id}/retry`).send({ fromStep: 1 }).expect(201);
      expect((await finished('orchestrations', again.id)).status).toBe('completed');
    });
  });
});
