import { setTimeout as sleep } from 'node:timers/promises';
import { testSystemPerFile } from '../support/test-system';
import { eventually } from '../support/wait';

/** The nominal time of a schedule's run, from its task id (`task-<schedule id>-<nominal time>`). */
function nominalOf(taskId: string): number {
  return Date.parse(taskId.slice(-'2026-11-23T09:00:00Z'.length));
}

describe('/schedules (e2e, dev server, loopback target)', () => {
  const system = testSystemPerFile();
  const api = () => system.api();

  async function schedulesCount(): Promise<number> {
    return (await api().get('/schedules').query({ limit: 100 }).expect(200)).body.items.length;
  }

  it('runs an everyMs 2000 schedule as tasks that reach the target on their nominal times, each listed under the schedule', async () => {
    const { body: schedule } = await api()
      .post('/schedules')
      .send({ name: 'every 2 s', everyMs: 2000, task: { url: system.target.url('/every'), body: { n: 1 }, retries: 1 } })
      .expect(201);
    expect(schedule).toMatchObject({
      name: 'every 2 s',
      state: 'active',
      everyMs: 2000,
      timezone: 'UTC',
      startAt: null,
      endAt: null,
      jitterMs: 0,
      overlap: 'skip',
      catchupWindowMs: 60000,
      task: {
        url: system.target.url('/every'),
        method: 'POST',
        headers: {},
        body: { n: 1 },
        timeoutMs: 10000,
        retries: 1,
        retryIntervalMs: 1000,
        retryBackoff: 1,
      },
      recentRuns: [],
    });
    expect(schedule.id).toMatch(/^sched-[0-9a-f-]{36}$/);
    expect(schedule.nextRuns).toHaveLength(5);
    expect(schedule.nextRuns.map((t: string) => Date.parse(t) % 2000)).toEqual([0, 0, 0, 0, 0]);

    const arrivals = await system.target.waitForRequests('/every', 2, 10_000);
    await api().delete(`/schedules/${schedule.id}`).expect(200, { id: schedule.id, deleted: true });
    const lateness = arrivals.map((a) => a.arrivedAt - nominalOf(a.headers['x-task-id'] as string));
    console.log(`schedule run lateness (nominal -> arrival): ${lateness.join(', ')} ms`);
    for (const [i, arrival] of arrivals.entries()) {
      const taskId = arrival.headers['x-task-id'] as string;
      expect(taskId).toMatch(new RegExp(`^task-${schedule.id}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
      expect(nominalOf(taskId) % 2000).toBe(0);
      expect(lateness[i]).toBeGreaterThanOrEqual(0);
      expect(lateness[i]).toBeLessThan(1000);
      expect(arrival.body).toBe('{"n":1}');
    }
    const firstRun = arrivals[0].headers['x-task-id'] as string;
    const task = await eventually(async () => {
      const { body } = await api().get(`/tasks/${firstRun}`).expect(200);
      return body.status === 'completed' ? body : undefined;
    });
    expect(task).toMatchObject({
      id: firstRun,
      name: 'every 2 s',
      scheduleId: schedule.id,
      runAt: new Date(nominalOf(firstRun)).toISOString(),
      url: system.target.url('/every'),
      attempts: [expect.objectContaining({ number: 1, statusCode: 200, error: null })],
    });
    const listed = await eventually(async () => {
      const { body } = await api().get('/tasks').query({ scheduleId: schedule.id }).expect(200);
      return body.items.length >= 2 ? body.items : undefined;
    });
    for (const item of listed) {
      expect(item).toMatchObject({ scheduleId: schedule.id, name: 'every 2 s', runAt: new Date(nominalOf(item.id)).toISOString() });
    }
    // One createdAt: the list entry's is the resource's (the run's nominal time).
    expect(listed.find((item: { id: string }) => item.id === firstRun).createdAt).toBe(task.createdAt);
    expect(task.createdAt).toBe(task.runAt);
    const { body: elsewhere } = await api().get('/tasks').query({ scheduleId: 'sched-00000000-0000-0000-0000-000000000000' }).expect(200);
    expect(elsewhere.items).toEqual([]);
  });

  it('stops on pause, starts again on resume, runs one now on trigger, and never again after DELETE', async () => {
    const { body: schedule } = await api()
      .post('/schedules')
      .send({ everyMs: 2000, task: { url: system.target.url('/paused') } })
      .expect(201);
    await system.target.waitForRequests('/paused', 1, 10_000);

    const { body: paused } = await api().post(`/schedules/${schedule.id}/pause`).expect(200);
    expect(paused).toMatchObject({ id: schedule.id, state: 'paused', nextRuns: [] });
    const whenPaused = system.target.requests('/paused').length;
    await sleep(4_500);
    expect(system.target.requests('/paused')).toHaveLength(whenPaused);

    const triggeredAt = Date.now();
    await api().post(`/schedules/${schedule.id}/trigger`).expect(200);
    const [triggered] = (await system.target.waitForRequests('/paused', whenPaused + 1, 5_000)).slice(whenPaused);
    expect(triggered.arrivedAt - triggeredAt).toBeLessThan(2_000);
    expect(await api().get(`/schedules/${schedule.id}`).expect(200)).toMatchObject({ body: { state: 'paused' } });

    const { body: resumed } = await api().post(`/schedules/${schedule.id}/resume`).expect(200);
    expect(resumed.state).toBe('active');
    expect(resumed.nextRuns).toHaveLength(5);
    await system.target.waitForRequests('/paused', whenPaused + 2, 5_000);

    await api().delete(`/schedules/${schedule.id}`).expect(200);
    await sleep(500); // a run already started may still arrive
    const whenDeleted = system.target.requests('/paused').length;
    await sleep(4_500);
    expect(system.target.requests('/paused')).toHaveLength(whenDeleted);
    await api().get(`/schedules/${schedule.id}`).expect(404);
  });

  it('fires an `at` list exactly at those times, once each', async () => {
    const base = Math.ceil((Date.now() + 3_000) / 1000) * 1000;
    const at = [base, base + 2_000].map((t) => new Date(t).toISOString().replace('.000Z', '+00:00'));
    const { body: schedule } = await api()
      .post('/schedules')
      .send({ at, timezone: 'Europe/Berlin', task: { url: system.target.url('/at'), method: 'PUT' } })
      .expect(201);
    expect(schedule).toMatchObject({ at, timezone: 'Europe/Berlin' });
    expect(schedule.nextRuns).toEqual([new Date(base).toISOString(), new Date(base + 2_000).toISOString()]);

    const arrivals = await system.target.waitForRequests('/at', 2, 10_000);
    await sleep(3_000);
    expect(system.target.requests('/at')).toHaveLength(2);
    expect(arrivals.map((a) => nominalOf(a.headers['x-task-id'] as string))).toEqual([base, base + 2_000]);
    for (const arrival of arrivals) {
      expect(arrival.method).toBe('PUT');
      expect(arrival.arrivedAt - nominalOf(arrival.headers['x-task-id'] as string)).toBeLessThan(1000);
    }
    const { body: done } = await api().get(`/schedules/${schedule.id}`).expect(200);
    expect(done.nextRuns).toEqual([]);
    await api().delete(`/schedules/${schedule.id}`).expect(200);
  });

  it('calls the new task on later runs after a PATCH of the task, and moves to a new timing', async () => {
    const { body: schedule } = await api()
      .post('/schedules')
      .send({ name: 'patched', everyMs: 2000, task: { url: system.target.url('/before') } })
      .expect(201);
    await system.target.waitForRequests('/before', 1, 10_000);
    const { body: patched } = await api()
      .patch(`/schedules/${schedule.id}`)
      .send({ task: { url: system.target.url('/after'), method: 'PUT', retries: 2 }, everyMs: 3000, jitterMs: 0 })
      .expect(200);
    expect(patched).toMatchObject({
      name: 'patched',
      everyMs: 3000,
      task: { url: system.target.url('/after'), method: 'PUT', retries: 2 },
    });
    expect(patched.nextRuns.map((t: string) => Date.parse(t) % 3000)).toEqual([0, 0, 0, 0, 0]);
    const beforeCount = system.target.requests('/before').length;
    const [after] = await system.target.waitForRequests('/after', 1, 10_000);
    expect(after.method).toBe('PUT');
    expect(system.target.requests('/before').length).toBeLessThanOrEqual(beforeCount + 1);
    await api().delete(`/schedules/${schedule.id}`).expect(200);
  });

  it('merges a PATCH of its task as a task PATCH merges: the fields given change, the others stay', async () => {
    const call = { url: system.target.url('/merge'), method: 'PUT', headers: { 'x-team': 'ops' }, body: { n: 1 }, timeoutMs: 5000 };
    const callback = { url: system.target.url('/merge/done'), on: ['failed'] };
    const { body: schedule } = await api()
      .post('/schedules')
      .send({ cron: '@daily', task: { ...call, retries: 3, callback } })
      .expect(201);
    const { body: task } = await api()
      .post('/tasks')
      .send({ ...call, retries: 3, delayMs: 3_600_000 })
      .expect(201);
    const callOf = (resource: Record<string, unknown>) => {
      const { url, method, headers, body, lambda, sqs, timeoutMs, flowControl, retries, retryIntervalMs, retryBackoff, retryOn } = resource;
      return { url, method, headers, body, lambda, sqs, timeoutMs, flowControl, retries, retryIntervalMs, retryBackoff, retryOn };
    };
    const queueUrl = 'https://sqs.eu-central-1.amazonaws.com/123456789012/reports';
    for (const change of [
      { url: system.target.url('/merge/v2') },
      { retries: 0, timeoutMs: 2000, retryOn: 'transient', flowControl: { maxInFlight: 2 } },
      { sqs: { queueUrl, messageBody: { report: 'daily' } } },
      { lambda: { function: 'report' } },
    ]) {
      const { body: patched } = await api().patch(`/schedules/${schedule.id}`).send({ task: change }).expect(200);
      const { body: patchedTask } = await api().patch(`/tasks/${task.id}`).send(change).expect(200);
      expect(callOf(patched.task)).toEqual(callOf(patchedTask));
      if ('sqs' in change) expect(patched.task).toMatchObject({ sqs: change.sqs, flowControl: { maxInFlight: 2 } });
    }
    const { body: now } = await api().get(`/schedules/${schedule.id}`).expect(200);
    // The callback given at create stays through every PATCH of the call.
    const waiting = { timeoutMs: 10000, retries: 0, retryIntervalMs: 1000, retryBackoff: 1, status: 'waiting', attempts: [], result: null };
    expect(now.task).toEqual({
      lambda: { function: 'report', invocationType: 'RequestResponse' },
      timeoutMs: 2000,
      flowControl: { maxInFlight: 2 },
      retries: 0,
      retryIntervalMs: 1000,
      retryBackoff: 1,
      retryOn: 'transient',
      callback: { url: callback.url, method: 'POST', headers: {}, on: ['failed'], ...waiting },
    });
    // A callback given replaces it.
    const { body: recalled } = await api()
      .patch(`/schedules/${schedule.id}`)
      .send({ task: { callback: { sqs: { queueUrl }, on: ['completed'] } } })
      .expect(200);
    expect(recalled.task.callback).toEqual({ sqs: { queueUrl }, on: ['completed'], ...waiting });
    // Two targets at once: refused, as the document says.
    const both = await api()
      .patch(`/schedules/${schedule.id}`)
      .send({ task: { url: system.target.url('/merge/v3'), sqs: { queueUrl, messageBody: 1 } } })
      .expect(400);
    expect(both.body.errors).toEqual([{ field: 'task.url', messages: ['url and sqs cannot be given together'] }]);
    // HTTP fields for a Lambda call: the same 409 a task answers.
    const refused = await api()
      .patch(`/schedules/${schedule.id}`)
      .send({ task: { method: 'GET' } })
      .expect(409);
    const refusedTask = await api().patch(`/tasks/${task.id}`).send({ method: 'GET' }).expect(409);
    expect(refused.body.message).toBe('method need a url: this call invokes a Lambda function');
    expect(refusedTask.body.message).toBe(refused.body.message);
    const empty = await api().patch(`/schedules/${schedule.id}`).send({ task: {} }).expect(400);
    expect(empty.body.errors).toEqual([
      {
        field: 'task',
        messages: [
          'task has nothing to change: give a call field (url, method, headers, body, lambda, sqs, timeoutMs, flowControl), a retry field or callback',
        ],
      },
    ]);
    await api().delete(`/schedules/${schedule.id}`).expect(200);
    await api().post(`/tasks/${task.id}/cancel`).expect(200);
  });

  it('shows the next runs of a Berlin cron across the DST changes: 02:30 skipped in spring, once (after the change) in autumn', async () => {
    const { body: spring } = await api()
      .post('/schedules')
      .send({ cron: '30 2 * * *', timezone: 'Europe/Berlin', startAt: '2027-03-27T00:00:00Z', task: { url: system.target.url('/dst') } })
      .expect(201);
    // 2027-03-28: clocks go from 02:00 to 03:00, so there is no 02:30 that day.
    expect(spring.nextRuns.slice(0, 3)).toEqual(['2027-03-27T01:30:00.000Z', '2027-03-29T00:30:00.000Z', '2027-03-30T00:30:00.000Z']);
    const { body: autumn } = await api()
      .post('/schedules')
      .send({ cron: '30 2 * * *', timezone: 'Europe/Berlin', startAt: '2027-10-30T00:00:00Z', task: { url: system.target.url('/dst') } })
      .expect(201);
    // 2027-10-31: clocks go from 03:00 back to 02:00, so 02:30 happens twice; the server runs
    // the second one only (02:30 CET = 01:30Z), not the first (02:30 CEST = 00:30Z).
    expect(autumn.nextRuns.slice(0, 4)).toEqual([
      '2027-10-30T00:30:00.000Z',
      '2027-10-31T01:30:00.000Z',
      '2027-11-01T01:30:00.000Z',
      '2027-11-02T01:30:00.000Z',
    ]);
    for (const id of [spring.id, autumn.id]) await api().delete(`/schedules/${id}`).expect(200);
  });

  it('lists the caller its schedules, with their timing and next runs, and pages them', async () => {
    const created: string[] = [];
    for (const cron of ['0 9 * * 1-5', '0 18 * * *', '@hourly']) {
      created.push(
        (
          await api()
            .post('/schedules')
            .send({ cron, task: { url: system.target.url('/listed') } })
            .expect(201)
        ).body.id,
      );
    }
    const all = await eventually(async () => {
      const { body } = await api().get('/schedules').query({ limit: 100 }).expect(200);
      return created.every((id) => body.items.some((s: { id: string }) => s.id === id)) ? body.items : undefined;
    });
    const weekday = all.find((s: { id: string }) => s.id === created[0]);
    expect(weekday).toEqual({
      id: created[0],
      name: null,
      owner: system.owner,
      state: 'active',
      cron: '0 9 * * 1-5',
      timezone: 'UTC',
      nextRuns: expect.any(Array),
      tags: {},
    });
    expect(weekday.nextRuns).toHaveLength(5);
    const first = await api().get('/schedules').query({ limit: 2 }).expect(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api().get('/schedules').query({ limit: 2, cursor: first.body.nextCursor }).expect(200);
    expect(second.body.items.map((s: { id: string }) => s.id)).not.toContain(first.body.items[0].id);
    // The last page says that nothing follows, whether it is full or not.
    expect(all.length).toBeLessThan(100);
    const { body: whole } = await api().get('/schedules').query({ limit: 100 }).expect(200);
    expect(whole.nextCursor).toBeNull();
    const { body: exact } = await api().get('/schedules').query({ limit: whole.items.length }).expect(200);
    expect(exact.items).toHaveLength(whole.items.length);
    expect(exact.nextCursor).toBeNull();
    for (const id of created) await api().delete(`/schedules/${id}`).expect(200);
  });

  describe('bad input', () => {
    it.each([
      [{ cron: '61 * * * *' }, 'cron', 'cron minute field: 61 is out of range 0-59'],
      [{ cron: '0 9 * *' }, 'cron', expect.stringContaining('cron must have 5 fields')],
      [
        { cron: '@daily', timezone: 'Mars/Olympus_Mons' },
        'timezone',
        expect.stringContaining('timezone "Mars/Olympus_Mons" is not an IANA time zone'),
      ],
      [{ everyMs: 500 }, 'everyMs', 'everyMs must not be less than 1000'],
      [{ everyMs: 1500 }, 'everyMs', expect.stringContaining('everyMs must be a whole number of seconds')],
      [{ cron: '@daily', startAt: '2027-01-02T00:00:00Z', endAt: '2027-01-01T00:00:00Z' }, 'endAt', 'endAt must be after startAt'],
      [{ cron: '@daily', everyMs: 60000 }, 'everyMs', 'give exactly one of cron, everyMs or at (got cron, everyMs)'],
      [{}, 'cron', 'give exactly one of cron, everyMs or at'],
      [{ at: ['2020-01-01T00:00:00Z'] }, 'at[0]', 'at[0] (2020-01-01T00:00:00Z) is in the past'],
      [{ at: ['tomorrow'] }, 'at', 'at must be an ISO 8601 date-time with an offset, e.g. 2026-11-23T09:00:00Z'],
      [{ cron: '@daily', overlap: 'sometimes' }, 'overlap', 'overlap must be one of skip, bufferOne, allowAll'],
      [{ cron: '@daily', catchupWindowMs: 1000 }, 'catchupWindowMs', 'catchupWindowMs must not be less than 10000'],
    ])('answers 400 to %j naming %s, and creates nothing', async (timing, field, message) => {
      const before = await schedulesCount();
      const res = await api()
        .post('/schedules')
        .send({ ...timing, task: { url: system.target.url('/never') } })
        .expect(400);
      expect(res.body.errors).toContainEqual({ field, messages: [message] });
      expect(await schedulesCount()).toBe(before);
    });

    it('answers 400 naming the task field by path, 404 for unknown or foreign ids, 400 to an empty PATCH', async () => {
      const res = await api()
        .post('/schedules')
        .send({ cron: '@daily', task: { url: 'ftp://x' } })
        .expect(400);
      expect(res.body.errors).toEqual([{ field: 'task.url', messages: ['url must be an http or https URL'] }]);
      const id = 'sched-00000000-0000-0000-0000-000000000000';
      for (const call of [api().get(`/schedules/${id}`), api().post(`/schedules/${id}/pause`), api().delete(`/schedules/${id}`)]) {
        expect((await call.expect(404)).body).toEqual({ statusCode: 404, error: 'Not Found', message: `schedule ${id} not found` });
      }
      const { body: schedule } = await api()
        .post('/schedules')
        .send({ cron: '@daily', task: { url: system.target.url('/x') } })
        .expect(201);
      const empty = await api().patch(`/schedules/${schedule.id}`).send({}).expect(400);
      expect(empty.body.message).toMatch(/^nothing to change/);
      const other = await system.as(`other-${system.owner}`);
      await other.get(`/schedules/${schedule.id}`).expect(404);
      await other.delete(`/schedules/${schedule.id}`).expect(404);
      await api().delete(`/schedules/${schedule.id}`).expect(200);
    });
  });
});
