import { randomUUID } from 'node:crypto';
import type { Page, Request } from 'playwright-core';
import { LambdaTarget } from '../support/lambda-target';
import { SqsTarget } from '../support/sqs-target';
import { testSystemPerFile, testToken, type AuthedApi } from '../support/test-system';
import { eventually } from '../support/wait';
import { browserPerFile, inPage, markWindow, screenshot, setTabHidden, shownTime } from './support/browser';
import { eventuallyExpect, recordRequests, rowNames, signInWithToken, statusTabs, tableRows } from './support/dashboard';

jest.setTimeout(90_000);

describe('tasks in the dashboard (Chromium, API, worker, loopback HTTP, Lambda and SQS targets)', () => {
  let lambda: LambdaTarget;
  let sqs: SqsTarget;
  let restoreEnv: Array<() => void>;
  let page: Page;
  const api = () => system.api();

  beforeAll(async () => {
    lambda = await LambdaTarget.start({ region: 'eu-central-1' });
    sqs = await SqsTarget.start('eu-central-1');
    restoreEnv = [lambda.useAsAwsEndpoint(), sqs.useAsAwsEndpoint()];
  });
  const system = testSystemPerFile({ TEMPORAL_UI_URL: 'http://127.0.0.1:8233' });
  browserPerFile((p) => (page = p));
  afterAll(async () => {
    for (const restore of restoreEnv?.reverse() ?? []) restore();
    await lambda?.stop();
    await sqs?.stop();
  });

  async function finished(id: string, as: AuthedApi = api()) {
    return eventually(async () => {
      const { body } = await as.get(`/tasks/${id}`).expect(200);
      return ['completed', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
    }, 20_000);
  }

  async function laterTask(name: string, as: AuthedApi = api(), delayMs = 3_600_000) {
    return (
      await as
        .post('/tasks')
        .send({ name, url: system.target.url('/later'), delayMs })
        .expect(201)
    ).body;
  }

  it('creates a task from the form and shows it go from scheduled to completed, attempt by attempt, without a reload', async () => {
    system.target.failTimes('/report', 1, 503);
    const alice = `alice-${randomUUID().slice(0, 8)}`;
    await signInWithToken(page, system.baseUrl, await testToken(alice));
    await page.getByRole('link', { name: 'New task' }).click();
    await page.getByLabel('Name (optional)').fill('report 42');
    await page.getByLabel('URL').fill(system.target.url('/report'));
    await page.getByLabel('Headers (JSON object)').fill('{"x-api-key": "k-123"}');
    await page.getByLabel('Body (JSON)').fill('{"reportId": 42}');
    await page.getByLabel('Retries').fill('2');
    await page.getByLabel('First retry after (ms)').fill('200');
    await page.getByLabel('After a delay').check();
    await page.getByLabel('Delay (ms)').fill('2500');
    await page.getByRole('button', { name: 'Create task' }).click();

    await page.getByText('Task created: report 42.').waitFor();
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expect(id).toMatch(/^task-[0-9a-f-]{36}$/);
    await expect(page.locator('h1 .badge').textContent()).resolves.toBe('◷ scheduled');
    const notReloaded = await markWindow(page);
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await expect(notReloaded()).resolves.toBe(true);

    const task = await finished(id, await system.as(alice));
    expect(task.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 200]);
    const attempts = page.getByRole('list', { name: 'Attempts, in order' }).getByRole('listitem');
    await expect(attempts.locator('.attempt-head').allInnerTexts()).resolves.toEqual([
      'Attempt 1\nHTTP 503\nfailed',
      'Attempt 2\nHTTP 200\nsucceeded',
    ]);
    const facts = page.locator('section', { has: page.getByRole('heading', { name: 'Timing' }) }).locator('dd');
    await expect(facts.nth(0).textContent()).resolves.toBe(`${shownTime(task.runAt)}.${task.runAt.slice(20, 23)}`);
    await expect(facts.nth(4).textContent()).resolves.toBe(
      `${task.attempts[0].startedAt === task.runAt ? 'on time, to the ms' : `${Date.parse(task.attempts[0].startedAt) - Date.parse(task.runAt)} ms late`}`,
    );
    const response = page.locator('section', { has: page.getByRole('heading', { name: 'Response' }) });
    await expect(response.locator('p').first().textContent()).resolves.toBe('Status 200');
    await expect(response.locator('pre').textContent()).resolves.toBe('{\n  "ok": true\n}');
    await expect(page.locator('.facts code').allTextContents()).resolves.toEqual(['x-api-key', 'k-123']);
    await expect(page.getByRole('link', { name: /History in the Temporal Web UI/ }).getAttribute('href')).resolves.toBe(
      `http://127.0.0.1:8233/namespaces/default/workflows/${id}`,
    );
    const calls = system.target.requests('/report');
    expect(calls.map((c) => [c.headers['x-api-key'], c.body])).toEqual([
      ['k-123', '{"reportId":42}'],
      ['k-123', '{"reportId":42}'],
    ]);
    await screenshot(page, 'task-detail', 'dashboard-task.png');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'task-detail-390px');
  });

  it('lists tasks newest first with a count per status, filters by status and pages through them', async () => {
    const sub = `ops-${randomUUID().slice(0, 8)}`;
    const lister = await system.as(sub);
    system.target.respond('/broken', () => ({ status: 500, body: { error: 'database is down' } }));
    const done = [
      (
        await lister
          .post('/tasks')
          .send({ name: 'nightly report', url: system.target.url('/nightly') })
          .expect(201)
      ).body,
      (
        await lister
          .post('/tasks')
          .send({ name: 'invoice sync', url: system.target.url('/invoices'), method: 'PUT' })
          .expect(201)
      ).body,
      (
        await lister
          .post('/tasks')
          .send({ name: 'cache warm-up', url: system.target.url('/broken') })
          .expect(201)
      ).body,
    ];
    await Promise.all(done.map((t) => finished(t.id, lister)));
    const reminder = await laterTask('reminder email', lister);
    await lister.post(`/tasks/${reminder.id}/cancel`).expect(200);
    for (const [name, minutes] of [
      ['weekly digest', 60],
      ['backup', 120],
      ['cleanup', 30],
    ] as const) {
      await laterTask(name, lister, minutes * 60_000);
    }
    const all = (await lister.get('/tasks').query({ limit: 100 }).expect(200)).body.items as Array<{ name: string; status: string }>;
    expect(all).toHaveLength(7);

    await signInWithToken(page, system.baseUrl, await testToken(sub));
    await page.locator('table.list tbody tr').nth(6).waitFor();
    await page.locator('.count', { hasText: '7' }).waitFor();
    await expect(statusTabs(page)).resolves.toEqual([
      ['All', '7'],
      ['Scheduled', '3'],
      ['Running', '0'],
      ['Completed', '2'],
      ['Failed', '1'],
      ['Cancelled', '1'],
    ]);
    const rows = await tableRows(page);
    expect(rows.map((r) => [r[0], r[1]])).toEqual(
      all.map((t) => [t.name, `${{ scheduled: '◷', completed: '✓', failed: '✕', cancelled: '⊘' }[t.status]} ${t.status}`]),
    );
    expect(rows.find((r) => r[0] === 'invoice sync')?.[2]).toBe(`PUT ${system.target.url('/invoices')}`);
    await expect(page.getByRole('columnheader', { name: 'Owner' }).count()).resolves.toBe(0);
    await screenshot(page, 'task-list', 'dashboard-tasks.png');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'task-list-390px');
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole('link', { name: 'Scheduled 3' }).click();
    await eventuallyExpect(
      () => Promise.resolve(page.url()),
      (url) => expect(url).toBe(`${system.baseUrl}/ui/tasks?status=scheduled`),
    );
    const scheduled = all.filter((t) => t.status === 'scheduled').map((t) => t.name);
    await eventuallyExpect(
      () => rowNames(page),
      (shown) => expect(shown).toEqual(scheduled),
    );
    await expect(page.getByRole('link', { name: 'Scheduled 3' }).getAttribute('aria-current')).resolves.toBe('page');

    await page.goto(`${system.baseUrl}/ui/tasks?limit=3`);
    const names = all.map((t) => t.name);
    await eventuallyExpect(
      () => rowNames(page),
      (shown) => expect(shown).toEqual(names.slice(0, 3)),
    );
    await page.getByRole('button', { name: 'Older →' }).click();
    await eventuallyExpect(
      () => rowNames(page),
      (shown) => expect(shown).toEqual(names.slice(3, 6)),
    );
    await page.getByRole('button', { name: 'Older →' }).click();
    await eventuallyExpect(
      () => rowNames(page),
      (shown) => expect(shown).toEqual(names.slice(6)),
    );
    await expect(page.locator('.pager').getByText('Page 3', { exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'Older →' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('button', { name: '← Newer' }).click();
    await eventuallyExpect(
      () => rowNames(page),
      (shown) => expect(shown).toEqual(names.slice(3, 6)),
    );
  });

  it('cancels a scheduled task with the keyboard and shows it cancelled', async () => {
    const task = await laterTask('to cancel');
    await signInWithToken(page, system.baseUrl, await testToken(system.owner), `/ui/tasks/${task.id}`);
    // With the keyboard: the question takes the focus, Enter answers it.
    await page.getByRole('button', { name: 'Cancel task' }).focus();
    await page.keyboard.press('Enter');
    await eventuallyExpect(
      () => inPage(page, 'document.activeElement?.textContent'),
      (focused) => expect(focused).toBe('Yes, cancel it'),
    );
    await page.keyboard.press('Enter');
    await expect(page.getByRole('status').filter({ hasText: 'Task cancelled.' }).textContent()).resolves.toBe('Task cancelled.');
    await page.locator('h1 .badge', { hasText: 'cancelled' }).waitFor();
    await expect(page.locator('.actions p.muted').textContent()).resolves.toBe(
      'It is cancelled: a task can be cancelled or moved only while it is scheduled.',
    );
    expect((await api().get(`/tasks/${task.id}`).expect(200)).body.status).toBe('cancelled');
  });

  it('moves a scheduled task to the time picked, read in the browser zone', async () => {
    const task = await laterTask('to move');
    await signInWithToken(page, system.baseUrl, await testToken(system.owner), `/ui/tasks/${task.id}`);
    // Two hours later, whole seconds, as the picker gives it in Europe/Berlin.
    const target = new Date(Math.floor((Date.parse(task.runAt) + 7_200_000) / 1000) * 1000);
    // As Chromium writes a datetime-local value: without the seconds when they are :00 (Playwright compares after it).
    const local = shownTime(target.toISOString()).replace(' ', 'T').replace(/:00$/, '');
    await page.getByLabel('Move to').fill(local);
    await page.getByRole('button', { name: 'Move', exact: true }).click();
    await page.getByText('Task moved.').waitFor();
    expect((await api().get(`/tasks/${task.id}`).expect(200)).body.runAt).toBe(target.toISOString());
    const due = page
      .locator('section', { has: page.getByRole('heading', { name: 'Timing' }) })
      .locator('dd')
      .first();
    await eventuallyExpect(
      () => due.textContent(),
      (text) => expect(text).toMatch(new RegExp(`^${shownTime(target.toISOString())}\\.000 · in 2 h`)),
    );
  });

  it('pauses its refresh while the tab is hidden, and says a 409 in words when the task finished before the cancel', async () => {
    const task = await laterTask('finishes first');
    await signInWithToken(page, system.baseUrl, await testToken(system.owner), `/ui/tasks/${task.id}`);
    await page.locator('h1 .badge', { hasText: 'scheduled' }).waitFor();
    await setTabHidden(page, true);
    const reads: Request[] = [];
    page.on('request', (request) => request.url().includes(`/tasks/${task.id}`) && reads.push(request));

    await api().patch(`/tasks/${task.id}`).send({ delayMs: 0 }).expect(200);
    await finished(task.id);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(reads).toHaveLength(0);
    await expect(page.locator('h1 .badge').textContent()).resolves.toBe('◷ scheduled');

    await page.getByRole('button', { name: 'Cancel task' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await expect(page.locator('.actions [role=alert]').textContent({ timeout: 10_000 })).resolves.toBe(
      'Already completed: too late to cancel. The API said: “task is completed; only a scheduled task can be changed or cancelled”.',
    );
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor();
    await setTabHidden(page, false);
    await screenshot(page, 'task-409');
  });

  it('checks JSON as it is typed, sends nothing while it is bad, and shows the API 400 next to the fields it names', async () => {
    await signInWithToken(page, system.baseUrl, await testToken(system.owner), '/ui/tasks/new');
    const posts = recordRequests(page, 'POST', '/tasks');
    await page.getByLabel('URL').fill(system.target.url('/x'));
    await page.getByLabel('Headers (JSON object)').fill('{"x-api-key": 42}');
    await expect(page.locator('#f-headers-error').textContent()).resolves.toBe('every value must be a string; not x-api-key');
    await page.getByLabel('Body (JSON)').fill('{oops');
    await expect(page.locator('#f-body-error').textContent()).resolves.toMatch(/^not valid JSON: /);
    await expect(page.getByLabel('Body (JSON)').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByRole('button', { name: 'Create task' }).click();
    await expect(page.locator('.error-summary strong').textContent()).resolves.toBe('Not sent: 2 fields need a change.');
    expect(posts).toHaveLength(0);

    await page.getByLabel('Headers (JSON object)').fill('{"x-api-key": "k-1"}');
    await page.getByLabel('Body (JSON)').fill('{"ok": true}');
    await page.getByLabel('URL').fill('ftp://example.com/x');
    await page.getByLabel('Retries').fill('1000');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.locator('.error-summary', { hasText: 'Not saved' }).waitFor();
    const refused = await api()
      .post('/tasks')
      .send({ url: 'ftp://example.com/x', method: 'POST', headers: { 'x-api-key': 'k-1' }, body: { ok: true }, retries: 1000 })
      .expect(400);
    const messages = Object.fromEntries(
      refused.body.errors.map((e: { field: string; messages: string[] }) => [e.field, e.messages.join('; ')]),
    );
    expect(Object.keys(messages).sort()).toEqual(['retries', 'url']);
    await expect(page.locator('.error-summary strong').textContent()).resolves.toBe('Not saved: 2 fields need a change (see below).');
    await expect(page.locator('#f-url-error').textContent()).resolves.toBe(messages.url);
    await expect(page.locator('#f-retries-error').textContent()).resolves.toBe(messages.retries);
    await eventuallyExpect(
      () => inPage(page, 'document.activeElement?.className'),
      (focused) => expect(focused).toBe('error-summary'),
    );
    expect(posts).toHaveLength(1);
    await screenshot(page, 'task-form-400');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'task-form-400-390px');
  });

  it('creates a Lambda task from the form and shows the function, its payload and the version that ran', async () => {
    lambda.register('report', (event) => ({ statusCode: 200, body: JSON.stringify({ got: event }) }));
    await signInWithToken(page, system.baseUrl, await testToken(system.owner), '/ui/tasks/new');
    await page.getByLabel('AWS Lambda function').check();
    await page.getByLabel('Function', { exact: true }).fill(lambda.arn('report'));
    await page.getByLabel('Payload (JSON)').fill('{"reportId": 7}');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    const call = page.locator('section', { has: page.getByRole('heading', { name: 'Call' }) });
    await expect(call.locator('dd').nth(0).textContent()).resolves.toBe(lambda.arn('report'));
    await expect(call.locator('dd').nth(2).textContent()).resolves.toBe('RequestResponse (waits for the answer)');
    await expect(call.locator('pre').textContent()).resolves.toBe('{\n  "reportId": 7\n}');
    const response = page.locator('section', { has: page.getByRole('heading', { name: 'Response' }) });
    await expect(response.locator('p').first().textContent()).resolves.toBe('Status 200 · function version $LATEST');
    expect(JSON.parse(lambda.invocations('report')[0].payload)).toEqual({ reportId: 7 });
  });

  it('creates a task that sends an SQS message from the form; the message arrives with its attributes, and the page shows the queue, body and MessageId', async () => {
    const queueUrl = 'https://sqs.eu-central-1.amazonaws.com/123456789012/orders';
    await signInWithToken(page, system.baseUrl, await testToken(system.owner), '/ui/tasks/new');
    await page.getByLabel('Name (optional)').fill('order 42 message');
    await page.getByLabel('Amazon SQS message').check();
    await expect(page.getByLabel('URL', { exact: true }).count()).resolves.toBe(0);
    await page.getByLabel('Queue URL').fill(queueUrl);
    await page.getByLabel('Message body (JSON)').fill('{"orderId": 42}');
    const posts = recordRequests(page, 'POST', '/tasks');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByText('Task created: order 42 message.').waitFor();
    expect(posts.map((p) => p.postDataJSON())).toEqual([{ name: 'order 42 message', sqs: { queueUrl, messageBody: { orderId: 42 } } }]);
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor({ timeout: 20_000 });

    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const [message] = sqs.messages();
    expect(message).toMatchObject({
      queueUrl,
      body: '{"orderId":42}',
      attributes: { 'idempotency-key': id, 'x-task-id': id, 'x-task-attempt': '1' },
      status: 200,
    });
    const { body: task } = await api().get(`/tasks/${id}`).expect(200);
    const call = page.locator('section', { has: page.getByRole('heading', { name: 'Call' }) });
    await expect(call.locator('dt').allTextContents()).resolves.toEqual(['SQS queue', 'Message body', 'Retry policy']);
    await expect(call.locator('dd').first().textContent()).resolves.toBe(queueUrl);
    await expect(call.locator('pre').textContent()).resolves.toBe('{\n  "orderId": 42\n}');
    const response = page.locator('section', { has: page.getByRole('heading', { name: 'Response' }) });
    await expect(response.locator('pre').textContent()).resolves.toBe(JSON.stringify(task.result.body, null, 2));
    expect(task.result.body).toEqual({ messageId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    await screenshot(page, 'task-sqs');
  });
});
