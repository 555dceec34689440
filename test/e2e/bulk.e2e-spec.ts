import { MockActivityEnvironment } from '@temporalio/testing';
import { BulkActions } from '../../apps/api/src/bulk/bulk-actions';
import { testSystemPerFile, type AuthedApi } from '../support/test-system';
import { eventually } from '../support/wait';

type Job = { id: string; status: string; matched: number; done: number; failed: number; skipped: number; failures: unknown[] };

describe('bulk cancel and retry (e2e, dev server)', () => {
  const system = testSystemPerFile();
  const api = () => system.api();
  const later = { delayMs: 3_600_000 };

  /** Tasks due in an hour, tagged, made `count` at a time. */
  async function scheduledTasks(count: number, tags: Record<string, string>, as: AuthedApi = api()): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 25) {
      const batch = Array.from({ length: Math.min(25, count - i) }, () =>
        as
          .post('/tasks')
          .send({ url: system.target.url('/later'), ...later, tags })
          .expect(201),
      );
      ids.push(...(await Promise.all(batch)).map((r) => r.body.id as string));
    }
    return ids;
  }

  /** Waits until visibility lists `count` runs for the query (lists and counts are eventually consistent). */
  async function listed(path: string, query: Record<string, string | string[]>, count: number, as: AuthedApi = api()): Promise<void> {
    await eventually(async () => {
      const { body } = await as.get(`${path}/counts`).query(query).expect(200);
      return body.all === count ? true : undefined;
    }, 15_000);
  }

  async function completed(id: string, as: AuthedApi = api()): Promise<Job> {
    return eventually(async () => {
      const { body } = await as.get(`/bulk/${id}`).expect(200);
      return body.status === 'completed' ? (body as Job) : undefined;
    }, 60_000);
  }

  async function statusOf(id: string, path = '/tasks'): Promise<string> {
    return (await api().get(`${path}/${id}/status`).expect(200)).body.status as string;
  }

  it('counts what a filter matches with dryRun, and acts on nothing', async () => {
    const ids = await scheduledTasks(3, { campaign: 'dry' });
    await listed('/tasks', { tag: 'campaign:dry' }, 3);
    const { body } = await api()
      .post('/tasks/bulk')
      .send({ action: 'cancel', filter: { tag: ['campaign:dry'] }, dryRun: true })
      .expect(200);
    expect(body).toEqual({ action: 'cancel', filter: { status: 'scheduled', tag: ['campaign:dry'] }, matched: 3, dryRun: true });
    expect(await Promise.all(ids.map((id) => statusOf(id)))).toEqual(['scheduled', 'scheduled', 'scheduled']);
  });

  it('cancels every scheduled task with a tag, over several pages, and reports its progress as it goes', async () => {
    const tagged = await scheduledTasks(230, { campaign: 'x' });
    const [untagged] = await scheduledTasks(1, { campaign: 'y' });
    await listed('/tasks', { tag: 'campaign:x' }, 230);

    const { body: job } = await api()
      .post('/tasks/bulk')
      .send({ action: 'cancel', filter: { tag: ['campaign:x'] } })
      .expect(202);
    expect(job).toMatchObject({ kind: 'task', action: 'cancel', status: 'running', matched: 230, done: 0, failed: 0, finishedAt: null });
    expect(job.id).toMatch(/^bulk-/);

    // Progress shows between the first page and the last.
    const partial = await eventually(async () => {
      const { body } = await api().get(`/bulk/${job.id}`).expect(200);
      return body.done > 0 ? (body as Job) : undefined;
    }, 30_000);
    expect(partial.done).toBeGreaterThan(0);

    const done = await completed(job.id);
    expect(done).toMatchObject({ status: 'completed', matched: 230, done: 230, failed: 0, skipped: 0, failures: [] });
    const sample = [tagged[0], tagged[99], tagged[100], tagged[229]];
    expect(await Promise.all(sample.map((id) => statusOf(id)))).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(await statusOf(untagged)).toBe('scheduled');
    await listed('/tasks', { tag: 'campaign:x', status: 'cancelled' }, 230);
    expect((await api().get('/tasks/counts').query({ tag: 'campaign:x' }).expect(200)).body).toMatchObject({ all: 230, cancelled: 230 });
  });

  it('retries every failed task once: new tasks with retryOf, and never the retries it made itself', async () => {
    system.target.respond('/refuses', () => ({ status: 400, body: { error: 'no' } }));
    const failed = await Promise.all(
      [1, 2, 3].map(
        async () =>
          (
            await api()
              .post('/tasks')
              .send({ url: system.target.url('/refuses'), retries: 0, tags: { batch: 'r' } })
              .expect(201)
          ).body.id as string,
      ),
    );
    await eventually(
      async () => ((await Promise.all(failed.map((id) => statusOf(id)))).every((s) => s === 'failed') ? true : undefined),
      20_000,
    );
    await listed('/tasks', { tag: 'batch:r', status: 'failed' }, 3);

    const { body: job } = await api()
      .post('/tasks/bulk')
      .send({ action: 'retry', filter: { tag: ['batch:r'] } })
      .expect(202);
    expect(job.filter).toEqual({ status: 'failed', tag: ['batch:r'] });
    expect(await completed(job.id)).toMatchObject({ matched: 3, done: 3, failed: 0 });

    // The retries fail too, but were created after the job: it never retried them.
    await listed('/tasks', { tag: 'batch:r' }, 6);
    const { body } = await api().get('/tasks').query({ tag: 'batch:r', limit: '10' }).expect(200);
    const retries = (body.items as Array<{ id: string }>).filter((t) => !failed.includes(t.id));
    const retryOf = await Promise.all(retries.map(async (t) => (await api().get(`/tasks/${t.id}`).expect(200)).body.retryOf as string));
    expect(retryOf.sort()).toEqual([...failed].sort());
    // Each retry calls the target again (due now: under load, a moment after the job is done).
    await eventually(() => Promise.resolve(system.target.requests('/refuses').length >= 6 ? true : undefined), 20_000);
    expect(system.target.requests('/refuses')).toHaveLength(6);
  });

  it('acts on each run once: a page acted on again (its activity retried) answers as the first time, and creates nothing more', async () => {
    const toCancel = await scheduledTasks(3, { again: 'cancel' });
    await listed('/tasks', { tag: 'again:cancel' }, 3);
    system.target.respond('/refuses-again', () => ({ status: 400 }));
    const toRetry = (
      await api()
        .post('/tasks')
        .send({ url: system.target.url('/refuses-again'), retries: 0, tags: { again: 'retry' } })
        .expect(201)
    ).body.id as string;
    await eventually(async () => ((await statusOf(toRetry)) === 'failed' ? true : undefined), 20_000);
    await listed('/tasks', { tag: 'again:retry', status: 'failed' }, 1);

    const actions = system.app.get(BulkActions);
    const caller = { sub: system.owner, admin: false };
    const page = (action: 'cancel' | 'retry', tag: string, status: string) => ({
      jobId: 'bulk-00000000-0000-4000-8000-000000000001',
      kind: 'task' as const,
      action,
      caller,
      query: `TaskKind = 'task' AND TaskOwner = '${system.owner}' AND TaskTags = '${tag}' AND TaskStatus = '${status}'`,
      pageToken: '',
    });
    const env = new MockActivityEnvironment();
    const first = await env.run(() => actions.actOnPage(page('cancel', 'again:cancel', 'scheduled')));
    expect(first).toMatchObject({ done: 3, failed: 0, nextPageToken: '' });
    // The same page, as a retried attempt carries it from its heartbeat: runs now cancelled, by this job.
    const resumed = new MockActivityEnvironment({
      heartbeatDetails: { ids: toCancel, nextPageToken: '', outcomes: [null, null, null] },
    });
    expect(await resumed.run(() => actions.actOnPage(page('cancel', 'again:cancel', 'scheduled')))).toMatchObject({ done: 3, failed: 0 });
    // Another job's cancel of them is refused as the single call would be.
    const otherJob = new MockActivityEnvironment({ heartbeatDetails: { ids: toCancel.slice(0, 1), nextPageToken: '', outcomes: [null] } });
    expect(await otherJob.run(() => actions.actOnPage({ ...page('cancel', 'again:cancel', 'scheduled'), jobId: 'bulk-other' }))).toEqual({
      done: 0,
      failed: 1,
      failures: [{ id: toCancel[0], statusCode: 409, message: 'task is cancelled; only a scheduled task can be changed or cancelled' }],
      nextPageToken: '',
    });

    const retried = await env.run(() => actions.actOnPage(page('retry', 'again:retry', 'failed')));
    expect(retried).toMatchObject({ done: 1, failed: 0 });
    const again = new MockActivityEnvironment({ heartbeatDetails: { ids: [toRetry], nextPageToken: '', outcomes: [null] } });
    expect(await again.run(() => actions.actOnPage(page('retry', 'again:retry', 'failed')))).toMatchObject({ done: 1, failed: 0 });
    await listed('/tasks', { tag: 'again:retry' }, 2);
    // Still 2 a moment later: the second attempt found the retry the first had made.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await api().get('/tasks/counts').query({ tag: 'again:retry' }).expect(200)).body.all).toBe(2);
  });

  it('counts a run the single call would refuse as failed, with that answer', async () => {
    // Due in 2.5 s: still scheduled when the job lists it, but past its change cut-off (1.5 s before) when acted on.
    const created = Date.now();
    const { body: soon } = await api()
      .post('/tasks')
      .send({ url: system.target.url('/soon'), delayMs: 2_500, tags: { race: 'cutoff' } })
      .expect(201);
    await listed('/tasks', { tag: 'race:cutoff' }, 1);
    await new Promise((resolve) => setTimeout(resolve, created + 1_200 - Date.now()));
    const { body: job } = await api()
      .post('/tasks/bulk')
      .send({ action: 'cancel', filter: { ids: [soon.id] } })
      .expect(202);
    expect(await completed(job.id)).toMatchObject({
      matched: 1,
      done: 0,
      failed: 1,
      failures: [{ id: soon.id, statusCode: 409, message: 'task is running; only a scheduled task can be changed or cancelled' }],
    });
    expect(await eventually(async () => ((await statusOf(soon.id)) === 'completed' ? 'completed' : undefined), 10_000)).toBe('completed');
  });

  it('cancels scheduled orchestrations in bulk', async () => {
    const orchestration = () =>
      api()
        .post('/orchestrations')
        .send({
          steps: [{ url: system.target.url('/o') }],
          conditionCheck: { url: system.target.url('/o-check') },
          initialDelayMs: 3_600_000,
          tags: { bulk: 'orch' },
        })
        .expect(201);
    const ids = (await Promise.all([orchestration(), orchestration()])).map((r) => r.body.id as string);
    await listed('/orchestrations', { tag: 'bulk:orch' }, 2);
    const { body: job } = await api()
      .post('/orchestrations/bulk')
      .send({ action: 'cancel', filter: { tag: ['bulk:orch'] } })
      .expect(202);
    expect(job.kind).toBe('orchestration');
    expect(await completed(job.id)).toMatchObject({ matched: 2, done: 2, failed: 0 });
    expect(await Promise.all(ids.map((id) => statusOf(id, '/orchestrations')))).toEqual(['cancelled', 'cancelled']);
  });

  describe('whose runs', () => {
    it("refuses another owner's runs to a user who is not an admin (403)", async () => {
      const { body } = await api()
        .post('/tasks/bulk')
        .send({ action: 'cancel', filter: { owner: 'someone-else' } })
        .expect(403);
      expect(body.message).toBe("only an admin may act on another user's runs (filter.owner)");
    });

    it("lets an admin cancel another user's runs, but not retry them", async () => {
      const alice = await system.as(`alice-${system.owner}`);
      const admin = await system.as(`admin-${system.owner}`, { admin: true });
      const [aliceTask] = await scheduledTasks(1, { who: 'alice' }, alice);
      await listed('/tasks', { tag: 'who:alice' }, 1, alice);
      const owner = `alice-${system.owner}`;
      const { body: refused } = await admin
        .post('/tasks/bulk')
        .send({ action: 'retry', filter: { owner, status: 'cancelled' } })
        .expect(403);
      expect(refused.message).toBe("an admin may cancel other users' runs in bulk, but not retry them (filter.owner)");

      const { body: job } = await admin
        .post('/tasks/bulk')
        .send({ action: 'cancel', filter: { owner, tag: ['who:alice'] } })
        .expect(202);
      expect(await completed(job.id, admin)).toMatchObject({ matched: 1, done: 1, failed: 0 });
      expect((await alice.get(`/tasks/${aliceTask}/status`).expect(200)).body.status).toBe('cancelled');
      // The job is the admin's: alice cannot read it; the admin's own list of alice's tasks shows the cancel.
      await alice.get(`/bulk/${job.id}`).expect(404);
    });

    it("answers 404 for another user's job, and for an id that is not a job", async () => {
      const { body: job } = await api()
        .post('/tasks/bulk')
        .send({ action: 'cancel', filter: { tag: ['none:here'] } })
        .expect(202);
      const bob = await system.as(`bob-${system.owner}`);
      await bob.get(`/bulk/${job.id}`).expect(404);
      await api().get('/bulk/not-a-job').expect(404);
      expect(await completed(job.id)).toMatchObject({ matched: 0, done: 0, failed: 0, skipped: 0 });
    });
  });

  describe('bad input', () => {
    it.each([
      [{ action: 'delete' }, 'action', 'action must be one of cancel, retry'],
      [{ action: 'cancel', filter: { status: 'completed' } }, 'filter.status', 'status must be one of scheduled, failed, cancelled'],
      [
        { action: 'cancel', filter: { status: 'failed' } },
        'filter.status',
        'filter.status must be scheduled to cancel: a failed task cannot be',
      ],
      [
        { action: 'retry', filter: { status: 'scheduled' } },
        'filter.status',
        'filter.status must be failed or cancelled to retry: a scheduled task cannot be',
      ],
      [
        { action: 'cancel', filter: { tag: ['has space:x'] } },
        'filter.tag',
        'tag must be key:value (key a-z 0-9 _ . -, up to 40; value up to 100 characters)',
      ],
      [
        { action: 'cancel', filter: { createdAfter: 'yesterday' } },
        'filter.createdAfter',
        'createdAfter must be an ISO 8601 date-time with an offset, e.g. 2026-11-23T09:00:00Z',
      ],
      [{ action: 'cancel', filter: { ids: ['nope'] } }, 'filter.ids', 'each of ids must be a task or orchestration id'],
      // An empty selection would otherwise mean "every run that matches".
      [{ action: 'cancel', filter: { ids: [] } }, 'filter.ids', 'ids must name at least 1 run (leave it out for every run that matches)'],
      [{ action: 'cancel', dryRun: 'yes' }, 'dryRun', 'dryRun must be true or false'],
      [{ action: 'cancel', dryRun: null }, 'dryRun', 'dryRun must be true or false'],
    ])('answers 400 naming the field for %j', async (request, field, message) => {
      const { body } = await api().post('/tasks/bulk').send(request).expect(400);
      expect(body.errors).toEqual([{ field, messages: [message] }]);
    });

    it('takes null for no field (null is not "left out"), and a tag filter only as an array', async () => {
      const requests: Array<[Record<string, unknown>, string]> = [
        [{ filter: null }, 'filter'],
        ...['owner', 'status', 'tag', 'createdBefore'].map((field): [Record<string, unknown>, string] => [
          { filter: { [field]: null } },
          `filter.${field}`,
        ]),
        [{ filter: { tag: 'campaign:x' } }, 'filter.tag'],
      ];
      for (const [request, field] of requests) {
        const { body } = await api()
          .post('/tasks/bulk')
          .send({ action: 'cancel', dryRun: true, ...request })
          .expect(400);
        expect(body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
      }
    });
  });
});
