import type { Page } from 'playwright-core';
import request from 'supertest';
import { hs256Token } from '../support/jwt';
import { testSystemPerFile, testToken } from '../support/test-system';
import { browserPerFile, inPage, screenshot } from './support/browser';
import { eventuallyExpect, signInWithToken } from './support/dashboard';

jest.setTimeout(60_000);

describe('signing in to the dashboard (Chromium, dev sign-in on, Temporal UI configured)', () => {
  const system = testSystemPerFile({ API_DEV_SIGN_IN: 'true', TEMPORAL_UI_URL: 'http://127.0.0.1:8233' });
  let page: Page;
  browserPerFile((p) => (page = p));

  it('asks a signed-out visitor for a token, and refuses a bad one with the API reason', async () => {
    await page.goto(`${system.baseUrl}/ui/tasks`);
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await expect(page.title()).resolves.toBe('Sign in · HTTP scheduler');
    await page.getByLabel('Bearer token').fill(await hs256Token('another-secret-0123456789abcdefgh', { sub: 'mallory' }));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('The API refused this token: token signature is not valid.');
    await expect(inPage(page, 'sessionStorage.length')).resolves.toBe(0);
    await screenshot(page, 'sign-in');
  });

  it('signs in with a pasted token, says who is signed in, keeps the session over a reload, and signs out', async () => {
    await signInWithToken(page, system.baseUrl, await testToken(system.owner));
    await expect(page.locator('.who').innerText()).resolves.toBe(`Signed in as ${system.owner}\nSign out`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Tasks');
    await page.reload();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await expect(inPage(page, 'sessionStorage.length')).resolves.toBe(0);
  });

  it('opens with a skip link to the content, and marks its landmarks for screen readers', async () => {
    await signInWithToken(page, system.baseUrl, await testToken(system.owner));
    // Signed in, the focus goes to the page's heading, where a screen reader starts reading.
    await eventuallyExpect(
      () => inPage(page, 'document.activeElement?.textContent'),
      (focused) => expect(focused).toBe('Tasks'),
    );
    await page.reload();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    await expect(inPage(page, 'document.activeElement?.textContent')).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect(inPage(page, 'document.activeElement?.id')).resolves.toBe('main');
    for (const [role, name] of [
      ['banner', undefined],
      ['navigation', 'Main'],
      ['main', undefined],
      ['contentinfo', undefined],
      ['navigation', 'Tasks by status'],
    ] as const) {
      await expect(page.getByRole(role, name ? { name } : {}).count()).resolves.toBe(1);
    }
    await expect(page.getByRole('link', { name: 'Tasks', exact: true }).getAttribute('aria-current')).resolves.toBe('page');
    await expect(page.getByRole('table').locator('caption').textContent()).resolves.toBe('Tasks, every status, newest first, yours');
  });

  it('offers the development sign-in, marked as a convenience, and signs in as an admin by name', async () => {
    await page.goto(`${system.baseUrl}/`);
    const dev = page.getByRole('region', { name: 'Development sign-in' });
    await expect(dev.locator('p').first().textContent()).resolves.toMatch(/^A development convenience: anyone who can reach this API/);
    await dev.getByLabel('User name').fill('root-dev');
    await dev.getByLabel('Admin').check();
    await dev.getByRole('button', { name: 'Sign in as root-dev' }).click();
    await expect(page.locator('.who span').textContent()).resolves.toBe('Signed in as root-dev (admin)');
    await eventuallyExpect(
      () => Promise.resolve(page.url()),
      (url) => expect(url).toBe(`${system.baseUrl}/ui/tasks`),
    );
    await expect(page.getByLabel('All users').isChecked()).resolves.toBe(false);
  });

  it('names the bad field when the development sign-in refuses a name', async () => {
    await page.goto(`${system.baseUrl}/`);
    const dev = page.getByRole('region', { name: 'Development sign-in' });
    await dev.getByLabel('User name').fill('not a name');
    await dev.getByRole('button', { name: 'Sign in as not a name' }).click();
    await expect(dev.getByRole('alert').textContent()).resolves.toBe(
      'sub must be 1 to 64 letters, digits or . _ @ + -, starting with a letter or digit',
    );
  });

  it('answers the development sign-in with a 12-hour token for the name, an admin only when asked', async () => {
    const http = () => request(system.baseUrl);
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    const { token: admin } = (await http().post('/dashboard/dev-sign-in').send({ sub: 'carol', admin: true }).expect(200)).body;
    expect(claims(admin)).toMatchObject({ sub: 'carol', roles: ['admin'] });
    expect(claims(admin).exp - claims(admin).iat).toBe(12 * 3600);
    expect((await http().get('/me').set('authorization', `Bearer ${admin}`).expect(200)).body).toEqual({ sub: 'carol', admin: true });
    const { token: user } = (await http().post('/dashboard/dev-sign-in').send({ sub: 'dave' }).expect(200)).body;
    expect((await http().get('/me').set('authorization', `Bearer ${user}`).expect(200)).body).toEqual({ sub: 'dave', admin: false });
    const refused = await http().post('/dashboard/dev-sign-in').send({ sub: '', role: 'admin' }).expect(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['role', 'sub']);
    // As the OpenAPI document says: admin is absent or a boolean, never null.
    const nullAdmin = await http().post('/dashboard/dev-sign-in').send({ sub: 'erin', admin: null }).expect(400);
    expect(nullAdmin.body.errors).toEqual([{ field: 'admin', messages: ['admin must be a boolean value'] }]);
  });

  it('signs out with the reason when the API answers 401 to the session token', async () => {
    await signInWithToken(page, system.baseUrl, await testToken(system.owner));
    // The next refresh carries a token the API refuses, as an expired one would be.
    await page.route('**/tasks?**', (route) =>
      route.continue({ headers: { ...route.request().headers(), authorization: 'Bearer not-a-jwt' } }),
    );
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Signed out: the API refused the token: malformed bearer token.');
  });
});
