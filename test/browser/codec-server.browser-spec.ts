import type { BrowserContext, Page } from 'playwright-core';
import { freePort, startDevServer, type RunningDevServer } from '../../libs/runtime/dev-server';
import { startTestSystem, testToken, type TestSystem } from '../support/test-system';
import { launchBrowser, screenshot, type TestBrowser } from './support/browser';
import { ensureDashboardBuilt } from './support/dashboard-build';

jest.setTimeout(120_000);

/**
 * The Temporal Web UI of the dev server, pointed at the API's codec server (`--ui-codec-endpoint`,
 * as npm start does), in the same Chromium as the dashboard. The UI sends the browser's cookies to
 * the codec server once told to include credentials (its codec settings; the dev server's own
 * setting leaves them out, see README "Codec server"): an admin signed in on the dashboard then
 * reads a task's input decoded (but for another user's header values, which no admin reads); anyone else, the encrypted bytes.
 */
describe('the Temporal Web UI decodes through the codec server for a signed-in admin, and for no one else (Chromium)', () => {
  let server: RunningDevServer;
  let system: TestSystem;
  let browser: TestBrowser;
  let taskId: string;
  const marker = `ui-marker-${Date.now()}`;

  beforeAll(async () => {
    ensureDashboardBuilt();
    const [port, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    server = await startDevServer({ port, uiPort, uiCodecEndpoint: `http://127.0.0.1:${apiPort}/codec` });
    system = await startTestSystem({
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_UI_URL: server.uiUrl!,
      API_PORT: String(apiPort),
      API_DEV_SIGN_IN: 'true',
    });
    const created = await system
      .api()
      .post('/tasks')
      .send({ url: system.target.url('/ui'), headers: { 'x-api-key': `key-${marker}` }, body: { note: marker }, delayMs: 3_600_000 })
      .expect(201);
    taskId = created.body.id as string;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await system?.teardown();
    await server?.stop();
  });

  /** Signs in on the dashboard with the development sign-in, as an admin or not. */
  async function signInOnDashboard(page: Page, sub: string, admin: boolean): Promise<void> {
    await page.goto(`${system.baseUrl}/ui/tasks`);
    await page.getByLabel('User name').fill(sub);
    if (admin) await page.getByRole('checkbox', { name: 'Admin' }).check();
    await page.getByRole('button', { name: `Sign in as ${sub}` }).click();
    await page.getByText('Signed in as').waitFor();
  }

  /** The UI's own codec settings (browser-local): this endpoint, cross-origin credentials included. */
  async function includeCredentials(context: BrowserContext): Promise<void> {
    const endpoint = JSON.stringify(`${system.baseUrl}/codec`);
    await context.addInitScript(
      `if (location.origin === ${JSON.stringify(new URL(server.uiUrl!).origin)}) {
         localStorage.setItem('endpoint', ${JSON.stringify(endpoint)});
         localStorage.setItem('includeCredentials', 'true');
         localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
       }`,
    );
  }

  /** How many times the API answered POST /codec/decode with `status` (its own request metrics: the UI may call from a worker). */
  async function decodes(status: number): Promise<number> {
    const text = await (await fetch(`${system.baseUrl}/metrics`)).text();
    const series = `scheduler_api_requests_total{method="POST",route="/codec/decode",status="${status}"} `;
    const line = text.split('\n').find((l) => l.startsWith(series));
    return line === undefined ? 0 : Number(line.slice(series.length));
  }

  /** Waits until `probe` is true, polling. */
  async function until(probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it("shows an admin signed in on the dashboard the task's input decoded, but for the owner's header values", async () => {
    const page = await browser.page({ width: 1400, height: 1000 });
    try {
      await signInOnDashboard(page, 'root', true);
      await includeCredentials(browser.context);
      const before = await decodes(200);
      await page.goto(`${server.uiUrl}/namespaces/default/workflows/${taskId}`);
      await page.getByText(`"note": "${marker}"`).waitFor({ timeout: 60_000 });
      await page.getByText('"x-api-key": "<redacted>"').waitFor();
      expect(await page.content()).not.toContain(`key-${marker}`);
      expect(await decodes(200)).toBeGreaterThan(before);
      await screenshot(page, 'temporal-ui-decoded');
    } finally {
      await page.close();
    }
  });

  it("sends no credentials with the dev server's own settings: even an admin's browser gets 401 until the UI is told to include them", async () => {
    const settings = (await (await fetch(`${server.uiUrl}/api/v1/settings`)).json()) as { Codec: Record<string, unknown> };
    expect(settings.Codec).toMatchObject({ Endpoint: `${system.baseUrl}/codec`, PassAccessToken: false, IncludeCredentials: false });
    const admin = await launchBrowser();
    try {
      const page = await admin.page({ width: 1400, height: 1000 });
      await signInOnDashboard(page, 'root', true);
      const before = await decodes(401);
      await page.goto(`${server.uiUrl}/namespaces/default/workflows/${taskId}`);
      await until(async () => (await decodes(401)) > before);
    } finally {
      await admin.close();
    }
  });

  it.each([
    ['a user signed in on the dashboard (its token in the cookie)', 403],
    ['a browser without the cookie', 401],
  ] as const)('shows %s the encrypted payload: the codec server answers %d', async (_who, status) => {
    const other = await launchBrowser();
    try {
      const page = await other.page({ width: 1400, height: 1000 });
      if (status === 403) {
        await signInOnDashboard(page, `alice-${system.owner}`, false);
        // As if the cookie had been set for this user: a user's token is still no admin's.
        await other.context.addCookies([
          { name: 'scheduler_codec', value: await testToken(`alice-${system.owner}`), url: `${system.baseUrl}/codec` },
        ]);
      }
      await includeCredentials(other.context);
      const before = await decodes(status);
      await page.goto(`${server.uiUrl}/namespaces/default/workflows/${taskId}`);
      await until(async () => (await decodes(status)) > before);
      // Whatever the UI makes of the refusal (it shows the payload as stored), the page holds no marker.
      await page.locator('.cm-content').first().waitFor({ state: 'attached' });
      await page.waitForTimeout(1_500);
      const shown = [await page.content(), ...(await page.locator('.cm-content').allTextContents())].join('\n');
      expect(shown).not.toContain(marker);
      await screenshot(page, `temporal-ui-refused-${status}`);
    } finally {
      await other.close();
    }
  });
});
