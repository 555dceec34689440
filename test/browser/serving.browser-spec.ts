import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { DASHBOARD_CSP } from '../../apps/api/src/dashboard/dashboard-assets';
import { startTestSystem, testToken, type TestSystem } from '../support/test-system';
import { failOnPageErrors, inPage, launchBrowser, type TestBrowser } from './support/browser';
import { DASHBOARD_DIST, ensureDashboardBuilt } from './support/dashboard-build';

jest.setTimeout(60_000);

/** A GET as it comes off the wire: no decompression, the bytes as sent. */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('serving the dashboard from the API process (HTTP; first load measured in Chromium)', () => {
  let system: TestSystem;
  let browser: TestBrowser;
  let script: string;
  const http = () => request(system.baseUrl);

  beforeAll(async () => {
    ensureDashboardBuilt();
    script = /src="(\/ui\/assets\/index-[\w-]+\.js)"/.exec(readFileSync(join(DASHBOARD_DIST, 'index.html'), 'utf8'))![1];
    system = await startTestSystem();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await system?.teardown();
  });

  it.each(['/', '/ui', '/ui/tasks', '/ui/tasks/task-4f1c?status=running', '/ui/orchestrations/new', '/ui/schedules/sched-1'])(
    'answers the page at %s, so that a reload or a shared link works, under a strict content policy',
    async (path) => {
      const res = await http().get(path).expect(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.text).toContain('<div id="app"></div>');
      expect(res.text).toContain(`src="${script}"`);
    },
  );

  it('serves the build files compressed as the browser accepts, cached for a year, and 304 when the browser has them', async () => {
    const file = readFileSync(join(DASHBOARD_DIST, script.slice('/ui/'.length)));
    const br = await rawGet(`${system.baseUrl}${script}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect([br.status, br.headers['content-encoding'], br.headers['content-type']]).toEqual([200, 'br', 'text/javascript; charset=utf-8']);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.body.length).toBeLessThan(file.length / 2);
    const gzip = await rawGet(`${system.baseUrl}${script}`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    const plain = await rawGet(`${system.baseUrl}${script}`, { 'accept-encoding': 'identity' });
    expect([plain.headers['content-encoding'], plain.body.equals(file)]).toEqual([undefined, true]);
    const again = await rawGet(`${system.baseUrl}${script}`, { 'if-none-match': String(br.headers.etag) });
    expect([again.status, again.body.length]).toEqual([304, 0]);
  });

  it('leaves API paths, /docs and /health to the API, and answers unknown paths and files with JSON 404s', async () => {
    expect((await http().get('/tasks').expect(401)).body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'missing bearer token',
    });
    expect((await http().get('/health').expect(200)).body).toMatchObject({ status: 'ok' });
    expect((await http().get('/docs').expect(200)).text).toContain('swagger-ui');
    expect((await http().get('/tasks-and-more').expect(404)).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /tasks-and-more',
    });
    expect((await http().get('/ui/assets/index-missing.js').expect(404)).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'no dashboard file /assets/index-missing.js',
    });
    // A documented operation: another method is a 405 naming those it takes.
    expect((await http().get('/dashboard/dev-sign-in').expect(405)).headers.allow).toBe('OPTIONS, POST');
    const documented = Object.keys((await http().get('/docs-json').expect(200)).body.paths);
    // Of the page's own endpoints, only the development sign-in is documented (scripts use it too).
    expect(documented.filter((path) => path === '/' || path.startsWith('/ui') || path.startsWith('/dashboard'))).toEqual([
      '/dashboard/dev-sign-in',
    ]);
  });

  it('tells the page its configuration, and refuses the development sign-in while it is off, whatever the body', async () => {
    expect((await http().get('/dashboard/config').expect(200)).body).toEqual({
      namespace: 'default',
      temporalUiUrl: null,
      authMode: 'hs256',
      oidc: null,
      devSignIn: false,
    });
    const message = 'development sign-in is off (it needs the embedded secret JWT_SECRET and API_DEV_SIGN_IN=true)';
    expect((await http().post('/dashboard/dev-sign-in').send({ sub: 'alice' }).expect(404)).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message,
    });
    expect((await http().post('/dashboard/dev-sign-in').send({ nonsense: true }).expect(404)).body.message).toBe(message);
  });

  it('keeps the page still while it refreshes: no layout shift as a task goes from scheduled to completed', async () => {
    const sub = `still-${Date.now()}`;
    const user = await system.as(sub);
    const page = await browser.page();
    await page.addInitScript(
      `window.__shifts = [];
       new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push([e.startTime, e.value]); })
         .observe({ type: 'layout-shift', buffered: true });
       new MutationObserver((_, observer) => {
         if (document.querySelector('table.list tbody tr')) { performance.mark('list-shown'); observer.disconnect(); }
       }).observe(document, { subtree: true, childList: true });`,
    );
    const { body: task } = await user
      .post('/tasks')
      .send({ name: 'soon', url: system.target.url('/still'), delayMs: 2_000 })
      .expect(201);
    await page.addInitScript(`sessionStorage.setItem('scheduler.token', ${JSON.stringify(await testToken(sub))});`);
    await page.goto(`${system.baseUrl}/ui/tasks`);
    await page.locator('table.list tbody tr .badge', { hasText: 'scheduled' }).waitFor();
    await page.locator('table.list tbody tr .badge', { hasText: 'completed' }).waitFor({ timeout: 15_000 });
    // One more refresh after the change.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const shown = await inPage<number>(page, "performance.getEntriesByName('list-shown')[0].startTime");
    const shifts = await inPage<Array<[number, number]>>(page, 'window.__shifts');
    const after = shifts.filter(([at]) => at > shown + 100);
    console.log(
      `layout shift after the list was shown (task ${task.id} scheduled -> completed): ${after.reduce((sum, [, v]) => sum + v, 0)}`,
    );
    expect(after).toEqual([]);
    await page.close();
  });

  it('loads lean and renders fast: measures the bytes of a first load and the time to first render', async () => {
    await system
      .api()
      .post('/tasks')
      .send({ name: 'measured', url: system.target.url('/measure'), delayMs: 3_600_000 })
      .expect(201);
    const page: Page = await browser.page();
    const pageErrors: string[] = [];
    failOnPageErrors(page, pageErrors);
    const token = await testToken(system.owner);
    // Signed in already (the tab's session), and a mark when the first row of the list appears.
    await page.addInitScript(
      `sessionStorage.setItem('scheduler.token', ${JSON.stringify(token)});
       new MutationObserver((_, observer) => {
         if (document.querySelector('table.list tbody tr')) { performance.mark('list-shown'); observer.disconnect(); }
       }).observe(document, { subtree: true, childList: true });`,
    );
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const responses = new Map<string, { url: string; type: string; encoding: string | undefined; bytes: number }>();
    cdp.on('Network.responseReceived', (e) => {
      const encoding = Object.entries(e.response.headers).find(([k]) => k.toLowerCase() === 'content-encoding')?.[1];
      responses.set(e.requestId, { url: e.response.url, type: e.type, encoding, bytes: 0 });
    });
    cdp.on('Network.loadingFinished', (e) => {
      const response = responses.get(e.requestId);
      if (response) response.bytes = e.encodedDataLength;
    });

    await page.goto(`${system.baseUrl}/ui/tasks`);
    await page.locator('table.list tbody tr').first().waitFor();
    await page.locator('.count', { hasText: '1' }).first().waitFor();
    await page.waitForLoadState('networkidle');
    const paint = await inPage<number>(page, "performance.getEntriesByName('first-contentful-paint')[0].startTime");
    const listShown = await inPage<number>(page, "performance.getEntriesByName('list-shown')[0].startTime");

    const all = [...responses.values()];
    const files = all.filter((r) => ['Document', 'Script', 'Stylesheet'].includes(r.type));
    const apiCalls = all.filter((r) => r.type === 'Fetch');
    const sum = (rs: typeof all) => rs.reduce((total, r) => total + r.bytes, 0);
    const byType = Object.fromEntries(files.map((r) => [r.type, r.bytes]));
    console.log(
      `dashboard first load (cache off, headers included): page ${sum(files)} bytes in ${files.length} files ` +
        `(document ${byType.Document}, script ${byType.Script}, stylesheet ${byType.Stylesheet}), ` +
        `then ${apiCalls.length} API answers ${sum(apiCalls)} bytes (${apiCalls.map((r) => new URL(r.url).pathname).join(', ')}); ` +
        `first contentful paint ${Math.round(paint)} ms, task list shown ${Math.round(listShown)} ms after navigation start`,
    );
    expect(files.map((r) => [r.type, r.encoding]).sort()).toEqual([
      ['Document', 'br'],
      ['Script', 'br'],
      ['Stylesheet', 'br'],
    ]);
    expect(apiCalls.map((r) => new URL(r.url).pathname).sort()).toEqual(['/dashboard/config', '/me', '/tasks', '/tasks/counts']);
    // Budgets: about 22 KB today (32 KB before every page but the task list loaded on demand); first render well within a second.
    expect(sum(files)).toBeLessThan(26_000);
    expect(paint).toBeLessThan(2_000);
    expect(listShown).toBeLessThan(3_000);
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
