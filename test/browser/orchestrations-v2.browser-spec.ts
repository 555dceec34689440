import type { Page, Request } from 'playwright-core';
import { testSystemPerFile, testToken, type AuthedApi } from '../support/test-system';
import { eventually } from '../support/wait';
import { browserPerFile, inPage, screenshot, shownTime } from './support/browser';
import {
  diagram,
  eventuallyExpect,
  expectNothingChangedNothingSent,
  recordRequests,
  signInWithToken,
  statusTabs,
} from './support/dashboard';

jest.setTimeout(90_000);

describe('orchestrations v2 in the dashboard: edit, parallel groups, Approve and Reject (Chromium, API, worker, loopback target)', () => {
  const system = testSystemPerFile();
  let page: Page;
  const browser = browserPerFile((p) => (page = p));
  const url = (path: string) => system.target.url(path);

  async function settled(as: AuthedApi, id: string, statuses: string[]) {
    return eventually(async () => {
      const { body } = await as.get(`/orchestrations/${id}`).expect(200);
      return statuses.includes(body.status) ? body : undefined;
    }, 20_000);
  }

  it("edits an orchestration from its calls as given: nothing changed sends nothing; each call's headers, body and retry fields are prefilled and saved back as they were", async () => {
    const { sub, as } = await system.newUser('prefill');
    const { body: created } = await as
      .post('/orchestrations')
      .send({
        name: 'order 60',
        steps: [
          {
            id: 'reserve',
            url: url('/p/reserve'),
            method: 'PUT',
            headers: { 'x-api-key': 'k-reserve' },
            body: { orderId: 60 },
            timeoutMs: 5_000,
            retries: 2,
            retryIntervalMs: 500,
            retryBackoff: 2,
            flowControl: { key: 'partner', ratePerSecond: 5 },
          },
          { parallel: [[{ url: url('/p/stock'), headers: { 'x-shop': 'berlin' }, body: { sku: 'A-1' } }], [{ url: url('/p/pay') }]] },
        ],
        conditionCheck: { url: url('/p/ready'), method: 'GET', headers: { 'x-check': 'yes' } },
        fallback: { url: url('/p/undo'), body: { undo: true }, retries: 1 },
        initialDelayMs: 3_600_000,
      })
      .expect(201);
    const { body: before } = await as.get(`/orchestrations/${created.id}`).expect(200);
    await signInWithToken(page, system.baseUrl, await testToken(sub), `/ui/orchestrations/${created.id}/edit`);
    await page.getByRole('heading', { name: 'Edit order 60' }).waitFor();
    await expectNothingChangedNothingSent(page);
    const patches = recordRequests(page, 'PATCH');

    await page.getByLabel('Replace the steps').check();
    const step1 = page.getByRole('group', { name: 'Step 1' });
    const fields = (group: typeof step1, labels: string[]) =>
      Promise.all(labels.map((label) => group.getByLabel(label, { exact: true }).inputValue()));
    await expect(
      fields(step1, ['Call id (optional)', 'Method', 'URL', 'Headers (JSON object)', 'Body (JSON)', 'Timeout per attempt (ms)', 'Retries']),
    ).resolves.toEqual(['reserve', 'PUT', url('/p/reserve'), '{"x-api-key":"k-reserve"}', '{\n  "orderId": 60\n}', '5000', '2']);
    await expect(fields(step1, ['First retry after (ms)', 'Backoff (× per retry)', 'At most, calls a second'])).resolves.toEqual([
      '500',
      '2',
      '5',
    ]);
    const branch1 = page.getByRole('group', { name: 'Step 2' }).getByRole('group', { name: 'Branch 1' });
    await expect(fields(branch1, ['URL', 'Headers (JSON object)', 'Body (JSON)'])).resolves.toEqual([
      url('/p/stock'),
      '{"x-shop":"berlin"}',
      '{\n  "sku": "A-1"\n}',
    ]);
    await page.getByLabel('Replace the condition check').check();
    const check = page.getByRole('group', { name: 'Condition check (after each step)' });
    await expect(fields(check, ['Method', 'URL', 'Headers (JSON object)'])).resolves.toEqual(['GET', url('/p/ready'), '{"x-check":"yes"}']);
    await page.getByLabel('Replace the fallback').check();
    const fallback = page.getByRole('group', { name: 'Fallback' });
    await expect(fields(fallback, ['URL', 'Body (JSON)', 'Retries'])).resolves.toEqual([url('/p/undo'), '{\n  "undo": true\n}', '1']);
    await screenshot(page, 'orchestration-edit-prefilled');

    // Replaced as they were: the API saves the same calls.
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Orchestration saved: order 60.').waitFor();
    expect(patches).toHaveLength(1);
    expect(Object.keys(patches[0].postDataJSON()).sort()).toEqual(['conditionCheck', 'fallback', 'steps']);
    const { body: saved } = await as.get(`/orchestrations/${created.id}`).expect(200);
    expect([saved.steps, saved.conditionCheck, saved.fallback]).toEqual([before.steps, before.conditionCheck, before.fallback]);
  });

  it('edits a scheduled orchestration: a bad URL in a parallel branch is a 400 next to its field; fixed, the new plan, name and tags are saved', async () => {
    const { sub, as } = await system.newUser('editor');
    const { body: created } = await as
      .post('/orchestrations')
      .send({
        name: 'order 50',
        steps: [{ url: url('/e/reserve') }],
        conditionCheck: { url: url('/e/ready'), method: 'GET' },
        initialDelayMs: 3_600_000,
        tags: { customer: '50' },
      })
      .expect(201);
    await signInWithToken(page, system.baseUrl, await testToken(sub), `/ui/orchestrations/${created.id}`);
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByRole('heading', { name: 'Edit order 50' }).waitFor();
    await expect(page.getByLabel('Name (optional)').inputValue()).resolves.toBe('order 50');
    await expect(page.getByLabel('Tag 1 value').inputValue()).resolves.toBe('50');

    await page.getByLabel('Name (optional)').fill('order 50, new plan');
    await page.getByLabel('Tag 1 value').fill('51');
    await page.getByLabel('Replace the steps').check();
    const step1 = page.getByRole('group', { name: 'Step 1' });
    await expect(step1.getByLabel('URL').inputValue()).resolves.toBe(url('/e/reserve'));
    await page.getByRole('button', { name: 'Add a step' }).click();
    const step2 = page.getByRole('group', { name: 'Step 2' });
    await step2.getByLabel('Parallel branches').check();
    await step2.getByLabel('Join').selectOption('any');
    const branch1 = step2.getByRole('group', { name: 'Branch 1' });
    await branch1.getByLabel('Call id (optional)').fill('stock');
    await branch1.getByLabel('URL').fill('not a url');
    await step2.getByRole('group', { name: 'Branch 2' }).getByLabel('URL').fill(url('/e/pay'));
    const patches = recordRequests(page, 'PATCH');
    await page.getByRole('button', { name: 'Save changes' }).click();

    await page.locator('.error-summary', { hasText: 'Not saved' }).waitFor();
    const sent = {
      name: 'order 50, new plan',
      tags: { customer: '51' },
      steps: [
        // The step kept is sent as the orchestration has it, its time limit and retry fields too.
        { url: url('/e/reserve'), method: 'POST', timeoutMs: 10000, retries: 0, retryIntervalMs: 1000, retryBackoff: 1 },
        { parallel: [[{ id: 'stock', url: 'not a url', method: 'POST' }], [{ url: url('/e/pay'), method: 'POST' }]], join: 'any' },
      ],
    };
    expect(patches.map((p) => p.postDataJSON())).toEqual([sent]);
    const refused = await as.patch(`/orchestrations/${created.id}`).send(sent).expect(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['steps[1].parallel[0][0].url']);
    const message = refused.body.errors[0].messages.join('; ');
    await expect(page.locator('#f-steps-1-parallel-0-0-url-error').textContent()).resolves.toBe(message);
    await expect(page.locator('.error-summary li').allTextContents()).resolves.toEqual([`steps[1].parallel[0][0].url: ${message}`]);
    await expect(page.locator('.error-summary strong').textContent()).resolves.toBe('Not saved: one field needs a change (see below).');
    await screenshot(page, 'orchestration-edit-400');

    await branch1.getByLabel('URL').fill(url('/e/stock'));
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Orchestration saved: order 50, new plan.').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/ui/orchestrations/${created.id}`);
    const { body: saved } = await as.get(`/orchestrations/${created.id}`).expect(200);
    expect(saved).toMatchObject({
      name: 'order 50, new plan',
      status: 'scheduled',
      stepCount: 2,
      tags: { customer: '51' },
      runAt: created.runAt,
    });
    expect(saved.steps[1]).toMatchObject({ kind: 'parallel', join: 'any', maxConcurrency: null });
    expect(saved.steps[1].branches.map((b: { calls: Array<{ id?: string; url: string }> }) => b.calls.map((c) => [c.id, c.url]))).toEqual([
      [['stock', url('/e/stock')]],
      [[undefined, url('/e/pay')]],
    ]);
    await expect(diagram(page)).resolves.toEqual([
      ['Step 1', 'pending', `○ pending Step 1 POST ${url('/e/reserve')} · 0 attempts`],
      ['Check after step 1', 'pending', `○ pending Check after step 1 GET ${url('/e/ready')} · 0 tries`],
      ['Step 2', 'pending', '○ pending Step 2 parallel group · 2 branches, join any'],
      ['Step 2, branch 1, call 1', 'pending', `○ pending Step 2, branch 1, call 1 stock POST ${url('/e/stock')} · 0 attempts`],
      ['Step 2, branch 2, call 1', 'pending', `○ pending Step 2, branch 2, call 1 POST ${url('/e/pay')} · 0 attempts`],
      ['Check after step 2', 'pending', `○ pending Check after step 2 GET ${url('/e/ready')} · 0 tries`],
    ]);
    await expect(page.locator('.tags li').allTextContents()).resolves.toEqual(['customer:51']);
  });

  it('says plainly that an orchestration that started meanwhile can no longer be edited (409)', async () => {
    const { sub, as } = await system.newUser('late-editor');
    const { body: created } = await as
      .post('/orchestrations')
      .send({
        name: 'order 51',
        steps: [{ url: url('/e/soon') }],
        conditionCheck: { url: url('/e/ready'), method: 'GET' },
        initialDelayMs: 8_000,
      })
      .expect(201);
    await signInWithToken(page, system.baseUrl, await testToken(sub), `/ui/orchestrations/${created.id}/edit`);
    await page.getByRole('heading', { name: 'Edit order 51' }).waitFor();
    await page.getByLabel('Name (optional)').fill('order 51, too late');
    await settled(as, created.id, ['completed']);
    await page.getByRole('button', { name: 'Save changes' }).click();
    const refused = await as.patch(`/orchestrations/${created.id}`).send({ name: 'order 51, too late' }).expect(409);
    await expect(page.locator('.error-summary strong').textContent()).resolves.toBe(
      `Already completed: too late to change. The API said: “${refused.body.message}”.`,
    );
    expect(refused.body.message).toBe('orchestration is completed; only a scheduled orchestration can be changed or cancelled');
    expect((await as.get(`/orchestrations/${created.id}`).expect(200)).body.name).toBe('order 51');
  });

  it('draws a parallel group as it ran: its branches side by side, each call with its attempts', async () => {
    const { sub, as } = await system.newUser('parallel');
    const { body: created } = await as
      .post('/orchestrations')
      .send({
        name: 'order 52',
        steps: [
          { id: 'quote', url: url('/p/quote') },
          { parallel: [[{ id: 'stock', url: url('/p/stock') }], [{ url: url('/p/hold') }, { url: url('/p/charge') }]], maxConcurrency: 2 },
        ],
        conditionCheck: { url: url('/p/ready'), method: 'GET' },
      })
      .expect(201);
    expect((await settled(as, created.id, ['completed', 'failed'])).status).toBe('completed');
    await signInWithToken(page, system.baseUrl, await testToken(sub), `/ui/orchestrations/${created.id}`);
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor();
    await expect(diagram(page)).resolves.toEqual([
      ['Step 1', 'passed', `✓ passed Step 1 quote POST ${url('/p/quote')} · 1 attempt · last HTTP 200`],
      ['Check after step 1', 'passed', `✓ passed Check after step 1 GET ${url('/p/ready')} · 1 try · last HTTP 200`],
      ['Step 2', 'passed', '✓ passed Step 2 parallel group · 2 branches, join all, at most 2 at once'],
      [
        'Step 2, branch 1, call 1',
        'completed',
        `✓ completed Step 2, branch 1, call 1 stock POST ${url('/p/stock')} · 1 attempt · last HTTP 200`,
      ],
      ['Step 2, branch 2, call 1', 'completed', `✓ completed Step 2, branch 2, call 1 POST ${url('/p/hold')} · 1 attempt · last HTTP 200`],
      [
        'Step 2, branch 2, call 2',
        'completed',
        `✓ completed Step 2, branch 2, call 2 POST ${url('/p/charge')} · 1 attempt · last HTTP 200`,
      ],
      ['Check after step 2', 'passed', `✓ passed Check after step 2 GET ${url('/p/ready')} · 1 try · last HTTP 200`],
    ]);
    await expect(page.getByRole('list', { name: 'Step 2: branches' }).locator('.branch-head').allInnerTexts()).resolves.toEqual([
      '✓ completed Branch 1',
      '✓ completed Branch 2',
    ]);
    await screenshot(page, 'orchestration-parallel');
  });

  it('approves a waiting orchestration, which then completes, and rejects another, which then fails, as its plan says', async () => {
    const { sub, as } = await system.newUser('approver');
    // The payment goes through only when approved.
    system.target.respond('/w/pay', (_, request) =>
      (JSON.parse(request.body) as { approved: unknown }).approved === true
        ? { status: 200, body: { paid: true } }
        : { status: 400, body: { paid: false } },
    );
    const plan = (name: string) => ({
      name,
      steps: [
        { url: url('/w/prepare') },
        { id: 'approval', waitFor: { timeoutMs: 3_600_000 } },
        { url: url('/w/pay'), body: { approved: '{{calls.approval.body.approved}}' } },
      ],
      conditionCheck: { url: url('/w/ready'), method: 'GET' },
    });
    const { body: approve } = await as.post('/orchestrations').send(plan('refund 1')).expect(201);
    const { body: reject } = await as.post('/orchestrations').send(plan('refund 2')).expect(201);
    const waiting = await settled(as, approve.id, ['waiting']);
    await settled(as, reject.id, ['waiting']);
    expect(waiting.waiting).toEqual({
      step: 2,
      resumeUrl: expect.stringMatching(/\/resume\/[A-Za-z0-9_-]{40}$/),
      expiresAt: waiting.steps[1].expiresAt,
    });

    await signInWithToken(page, system.baseUrl, await testToken(sub), '/ui/orchestrations');
    await eventuallyExpect(
      () => statusTabs(page),
      (tabs) =>
        expect(tabs).toEqual([
          ['All', '2'],
          ['Scheduled', '0'],
          ['Running', '0'],
          ['Waiting', '2'],
          ['Completed', '0'],
          ['Failed', '0'],
          ['Cancelled', '0'],
        ]),
    );
    await page.getByRole('link', { name: 'refund 1' }).click();
    await page.locator('h1 .badge', { hasText: 'waiting' }).waitFor();
    const panel = page.getByRole('group', { name: 'Waiting at step 2 (approval)' });
    await expect(panel.locator('time').getAttribute('datetime')).resolves.toBe(waiting.waiting.expiresAt);
    await expect(panel.locator('time').textContent()).resolves.toMatch(
      new RegExp(`^${shownTime(waiting.waiting.expiresAt)} · in (59 min|1 h)`),
    );
    await expect(diagram(page).then((nodes) => nodes[2])).resolves.toEqual([
      'Step 2',
      'waiting',
      '◔ waiting Step 2 approval wait to be resumed · up to 1 h',
    ]);
    // The resume URL is folded away; Copy puts it on the clipboard.
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: system.baseUrl });
    await panel.getByText('Resume URL: anyone who has it can resume this step, once').click();
    await expect(panel.getByLabel('Resume URL').inputValue()).resolves.toBe(waiting.waiting.resumeUrl);
    await panel.getByRole('button', { name: 'Copy' }).click();
    await panel.getByText('Copied.').waitFor();
    await expect(inPage(page, 'navigator.clipboard.readText()')).resolves.toBe(waiting.waiting.resumeUrl);
    await screenshot(page, 'orchestration-waiting');

    const resumes: Request[] = [];
    page.on('request', (request) => request.url().endsWith('/resume') && resumes.push(request));
    await panel.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Step 2 approved: resumed with {"approved": true}.').waitFor();
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    expect((await as.get(`/orchestrations/${approve.id}`).expect(200)).body.status).toBe('completed');
    await expect(diagram(page).then((nodes) => nodes[2])).resolves.toEqual([
      'Step 2',
      'passed',
      '✓ resumed Step 2 approval wait to be resumed · up to 1 h',
    ]);
    await expect(page.locator('[data-node="Step 2"] pre').textContent()).resolves.toBe('{\n  "approved": true\n}');

    await page.goto(`${system.baseUrl}/ui/orchestrations/${reject.id}`);
    await page.locator('h1 .badge', { hasText: 'waiting' }).waitFor();
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('button', { name: 'Yes, reject' }).click();
    await page.getByText('Step 2 rejected: resumed with {"approved": false}.').waitFor();
    await page.locator('h1 .badge', { hasText: 'failed' }).waitFor({ timeout: 20_000 });
    const { body: rejected } = await as.get(`/orchestrations/${reject.id}`).expect(200);
    expect([rejected.status, rejected.failure.reason, rejected.failure.step]).toEqual(['failed', 'step_failed', 3]);
    await expect(page.locator('.notice-bad').first().textContent()).resolves.toBe(
      `Failed at step 3 (its call failed after its retries): ${rejected.failure.message}`,
    );
    expect(resumes.map((r) => [r.method(), r.postDataJSON()])).toEqual([
      ['POST', { approved: true }],
      ['POST', { approved: false }],
    ]);
    expect(system.target.requests('/w/pay').map((r) => JSON.parse(r.body))).toEqual([{ approved: true }, { approved: false }]);
  });
});
