import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { testSystemPerFile, testToken } from '../support/test-system';
import { browserPerFile, screenshot, shownTime } from './support/browser';
import {
  eventuallyExpect,
  expectNothingChangedNothingSent,
  recordRequests,
  rowNames,
  signInWithToken,
  tableRows,
} from './support/dashboard';

jest.setTimeout(90_000);

describe('schedules in the dashboard (Chromium, API, worker, loopback target)', () => {
  const system = testSystemPerFile({ TEMPORAL_UI_URL: 'http://127.0.0.1:8233' });
  let page: Page;
  browserPerFile((p) => (page = p));

  it('creates a cron schedule from the form, says when it runs in words with its zone, lists the next runs, and pauses and resumes it', async () => {
    await signInWithToken(page, system.baseUrl, await testToken(system.owner), '/ui/schedules/new');
    await page.getByLabel('Name (optional)').fill('weekday report');
    await page.getByLabel('Cron', { exact: true }).fill('0 9 * * 1-5');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await eventuallyExpect(
      () => page.locator('.preview').textContent(),
      (preview) => expect(preview).toBe('At 09:00, Monday through Friday (Europe/Berlin)'),
    );
    await page.getByLabel('URL').fill(system.target.url('/s/report'));
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByText('Schedule created: weekday report.').waitFor();

    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const { body: schedule } = await system.api().get(`/schedules/${id}`).expect(200);
    expect(schedule).toMatchObject({ name: 'weekday report', state: 'active', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' });
    await expect(page.locator('.words').textContent()).resolves.toBe('At 09:00, Monday through Friday (Europe/Berlin)');
    await expect(page.locator('h1 .badge').textContent()).resolves.toBe('● active');
    const nextRuns = page.locator('.next-runs li');
    await expect(nextRuns.count()).resolves.toBe(5);
    const shown = (await nextRuns.allTextContents()).map((t) => t.split(' · ')[0]);
    expect(shown).toEqual(schedule.nextRuns.map((t: string) => `${shownTime(t, 'Europe/Berlin')} Europe/Berlin`));
    expect(shown.every((t) => t.includes(' 09:00:00 '))).toBe(true);
    await expect(page.getByRole('link', { name: /History in the Temporal Web UI/ }).getAttribute('href')).resolves.toBe(
      `http://127.0.0.1:8233/namespaces/default/schedules/${id}`,
    );
    await screenshot(page, 'schedule-detail');

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('Schedule paused: no runs until it is resumed.').waitFor();
    await page.locator('h1 .badge', { hasText: 'paused' }).waitFor();
    await expect(
      page
        .locator('section', { has: page.getByRole('heading', { name: 'Next runs' }) })
        .locator('p')
        .textContent(),
    ).resolves.toBe('None while it is paused.');
    expect((await system.api().get(`/schedules/${id}`).expect(200)).body.state).toBe('paused');

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByText('Schedule resumed.').waitFor();
    await page.locator('h1 .badge', { hasText: 'active' }).waitFor();
    await expect(nextRuns.count()).resolves.toBe(5);

    await page.getByRole('link', { name: 'Schedules', exact: true }).click();
    await eventuallyExpect(
      () => tableRows(page),
      (rows) =>
        expect(rows).toEqual([
          [
            'weekday report',
            '● active',
            'At 09:00, Monday through Friday (Europe/Berlin)',
            shownTime(schedule.nextRuns[0], 'Europe/Berlin'),
          ],
        ]),
    );
  });

  it('runs a schedule now, links the run to its task and back, and deletes the schedule', async () => {
    const sub = `sched-${randomUUID()}`;
    const { body: schedule } = await (
      await system.as(sub)
    )
      .post('/schedules')
      .send({ name: 'hourly ping', everyMs: 3_600_000, task: { url: system.target.url('/s/ping'), method: 'GET' } })
      .expect(201);
    await signInWithToken(page, system.baseUrl, await testToken(sub), `/ui/schedules/${schedule.id}`);
    await expect(page.locator('.words').textContent()).resolves.toBe('Every hour');
    await expect(page.locator('.recent-runs').count()).resolves.toBe(0);

    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByText('A run was started now.').waitFor();
    const run = page.locator('.recent-runs li').first();
    await run.locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
    expect(system.target.requests('/s/ping').map((r) => r.method)).toEqual(['GET']);
    await run.getByRole('link').click();
    await page.locator('h1', { hasText: 'hourly ping' }).waitFor();
    await expect(page.locator('h1 .badge').textContent()).resolves.toBe('✓ completed');
    await page.getByRole('link', { name: schedule.id }).click();
    await page.locator('.words', { hasText: 'Every hour' }).waitFor();

    await page.getByRole('link', { name: 'Every run of this schedule' }).click();
    await eventuallyExpect(
      () => rowNames(page),
      (names) => expect(names).toEqual(['hourly ping']),
    );
    await page.getByRole('link', { name: schedule.id }).click();

    await page.getByRole('button', { name: 'Delete schedule' }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByText('Schedule deleted: hourly ping.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/ui/schedules');
    await page.getByText('No schedules yet.').waitFor();
    await system.api().get(`/schedules/${schedule.id}`).expect(404);
  });

  it('says an interval, a shorthand and a list of times in words in the list', async () => {
    const sub = `words-${randomUUID()}`;
    const user = await system.as(sub);
    const task = { url: system.target.url('/s/words') };
    const year = new Date().getUTCFullYear() + 1;
    await user.post('/schedules').send({ name: 'a', cron: '@daily', task }).expect(201);
    await user.post('/schedules').send({ name: 'b', everyMs: 90_000, task }).expect(201);
    await user
      .post('/schedules')
      .send({ name: 'c', at: [`${year}-01-01T10:00:00+01:00`, `${year}-06-01T10:00:00+02:00`], timezone: 'Europe/Berlin', task })
      .expect(201);
    await signInWithToken(page, system.baseUrl, await testToken(sub), '/ui/schedules');
    await eventuallyExpect(
      () => tableRows(page),
      (rows) =>
        expect(rows.map((r) => [r[0], r[2]]).sort()).toEqual([
          ['a', 'At 00:00 (UTC)'],
          ['b', 'Every 1 minute 30 seconds'],
          ['c', `At 2 times: ${year}-01-01 10:00, ${year}-06-01 10:00 (Europe/Berlin)`],
        ]),
    );
    await screenshot(page, 'schedule-list');
  });
  it('narrows the schedule list to those with every tag of the filter; a chip adds its tag, and a filter can be removed', async () => {
    const sub = `tags-${randomUUID()}`;
    const user = await system.as(sub);
    const task = { url: system.target.url('/s/tagged') };
    const make = (name: string, tags: Record<string, string>) =>
      user.post('/schedules').send({ name, everyMs: 3_600_000, task, tags }).expect(201);
    await make('eu nightly', { region: 'eu', tier: 'gold' });
    await make('eu hourly', { region: 'eu' });
    await make('us nightly', { region: 'us', tier: 'gold' });
    const requests: string[] = [];
    page.on('request', (request) => new URL(request.url()).pathname === '/schedules' && requests.push(new URL(request.url()).search));
    await signInWithToken(page, system.baseUrl, await testToken(sub), '/ui/schedules');
    const names = async () => (await rowNames(page)).sort();
    await eventuallyExpect(names, (shown) => expect(shown).toEqual(['eu hourly', 'eu nightly', 'us nightly']));

    await page.getByLabel('Filter by tag').fill('region:eu');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await eventuallyExpect(names, (shown) => expect(shown).toEqual(['eu hourly', 'eu nightly']));
    expect(new URL(page.url()).searchParams.getAll('tag')).toEqual(['region:eu']);
    expect(requests.at(-1)).toBe('?limit=20&tag=region%3Aeu');
    await expect(page.locator('table.list caption').textContent()).resolves.toBe('Schedules, tagged region:eu, yours');

    // A chip adds its tag to the filter.
    const chips = page.locator('tr', { has: page.getByRole('link', { name: 'eu nightly' }) }).locator('.tags li');
    await expect(chips.allTextContents()).resolves.toEqual(['region:eu', 'tier:gold']);
    await chips.getByRole('link', { name: 'tier:gold' }).click();
    await eventuallyExpect(names, (shown) => expect(shown).toEqual(['eu nightly']));
    expect(new URL(page.url()).searchParams.getAll('tag')).toEqual(['region:eu', 'tier:gold']);

    await page.getByRole('button', { name: 'Remove the tag filter region:eu' }).click();
    await eventuallyExpect(names, (shown) => expect(shown).toEqual(['eu nightly', 'us nightly']));
    await page.getByLabel('Filter by tag').fill('region:mars');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.getByText('No schedules tagged tier:gold and region:mars yet.').waitFor();
    await screenshot(page, 'schedule-tag-filter');
  });

  it("edits a schedule's timing and task: a bad cron is a 400 next to its field; fixed, only what changed is sent and saved", async () => {
    const sub = `edit-${randomUUID()}`;
    const user = await system.as(sub);
    const { body: schedule } = await user
      .post('/schedules')
      .send({
        name: 'nightly export',
        everyMs: 3_600_000,
        tags: { team: 'data' },
        task: { url: system.target.url('/s/export'), retries: 1, retryIntervalMs: 2_000 },
      })
      .expect(201);
    await signInWithToken(page, system.baseUrl, await testToken(sub), `/ui/schedules/${schedule.id}`);
    await page.getByRole('heading', { name: 'nightly export' }).waitFor();
    await expect(page.locator('.tags li').allTextContents()).resolves.toEqual(['team:data']);
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByRole('heading', { name: 'Edit nightly export' }).waitFor();
    await expect(page.getByLabel('Every (ms)').inputValue()).resolves.toBe('3600000');
    const task = page.getByRole('group', { name: 'Each run calls' });
    await expect(task.getByLabel('URL').inputValue()).resolves.toBe(system.target.url('/s/export'));
    await expect(task.getByLabel('Retries').inputValue()).resolves.toBe('1');
    await expectNothingChangedNothingSent(page);
    const patches = recordRequests(page, 'PATCH');

    await page.getByLabel('Cron expression').check();
    await page.getByLabel('Cron', { exact: true }).fill('every night');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await task.getByLabel('URL').fill(system.target.url('/s/export-v2'));
    await task.getByLabel('Retries').fill('3');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.error-summary', { hasText: 'Not saved' }).waitFor();
    const sent = { cron: 'every night', timezone: 'Europe/Berlin', task: { url: system.target.url('/s/export-v2'), retries: 3 } };
    expect(patches.map((p) => p.postDataJSON())).toEqual([sent]);
    const refused = await user.patch(`/schedules/${schedule.id}`).send(sent).expect(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['cron']);
    const message = refused.body.errors[0].messages.join('; ');
    await expect(page.locator('#f-cron-error').textContent()).resolves.toBe(message);
    await expect(page.locator('.error-summary li').allTextContents()).resolves.toEqual([`cron: ${message}`]);
    await screenshot(page, 'schedule-edit-400');

    await page.getByLabel('Cron', { exact: true }).fill('30 2 * * *');
    await eventuallyExpect(
      () => page.locator('.preview').textContent(),
      (preview) => expect(preview).toBe('At 02:30 (Europe/Berlin)'),
    );
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Schedule saved: nightly export.').waitFor();
    expect(patches.map((p) => p.postDataJSON())[1]).toEqual({ ...sent, cron: '30 2 * * *' });
    await expect(page.locator('.words').textContent()).resolves.toBe('At 02:30 (Europe/Berlin)');
    const { body: saved } = await user.get(`/schedules/${schedule.id}`).expect(200);
    expect(saved).toMatchObject({
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
      tags: { team: 'data' },
      task: { url: system.target.url('/s/export-v2'), method: 'POST', retries: 3, retryIntervalMs: 2_000 },
    });
    expect(saved.everyMs).toBeUndefined();
    const shown = (await page.locator('.next-runs li').allTextContents()).map((t) => t.split(' · ')[0]);
    expect(shown).toEqual(saved.nextRuns.map((t: string) => `${shownTime(t, 'Europe/Berlin')} Europe/Berlin`));
    expect(shown.every((t) => t.includes(' 02:30:00 '))).toBe(true);
  });
});
