import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { testSystemPerFile, testToken, type AuthedApi } from '../support/test-system';
import { eventually } from '../support/wait';
import { browserPerFile, screenshot } from './support/browser';
import { diagram, signInWithToken, statusTabs } from './support/dashboard';

jest.setTimeout(90_000);

describe('orchestrations in the dashboard (Chromium, API, worker, loopback target)', () => {
  const system = testSystemPerFile();
  let page: Page;
  browserPerFile((p) => (page = p));
  const url = (path: string) => system.target.url(path);

  async function finished(as: AuthedApi, id: string) {
    return eventually(async () => {
      const { body } = await as.get(`/orchestrations/${id}`).expect(200);
      return ['completed', 'failed'].includes(body.status) ? body : undefined;
    }, 20_000);
  }

  it('creates an orchestration from the form, shows the 400 of a bad step next to its field, and draws every step passed', async () => {
    await signInWithToken(page, system.baseUrl, await testToken(system.owner), '/ui/orchestrations/new');
    await page.getByLabel('Name (optional)').fill('order 42');
    const step1 = page.getByRole('group', { name: 'Step 1' });
    await step1.getByLabel('URL').fill(url('/o1/reserve'));
    await step1.getByLabel('Body (JSON)').fill('{"orderId": 42}');
    await page.getByRole('button', { name: 'Add a step' }).click();
    const step2 = page.getByRole('group', { name: 'Step 2' });
    await step2.getByLabel('Method').selectOption('PUT');
    await step2.getByLabel('URL').fill('not a url');
    const check = page.getByRole('group', { name: 'Condition check (after each step)' });
    await check.getByLabel('URL').fill(url('/o1/ready'));
    await page.getByLabel('First check after (ms)').fill('100');
    await page.getByRole('button', { name: 'Create orchestration' }).click();

    const refused = await system
      .api()
      .post('/orchestrations')
      .send({ steps: [{ url: url('/o1/reserve') }, { url: 'not a url', method: 'PUT' }], conditionCheck: { url: url('/o1/ready') } })
      .expect(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['steps[1].url']);
    await expect(page.locator('#f-steps-1-url-error').textContent()).resolves.toBe(refused.body.errors[0].messages.join('; '));
    await expect(page.locator('.error-summary li').allTextContents()).resolves.toEqual([
      `steps[1].url: ${refused.body.errors[0].messages.join('; ')}`,
    ]);

    await step2.getByLabel('URL').fill(url('/o1/ship'));
    await page.getByRole('button', { name: 'Create orchestration' }).click();
    await page.getByText('Orchestration created: order 42.').waitFor();
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    await expect(diagram(page)).resolves.toEqual([
      ['Step 1', 'passed', `✓ passed Step 1 POST ${url('/o1/reserve')} · 1 attempt · last HTTP 200`],
      ['Check after step 1', 'passed', `✓ passed Check after step 1 GET ${url('/o1/ready')} · 1 try · last HTTP 200`],
      ['Step 2', 'passed', `✓ passed Step 2 PUT ${url('/o1/ship')} · 1 attempt · last HTTP 200`],
      ['Check after step 2', 'passed', `✓ passed Check after step 2 GET ${url('/o1/ready')} · 1 try · last HTTP 200`],
    ]);
    await expect(page.locator('.node-end').innerText()).resolves.toBe('End ✓ completed');
    expect(system.target.calledPaths('/o1/')).toEqual(['reserve', 'ready', 'ship', 'ready']);
    expect(system.target.requests('/o1/reserve')[0].body).toBe('{"orderId":42}');
  });

  it('draws a check that ran out and the fallback it called, with every try, and counts orchestrations per status', async () => {
    const sub = `orch-${randomUUID()}`;
    const user = await system.as(sub);
    system.target.respond('/o2/ready', () => ({ status: 503, body: { ready: false } }));
    system.target.respond('/o2/undo', () => ({ status: 200, body: { undone: true } }));
    const { body: created } = await user
      .post('/orchestrations')
      .send({
        name: 'order 43',
        steps: [{ url: url('/o2/reserve') }, { url: url('/o2/ship') }],
        conditionCheck: { url: url('/o2/ready'), method: 'GET', delayMs: 50, retries: 1, retryIntervalMs: 100 },
        fallback: { url: url('/o2/undo') },
      })
      .expect(201);
    const done = await finished(user, created.id);
    expect(done.status).toBe('failed');
    await user
      .post('/orchestrations')
      .send({ steps: [{ url: url('/o2/later') }], conditionCheck: { url: url('/o2/ready') }, initialDelayMs: 3_600_000 })
      .expect(201);

    await signInWithToken(page, system.baseUrl, await testToken(sub), `/ui/orchestrations/${created.id}`);
    await page.locator('h1 .badge', { hasText: 'failed' }).waitFor();
    await expect(page.locator('.notice-bad').first().textContent()).resolves.toBe(
      `Failed at step 1 (its condition checks ran out): ${done.failure.message}`,
    );
    expect(done.failure).toEqual({ reason: 'checks_exhausted', step: 1, message: done.failure.message });
    await expect(diagram(page)).resolves.toEqual([
      ['Step 1', 'passed', `✓ passed Step 1 POST ${url('/o2/reserve')} · 1 attempt · last HTTP 200`],
      ['Check after step 1', 'failed', `✕ failed Check after step 1 GET ${url('/o2/ready')} · 2 tries · last HTTP 503`],
      ['Fallback', 'completed', `✓ completed Fallback POST ${url('/o2/undo')} · 1 attempt · last HTTP 200`],
      ['Step 2', 'skipped', `↷ skipped Step 2 POST ${url('/o2/ship')} · 0 attempts`],
      ['Check after step 2', 'skipped', `↷ skipped Check after step 2 GET ${url('/o2/ready')} · 0 tries`],
    ]);
    // The fallback branches off the check that ran out.
    await expect(page.locator('[data-node="Check after step 1"] .branch [data-node="Fallback"]').count()).resolves.toBe(1);
    const tries = page.getByRole('list', { name: 'Check after step 1: attempts' }).locator('.attempt-head');
    await expect(tries.allInnerTexts()).resolves.toEqual(['Attempt 1\nHTTP 503\nfailed', 'Attempt 2\nHTTP 503\nfailed']);
    await expect(page.locator('.node-end').innerText()).resolves.toBe(`End ✕ failed ${done.failure.message}`);
    expect(system.target.calledPaths('/o2/')).toEqual(['reserve', 'ready', 'ready', 'undo']);
    await screenshot(page, 'orchestration-detail');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'orchestration-detail-390px');

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('link', { name: 'Orchestrations', exact: true }).click();
    await page.locator('.count', { hasText: '2' }).waitFor();
    await expect(statusTabs(page)).resolves.toEqual([
      ['All', '2'],
      ['Scheduled', '1'],
      ['Running', '0'],
      ['Waiting', '0'],
      ['Completed', '0'],
      ['Failed', '1'],
      ['Cancelled', '0'],
    ]);
    await screenshot(page, 'orchestration-list');
  });
});
