import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { formatDuration } from '../../apps/dashboard/src/format';
import { testSystemPerFile, testToken, type AuthedApi } from '../support/test-system';
import { eventually } from '../support/wait';
import { browserPerFile, screenshot, shownTime } from './support/browser';
import { diagram, eventuallyExpect, recordRequests, rowNames, signInWithToken, statusTabs, tableRows } from './support/dashboard';

jest.setTimeout(90_000);

describe('failing runs in the dashboard: retry, select and act, tags, callbacks, flow control (Chromium, API, worker, loopback target)', () => {
  const system = testSystemPerFile();
  let page: Page;
  browserPerFile((p) => (page = p));
  const url = (path: string) => system.target.url(path);

  async function ended<T extends { status: string }>(as: AuthedApi, path: string, until = (r: T) => r.status !== 'scheduled'): Promise<T> {
    return eventually(async () => {
      const { body } = await as.get(path).expect(200);
      return until(body as T) && ['completed', 'failed', 'cancelled'].includes((body as T).status) ? (body as T) : undefined;
    }, 20_000);
  }

  it('shows failed runs with when each ended, the latest first; retries one and links the new run, which says what it retries', async () => {
    const { sub, as } = await system.newUser('retrier');
    system.target.failTimes('/runs/flaky', 1, 503);
    system.target.respond('/runs/broken', () => ({ status: 500, body: { error: 'down' } }));
    // Made first but due later: it ends last, so it is listed first.
    const { body: later } = await as
      .post('/tasks')
      .send({ name: 'invoice 6', url: url('/runs/broken'), delayMs: 2_000 })
      .expect(201);
    const { body: task } = await as
      .post('/tasks')
      .send({ name: 'invoice 7', url: url('/runs/flaky') })
      .expect(201);
    const { body: orchestration } = await as
      .post('/orchestrations')
      .send({ name: 'order 8', steps: [{ url: url('/runs/broken') }], conditionCheck: { url: url('/runs/ready'), method: 'GET' } })
      .expect(201);
    expect((await ended<{ status: string }>(as, `/tasks/${task.id}`)).status).toBe('failed');
    expect((await ended<{ status: string }>(as, `/orchestrations/${orchestration.id}`)).status).toBe('failed');
    expect((await ended<{ status: string }>(as, `/tasks/${later.id}`)).status).toBe('failed');
    // When each ended, as the lists say (visibility's close time).
    const endOf = async (collection: string, id: string) =>
      eventually(async () => {
        const { body } = await as.get(`/${collection}`).query({ status: 'failed' }).expect(200);
        return (body.items as Array<{ id: string; finishedAt: string | null }>).find((r) => r.id === id)?.finishedAt ?? undefined;
      }, 10_000);
    const [laterEnded, taskEnded, orchestrationEnded] = [
      await endOf('tasks', later.id),
      await endOf('tasks', task.id),
      await endOf('orchestrations', orchestration.id),
    ];
    expect(Date.parse(laterEnded)).toBeGreaterThan(Date.parse(taskEnded));

    await signInWithToken(page, system.baseUrl, await testToken(sub), '/ui/failed');
    const tasks = page.locator('table[data-collection="tasks"] tbody tr');
    await eventuallyExpect(
      () => tableRows(page),
      (rows) =>
        expect(rows).toEqual([
          ['invoice 6', `POST ${url('/runs/broken')}`, shownTime(later.runAt), shownTime(laterEnded), 'Retry'],
          ['invoice 7', `POST ${url('/runs/flaky')}`, shownTime(task.runAt), shownTime(taskEnded), 'Retry'],
          ['order 8', '1 step', shownTime(orchestration.runAt), shownTime(orchestrationEnded), 'Retry'],
        ]),
    );
    await expect(page.locator('table[data-collection="tasks"] caption').textContent()).resolves.toBe(
      'Failed tasks, the latest to end first',
    );
    await screenshot(page, 'failed-runs');

    const retry = page.waitForResponse((r) => r.url().endsWith(`/tasks/${task.id}/retry`));
    await page.getByRole('button', { name: 'Retry invoice 7' }).click();
    const created = await (await retry).json();
    expect([created.status, created.retryOf, created.name]).toEqual(['scheduled', task.id, 'invoice 7']);
    const retried = tasks.nth(1).locator('.retried');
    await expect(retried.textContent()).resolves.toBe(`Retried as ${created.id}`);

    await retried.getByRole('link', { name: created.id }).click();
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await expect(page.locator('.retry-of').textContent()).resolves.toBe(`Retry of ${task.id}`);
    expect(system.target.requests('/runs/flaky').map((r) => r.headers['x-task-id'])).toEqual([task.id, created.id]);
    // Back on the original: failed still, and it can be retried from its own page too.
    await page.getByRole('link', { name: task.id }).click();
    await page.locator('h1 .badge', { hasText: 'failed' }).waitFor();
    await expect(page.getByRole('button', { name: 'Retry', exact: true }).count()).resolves.toBe(1);
  });

  it('cancels two selected scheduled tasks in one bulk job and shows its progress until done 2 of 2', async () => {
    const { sub, as } = await system.newUser('bulk');
    const later = async (name: string) =>
      (
        await as
          .post('/tasks')
          .send({ name, url: url('/runs/later'), delayMs: 3_600_000 })
          .expect(201)
      ).body as { id: string };
    const [a, b, c] = [await later('reminder a'), await later('reminder b'), await later('reminder c')];
    await signInWithToken(page, system.baseUrl, await testToken(sub));
    await eventuallyExpect(
      () => rowNames(page),
      (names) => expect(names).toEqual(['reminder c', 'reminder b', 'reminder a']),
    );
    await page.getByLabel('Select reminder a').check();
    await page.getByLabel('Select reminder b').check();
    await expect(page.getByRole('region', { name: 'Selected' }).locator('span').first().textContent()).resolves.toBe('2 selected');
    const posts = recordRequests(page, 'POST', '/tasks/bulk');

    await page.getByRole('button', { name: 'Cancel selected' }).click();
    await expect(page.getByRole('group', { name: 'Cancel 2 scheduled tasks?' }).count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Yes, cancel them' }).click();
    const job = page.getByRole('region', { name: 'Bulk job: Cancel 2 tasks' });
    await job.locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await expect(job.locator('.bulk-counts').textContent()).resolves.toBe('done 2 · failed 0 · skipped 0 · of 2 matched');
    const bar = job.locator('progress');
    await expect(Promise.all([bar.getAttribute('value'), bar.getAttribute('max')])).resolves.toEqual(['2', '2']);
    expect(posts.map((p) => p.postDataJSON())).toEqual([{ action: 'cancel', filter: { ids: [a.id, b.id], status: 'scheduled' } }]);
    expect(posts[0].headers()['idempotency-key']).toMatch(/^dash-[0-9a-f]{32}$/);

    const statuses = async () =>
      Promise.all([a, b, c].map(async (t) => (await as.get(`/tasks/${t.id}`).expect(200)).body.status as string));
    await expect(statuses()).resolves.toEqual(['cancelled', 'cancelled', 'scheduled']);
    // The list and its counts were read again when the job completed.
    const icons: Record<string, string> = { scheduled: '◷', cancelled: '⊘' };
    await eventuallyExpect(
      async () => ({
        shown: (await tableRows(page)).map((r) => [r[0], r[1]]),
        listed: ((await as.get('/tasks').expect(200)).body.items as Array<{ name: string; status: string }>).map((t) => [
          t.name,
          `${icons[t.status]} ${t.status}`,
        ]),
      }),
      ({ shown, listed }) => {
        expect(shown).toEqual(listed);
        expect(shown.map(([name, status]) => `${name}: ${status}`).sort()).toEqual([
          'reminder a: ⊘ cancelled',
          'reminder b: ⊘ cancelled',
          'reminder c: ◷ scheduled',
        ]);
      },
    );
    await eventuallyExpect(
      () => statusTabs(page),
      (tabs) =>
        expect(tabs).toEqual([
          ['All', '3'],
          ['Scheduled', '1'],
          ['Running', '0'],
          ['Completed', '0'],
          ['Failed', '0'],
          ['Cancelled', '2'],
        ]),
    );
    await expect(page.getByRole('region', { name: 'Selected' }).count()).resolves.toBe(0);
    await screenshot(page, 'bulk-cancel');
  });

  it('retries the selected failed tasks in one bulk job: its progress until done 2 of 2, the new runs listed, a scheduled one left as it is', async () => {
    const { sub, as } = await system.newUser('bulk-retry');
    system.target.failTimes('/runs/export-a', 1, 500);
    system.target.failTimes('/runs/export-b', 1, 500);
    const make = async (name: string, path: string, delayMs?: number) =>
      (
        await as
          .post('/tasks')
          .send({ name, url: url(path), delayMs })
          .expect(201)
      ).body as { id: string };
    const a = await make('export a', '/runs/export-a');
    const b = await make('export b', '/runs/export-b');
    const c = await make('export c', '/runs/export-c', 3_600_000);
    expect((await ended<{ status: string }>(as, `/tasks/${a.id}`)).status).toBe('failed');
    expect((await ended<{ status: string }>(as, `/tasks/${b.id}`)).status).toBe('failed');

    await signInWithToken(page, system.baseUrl, await testToken(sub));
    await eventuallyExpect(
      async () => (await tableRows(page)).map((r) => [r[0], r[1]]).sort(),
      (rows) =>
        expect(rows).toEqual([
          ['export a', '✕ failed'],
          ['export b', '✕ failed'],
          ['export c', '◷ scheduled'],
        ]),
    );
    for (const name of ['export a', 'export b', 'export c']) await page.getByLabel(`Select ${name}`).check();
    const posts = recordRequests(page, 'POST', '/tasks/bulk');
    await page.getByRole('button', { name: 'Retry selected' }).click();

    const job = page.getByRole('region', { name: 'Bulk job: Retry 2 tasks' });
    await job.locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await expect(job.locator('.bulk-counts').textContent()).resolves.toBe('done 2 · failed 0 · skipped 0 · of 2 matched');
    const bar = job.locator('progress');
    await expect(Promise.all([bar.getAttribute('value'), bar.getAttribute('max')])).resolves.toEqual(['2', '2']);
    await expect(job.locator('p.muted').textContent()).resolves.toBe(
      'Each retry is a new task, in the list now, that names the one it retries.',
    );
    await expect(page.locator('.outcome .notice').textContent()).resolves.toBe(
      '1 selected task left as it is: only a failed or cancelled one can be retried.',
    );
    expect(posts.map((p) => p.postDataJSON())).toEqual([{ action: 'retry', filter: { ids: [a.id, b.id], status: 'failed' } }]);

    // The new runs: one per failed task, each naming the one it retries, and called again.
    const listed = async () => ((await as.get('/tasks').expect(200)).body.items as Array<{ id: string }>).map((t) => t.id);
    const retries = await eventually(async () => {
      const ids = (await listed()).filter((id) => ![a.id, b.id, c.id].includes(id));
      return ids.length === 2 ? ids : undefined;
    }, 10_000);
    const again = await Promise.all(retries.map((id) => ended<{ name: string; status: string; retryOf: string }>(as, `/tasks/${id}`)));
    expect(again.map((t) => [t.name, t.status, t.retryOf]).sort()).toEqual([
      ['export a', 'completed', a.id],
      ['export b', 'completed', b.id],
    ]);
    expect(system.target.calledPaths('/runs/export-')).toEqual(expect.arrayContaining(['a', 'a', 'b', 'b']));
    expect(system.target.calledPaths('/runs/export-')).toHaveLength(4);
    await eventuallyExpect(
      async () => (await tableRows(page)).map((r) => [r[0], r[1]]).sort(),
      (rows) =>
        expect(rows).toEqual([
          ['export a', '✓ completed'],
          ['export a', '✕ failed'],
          ['export b', '✓ completed'],
          ['export b', '✕ failed'],
          ['export c', '◷ scheduled'],
        ]),
      20_000,
    );
    await screenshot(page, 'bulk-retry');
  });

  it('retries a failed orchestration from the step picked on its page: the steps before it are not called again', async () => {
    const { sub, as } = await system.newUser('from-step');
    system.target.failTimes('/runs/fs/c', 1, 500);
    const { body: orchestration } = await as
      .post('/orchestrations')
      .send({
        name: 'order 9',
        steps: [{ url: url('/runs/fs/a') }, { url: url('/runs/fs/b') }, { url: url('/runs/fs/c') }],
        conditionCheck: { url: url('/runs/fs/check'), method: 'GET' },
      })
      .expect(201);
    expect((await ended<{ status: string }>(as, `/orchestrations/${orchestration.id}`)).status).toBe('failed');
    expect(system.target.calledPaths('/runs/fs/')).toEqual(['a', 'check', 'b', 'check', 'c']);

    await signInWithToken(page, system.baseUrl, await testToken(sub), `/ui/orchestrations/${orchestration.id}`);
    await page.locator('h1 .badge', { hasText: 'failed' }).waitFor();
    const fromStep = page.getByLabel('From step');
    await expect(fromStep.locator('option').allTextContents()).resolves.toEqual(['1', '2', '3 (the one that failed)']);
    await expect(fromStep.inputValue()).resolves.toBe('3');
    await fromStep.selectOption('2');
    const retry = page.waitForResponse((r) => r.url().endsWith(`/orchestrations/${orchestration.id}/retry`));
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    const response = await retry;
    expect(response.request().postDataJSON()).toEqual({ fromStep: 2 });
    const created = (await response.json()) as { id: string };
    await page.getByText('Retried: this orchestration is the new run, due now.').waitFor();
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/ui/orchestrations/${created.id}`);
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await expect(page.locator('.retry-of').textContent()).resolves.toBe(`Retry of ${orchestration.id}`);
    await expect(diagram(page)).resolves.toEqual([
      ['Step 1', 'passed', `✓ passed Step 1 POST ${url('/runs/fs/b')} · 1 attempt · last HTTP 200`],
      ['Check after step 1', 'passed', `✓ passed Check after step 1 GET ${url('/runs/fs/check')} · 1 try · last HTTP 200`],
      ['Step 2', 'passed', `✓ passed Step 2 POST ${url('/runs/fs/c')} · 1 attempt · last HTTP 200`],
      ['Check after step 2', 'passed', `✓ passed Check after step 2 GET ${url('/runs/fs/check')} · 1 try · last HTTP 200`],
    ]);
    const { body: again } = await as.get(`/orchestrations/${created.id}`).expect(200);
    expect(again).toMatchObject({ retryOf: orchestration.id, stepCount: 2, status: 'completed' });
    expect(system.target.calledPaths('/runs/fs/')).toEqual(['a', 'check', 'b', 'check', 'c', 'b', 'check', 'c', 'check']);
  });

  it('narrows a list to the runs with every tag of the filter, and shows each run its tags as chips', async () => {
    const { sub, as } = await system.newUser('tagger');
    const make = async (name: string, tags: Record<string, string>) =>
      (
        await as
          .post('/tasks')
          .send({ name, url: url('/runs/tagged'), delayMs: 3_600_000, tags })
          .expect(201)
      ).body as { id: string };
    const winter = await make('winter sale 42', { customer: '42', campaign: 'winter' });
    await make('plain 42', { customer: '42' });
    await make('customer 7', { customer: '7' });

    await signInWithToken(page, system.baseUrl, await testToken(sub));
    await eventuallyExpect(
      () => rowNames(page),
      (names) => expect(names).toEqual(['customer 7', 'plain 42', 'winter sale 42']),
    );
    const chips = page.locator('tr', { has: page.getByRole('link', { name: 'winter sale 42' }) }).locator('.tags li');
    const listed = (await as.get('/tasks').expect(200)).body.items.find((t: { id: string }) => t.id === winter.id);
    expect(listed.tags).toEqual({ customer: '42', campaign: 'winter' });
    await expect(chips.allTextContents()).resolves.toEqual(
      Object.entries(listed.tags as Record<string, string>).map(([k, v]) => `${k}:${v}`),
    );

    await page.getByLabel('Filter by tag').fill('customer');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect(page.locator('#tag-filter-error').textContent()).resolves.toBe(
      'give key:value, e.g. customer:42 (the key: a-z 0-9 _ . -, up to 40)',
    );
    await page.getByLabel('Filter by tag').fill('customer:42');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await eventuallyExpect(
      () => rowNames(page),
      (names) => expect(names).toEqual(['plain 42', 'winter sale 42']),
    );
    expect(new URL(page.url()).searchParams.getAll('tag')).toEqual(['customer:42']);
    await eventuallyExpect(
      () => statusTabs(page),
      (tabs) =>
        expect(tabs.slice(0, 2)).toEqual([
          ['All', '2'],
          ['Scheduled', '2'],
        ]),
    );
    // A chip adds its tag to the filter.
    await chips.getByRole('link', { name: 'campaign:winter' }).click();
    await eventuallyExpect(
      () => rowNames(page),
      (names) => expect(names).toEqual(['winter sale 42']),
    );
    expect(new URL(page.url()).searchParams.getAll('tag')).toEqual(['customer:42', 'campaign:winter']);
    await expect(page.getByRole('list', { name: 'Tag filters, all must match' }).locator('li').allInnerTexts()).resolves.toEqual([
      'customer:42 ×',
      'campaign:winter ×',
    ]);
    await page.getByRole('button', { name: 'Remove the tag filter customer:42' }).click();
    await eventuallyExpect(
      () => rowNames(page),
      (names) => expect(names).toEqual(['winter sale 42']),
    );
    expect(new URL(page.url()).searchParams.getAll('tag')).toEqual(['campaign:winter']);
    await page.getByRole('button', { name: 'Remove the tag filter campaign:winter' }).click();
    await eventuallyExpect(
      () => rowNames(page),
      (names) => expect(names).toHaveLength(3),
    );
    await screenshot(page, 'tag-filter');
  });

  it("shows a task's callback outcome, and how long its call waited its turn under flow control", async () => {
    const { sub, as } = await system.newUser('flow');
    const key = `partner-${randomUUID().slice(0, 8)}`;
    const runAt = new Date(Date.now() + 2_000).toISOString();
    const made = await Promise.all(
      ['first', 'second'].map(
        async (name) =>
          (
            await as
              .post('/tasks')
              .send({
                name,
                url: url('/runs/partner'),
                runAt,
                flowControl: { key, ratePerSecond: 1 },
                callback: { url: url('/runs/hook'), method: 'POST' },
              })
              .expect(201)
          ).body as { id: string },
      ),
    );
    const done = await Promise.all(
      made.map((t) =>
        ended<{ status: string; attempts: Array<{ waitedMs?: number }>; callback: { status: string; attempts: unknown[] } }>(
          as,
          `/tasks/${t.id}`,
          (r) => r.callback.status === 'completed',
        ),
      ),
    );
    expect(done.map((t) => [t.status, t.callback.status, t.callback.attempts.length])).toEqual([
      ['completed', 'completed', 1],
      ['completed', 'completed', 1],
    ]);
    // The two went out a second apart: the later one waited its turn.
    const waited = done.map((t) => t.attempts[0].waitedMs ?? 0);
    const waitedMs = Math.max(...waited);
    const later = made[waited.indexOf(waitedMs)];
    expect(waitedMs).toBeGreaterThan(500);

    await signInWithToken(page, system.baseUrl, await testToken(sub), `/ui/tasks/${later.id}`);
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor();
    const wait = page.getByRole('list', { name: 'Attempts, in order' }).locator('.waited');
    await expect(wait.textContent()).resolves.toBe(`waited its turn ${formatDuration(waitedMs)} (flow control)`);
    await expect(wait.getAttribute('title')).resolves.toBe(`${waitedMs} ms`);
    await expect(page.locator('.flow-control').textContent()).resolves.toBe(`at most 1 a second, shared by your calls with key ${key}`);
    const callback = page.locator('section', { has: page.getByRole('heading', { name: 'Callback' }) });
    await expect(callback.locator('.callback-outcome').textContent()).resolves.toBe('✓ completed after 1 attempt');
    await expect(callback.locator('dd').first().textContent()).resolves.toBe(`POST ${url('/runs/hook')}`);
    await expect(page.getByRole('list', { name: 'Callback attempts, in order' }).locator('.attempt-head').allInnerTexts()).resolves.toEqual(
      ['Attempt 1\nHTTP 200\nsucceeded'],
    );
    const hooks = system.target.requests('/runs/hook').map((r) => JSON.parse(r.body) as { id: string; status: string });
    expect(hooks.map((h) => [h.id, h.status]).sort()).toEqual(made.map((t) => [t.id, 'completed']).sort());
    await screenshot(page, 'task-callback-flow');
  });
  it('shows the Retry-After of a 429 on its attempt, and the wait before the next one', async () => {
    const { sub, as } = await system.newUser('patient');
    system.target.respond('/runs/busy', (n) =>
      n === 0 ? { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    const { body: task } = await as
      .post('/tasks')
      .send({ name: 'busy partner', url: url('/runs/busy'), retries: 1, retryIntervalMs: 100 })
      .expect(201);
    const done = await ended<{ status: string; attempts: Array<{ retryAfterMs?: number; finishedAt: string; startedAt: string }> }>(
      as,
      `/tasks/${task.id}`,
    );
    expect([done.status, done.attempts[0].retryAfterMs, done.attempts[1].retryAfterMs]).toEqual(['completed', 2_000, undefined]);
    expect(Date.parse(done.attempts[1].startedAt) - Date.parse(done.attempts[0].finishedAt)).toBeGreaterThanOrEqual(2_000);

    await signInWithToken(page, system.baseUrl, await testToken(sub), `/ui/tasks/${task.id}`);
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor();
    const attempts = page.getByRole('list', { name: 'Attempts, in order' }).getByRole('listitem');
    await expect(attempts.locator('.retry-after').allTextContents()).resolves.toEqual([
      'Retry-After 2 s: the next attempt waited at least that',
    ]);
    await expect(attempts.nth(0).locator('.retry-after').getAttribute('title')).resolves.toBe('2000 ms');
    await expect(attempts.locator('.attempt-head').allInnerTexts()).resolves.toEqual([
      'Attempt 1\nHTTP 429\nfailed',
      'Attempt 2\nHTTP 200\nsucceeded',
    ]);
  });

  it('creates a task with tags and a callback from the form, and shows both on its page', async () => {
    const { sub } = await system.newUser('former');
    await signInWithToken(page, system.baseUrl, await testToken(sub), '/ui/tasks/new');
    await page.getByLabel('Name (optional)').fill('tagged report');
    await page.getByRole('group', { name: 'Call', exact: true }).getByLabel('URL').fill(url('/runs/report'));
    await page.getByRole('button', { name: 'Add a tag' }).click();
    await page.getByLabel('Tag 1 key').fill('customer');
    await page.getByLabel('Tag 1 value').fill('42');
    await page.getByLabel('Make a call once the run ends, with its outcome').check();
    const callback = page.getByRole('group', { name: 'Callback call' });
    await callback.getByLabel('URL').fill(url('/runs/done-hook'));
    await page.getByLabel('cancelled').check();
    const posts = recordRequests(page, 'POST', '/tasks');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByText('Task created: tagged report.').waitFor();
    expect(posts.map((p) => p.postDataJSON())).toEqual([
      {
        name: 'tagged report',
        url: url('/runs/report'),
        method: 'POST',
        tags: { customer: '42' },
        callback: { url: url('/runs/done-hook'), method: 'POST', on: ['completed', 'failed', 'cancelled'] },
      },
    ]);
    await page.locator('.callback-outcome', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await expect(page.locator('.detail-head .tags li').allTextContents()).resolves.toEqual(['customer:42']);
    await expect(page.locator('.callback-outcome').textContent()).resolves.toBe('✓ completed after 1 attempt');
    const hook = JSON.parse(system.target.requests('/runs/done-hook')[0].body) as { status: string; kind: string; attempts: number };
    expect([hook.kind, hook.status, hook.attempts]).toEqual(['task', 'completed', 1]);
  });
});
