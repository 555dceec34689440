import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { testSystemPerFile, testToken } from '../support/test-system';
import { browserPerFile } from './support/browser';
import { eventuallyExpect, signInWithToken, statusTabs, tableRows } from './support/dashboard';

jest.setTimeout(90_000);

describe('users in the dashboard: each sees their own, an admin may see everyone (Chromium, API, worker)', () => {
  const system = testSystemPerFile();
  let page: Page;
  browserPerFile((p) => (page = p));
  const run = randomUUID().slice(0, 8);
  const bob = `bob-${run}`;
  let bobs: { task: { id: string }; orchestration: { id: string }; schedule: { id: string } };

  beforeAll(async () => {
    const asBob = await system.as(bob);
    const url = system.target.url('/users/later');
    bobs = {
      task: (await asBob.post('/tasks').send({ name: "bob's task", url, delayMs: 3_600_000 }).expect(201)).body,
      orchestration: (
        await asBob
          .post('/orchestrations')
          .send({ name: "bob's orchestration", steps: [{ url }], conditionCheck: { url }, initialDelayMs: 3_600_000 })
          .expect(201)
      ).body,
      schedule: (await asBob.post('/schedules').send({ name: "bob's schedule", everyMs: 3_600_000, task: { url } }).expect(201)).body,
    };
  });

  it("never shows a user who is not an admin another user's tasks, orchestrations or schedules, nor the all-users switch", async () => {
    await signInWithToken(page, system.baseUrl, await testToken(`alice-${run}`), '/ui/tasks?owner=all');
    await page.getByText('No tasks yet.').waitFor();
    await page.locator('.count', { hasText: '0' }).first().waitFor();
    await expect(statusTabs(page)).resolves.toEqual([
      ['All', '0'],
      ['Scheduled', '0'],
      ['Running', '0'],
      ['Completed', '0'],
      ['Failed', '0'],
      ['Cancelled', '0'],
    ]);
    await expect(page.getByLabel('All users').count()).resolves.toBe(0);
    await expect(page.getByRole('columnheader', { name: 'Owner' }).count()).resolves.toBe(0);

    await page.getByRole('link', { name: 'Orchestrations', exact: true }).click();
    await page.getByText('No orchestrations yet.').waitFor();
    await page.getByRole('link', { name: 'Schedules', exact: true }).click();
    await page.getByText('No schedules yet.').waitFor();
    await expect(tableRows(page)).resolves.toEqual([]);

    for (const [path, noun] of [
      [`/ui/tasks/${bobs.task.id}`, 'Task'],
      [`/ui/orchestrations/${bobs.orchestration.id}`, 'Orchestration'],
      [`/ui/schedules/${bobs.schedule.id}`, 'Schedule'],
    ]) {
      await page.goto(`${system.baseUrl}${path}`);
      await page.getByRole('heading', { name: `${noun} not found` }).waitFor();
      await expect(page.locator('main p').first().textContent()).resolves.toBe('It does not exist, or it belongs to another user.');
    }
  });

  it("lets an admin switch to every user's resources, or one user's, with their owners, and open another user's task", async () => {
    await signInWithToken(page, system.baseUrl, await testToken(`admin-${run}`, true));
    await expect(page.getByRole('columnheader', { name: 'Owner' }).count()).resolves.toBe(0);
    await page.getByLabel('All users').check();
    await page.getByRole('columnheader', { name: 'Owner' }).waitFor();
    expect(new URL(page.url()).search).toBe('?owner=all');
    await page.getByLabel('Only the user').fill(bob);
    await page.getByRole('button', { name: 'Show' }).click();
    expect(new URL(page.url()).searchParams.get('owner')).toBe(bob);
    await eventuallyExpect(
      () => tableRows(page),
      (rows) => expect(rows.map((r) => [r[0], r[1], r[5]])).toEqual([["bob's task", '◷ scheduled', bob]]),
    );
    await eventuallyExpect(
      () => statusTabs(page),
      (tabs) =>
        expect(tabs).toEqual([
          ['All', '1'],
          ['Scheduled', '1'],
          ['Running', '0'],
          ['Completed', '0'],
          ['Failed', '0'],
          ['Cancelled', '0'],
        ]),
    );
    await page.getByRole('link', { name: 'Schedules', exact: true }).click();
    await page.getByLabel('All users').check();
    await page.getByLabel('Only the user').fill(bob);
    await page.getByRole('button', { name: 'Show' }).click();
    await eventuallyExpect(
      () => tableRows(page),
      (rows) => expect(rows.map((r) => [r[0], r[1], r[4]])).toEqual([["bob's schedule", '● active', bob]]),
    );
    await page.goto(`${system.baseUrl}/ui/tasks/${bobs.task.id}`);
    await page.getByRole('heading', { name: "bob's task" }).waitFor();
  });
});
