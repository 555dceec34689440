import type { Page } from 'playwright-core';
import { decodeJwt } from 'jose';
import { freePort } from '../../libs/runtime/dev-server';
import { OidcProvider } from '../support/oidc-provider';
import { testSystemPerFile } from '../support/test-system';
import { browserPerFile, inPage, screenshot } from './support/browser';

jest.setTimeout(90_000);

/** The API's audience: an absolute URI, the resource (RFC 8707) the dashboard asks the provider for. */
const AUDIENCE = 'urn:scheduler:api';
const CLIENT_ID = 'scheduler-dashboard';

describe('signing in to the dashboard through an OpenID provider (Chromium, oidc-provider on loopback, authorization code + PKCE)', () => {
  let provider: OidcProvider;
  let apiPort: number;
  let page: Page;

  beforeAll(async () => {
    apiPort = await freePort();
    provider = await OidcProvider.start({
      clientId: CLIENT_ID,
      redirectUris: [`http://127.0.0.1:${apiPort}/ui/callback`],
      audience: AUDIENCE,
      admins: ['root'],
    });
    // Identity provider mode: no embedded secret; the API finds the provider's keys by discovery.
  });
  const system = testSystemPerFile(() => ({
    API_PORT: String(apiPort),
    JWT_SECRET: '',
    JWT_ISSUER: provider.issuer,
    JWT_AUDIENCE: AUDIENCE,
    OIDC_CLIENT_ID: CLIENT_ID,
  }));
  const browser = browserPerFile((p) => (page = p));
  beforeAll(async () => {
    // The provider's development pages import a Google font; this machine is offline.
    await browser.context.route('https://fonts.googleapis.com/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/css', body: '' }),
    );
  });
  afterAll(async () => {
    await provider?.stop();
  });

  /** From the dashboard's sign-in page through the provider's login and consent pages, as `login`. */
  async function signInAtProvider(login: string, from = '/ui/schedules'): Promise<void> {
    // A new visitor: no session at the provider (its cookies would sign the last one in again).
    await browser.context.clearCookies();
    await page.goto(`${system.baseUrl}${from}`);
    await page.getByRole('button', { name: 'Sign in with your identity provider' }).click();
    await page.waitForURL(`${provider.issuer}/**`);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Signed in as').waitFor();
  }

  /** The codec server's cookie in this browser, as [name, httpOnly, sameSite, path] (cookies ignore ports: the provider's own are left out). */
  const codecCookies = async () =>
    (await browser.context.cookies(`${system.baseUrl}/codec/decode`))
      .filter((c) => c.name === 'scheduler_codec')
      .map((c) => [c.name, c.httpOnly, c.sameSite, c.path]);

  it('signs an admin in at the provider and back, with an ES256 access token for the API that the API verifies', async () => {
    await signInAtProvider('root');
    await expect(page.locator('.who span').innerText()).resolves.toBe('Signed in as root (admin)');
    // Back where the visitor was going, with no code or state left in the address.
    expect(new URL(page.url()).pathname).toBe('/ui/schedules');
    expect(new URL(page.url()).search).toBe('');
    const token = await inPage(page, "sessionStorage.getItem('scheduler.token')");
    expect(decodeJwt(String(token))).toMatchObject({ iss: provider.issuer, aud: AUDIENCE, sub: 'root', roles: ['admin'] });
    const me = await fetch(`${system.baseUrl}/me`, { headers: { authorization: `Bearer ${String(token)}` } });
    expect(await me.json()).toEqual({ sub: 'root', admin: true });
    // An admin's browser also gets the codec server's cookie, for the Temporal Web UI.
    await expect(codecCookies()).resolves.toEqual([['scheduler_codec', true, 'Strict', '/codec']]);
    await screenshot(page, 'oidc-signed-in');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with your identity provider' }).waitFor();
    await expect(codecCookies()).resolves.toEqual([]);
  });

  it('signs a user in as a user: no admin, no codec cookie', async () => {
    await signInAtProvider(`alice-${system.owner}`, '/ui/tasks');
    await expect(page.locator('.who span').innerText()).resolves.toBe(`Signed in as alice-${system.owner}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Tasks');
    await expect(codecCookies()).resolves.toEqual([]);
  });

  it('refuses a callback that no sign-in of this tab started (a forged or replayed answer), saying why', async () => {
    await page.goto(`${system.baseUrl}/ui/callback?code=forged&state=forged&iss=${encodeURIComponent(provider.issuer)}`);
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'Signed out: the identity provider sign-in failed: no sign-in was in progress in this tab.',
    );
    expect(new URL(page.url()).pathname).toBe('/ui/tasks');
  });

  it('serves the page under a policy that lets it reach the provider, and nothing else', async () => {
    const res = await fetch(`${system.baseUrl}/ui/tasks`);
    expect(res.headers.get('content-security-policy')).toContain(`connect-src 'self' ${provider.issuer};`);
  });
});
