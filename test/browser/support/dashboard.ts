import type { Page, Request } from 'playwright-core';

/** Signs in on the dashboard by pasting `token`, from `path` (a page of the dashboard). */
export async function signInWithToken(page: Page, baseUrl: string, token: string, path = '/ui/tasks'): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByText('Signed in as').waitFor();
}

/**
 * The texts of the cells of a list's rows, row by row; a cell's first line only (a name, not the
 * id or tags under it). The selection's checkboxes are not cells of text: left out.
 */
export async function tableRows(page: Page): Promise<string[][]> {
  return page
    .locator('table.list tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) =>
        Array.from(row.querySelectorAll('td:not(.col-select)'), (cell: { innerText: string }) => cell.innerText.trim().split('\n')[0]),
      ),
    );
}

/** The names (links) in the name column of a list, top to bottom. */
export function rowNames(page: Page): Promise<string[]> {
  return page.locator('table.list tbody tr td.col-name > div > a').allTextContents();
}

/**
 * Polls `probe` until `check` passes on its value (an `expect`), as a person watching the page
 * would; after `timeoutMs` the last failed expectation is the test's failure.
 */
export async function eventuallyExpect<T>(probe: () => Promise<T>, check: (value: T) => void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    try {
      check(value);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The status tabs of a list as `[label, count]`, e.g. `['Scheduled', '3']`. */
export async function statusTabs(page: Page): Promise<Array<[string, string]>> {
  return page
    .locator('.tabs a')
    .evaluateAll((links) =>
      links.map(
        (link) => [link.firstChild?.textContent?.trim() ?? '', link.querySelector('.count')?.textContent?.trim() ?? ''] as [string, string],
      ),
    );
}

/** The nodes of the orchestration diagram (a group's calls among them), top to bottom, as `[title, state, summary line]`. */
export async function diagram(page: Page): Promise<string[][]> {
  return page
    .locator('.node[data-node]')
    .evaluateAll((nodes) =>
      nodes.map((node) => [
        node.getAttribute('data-node') ?? '',
        (/state-(\w+)/.exec(node.className) ?? [])[1] ?? '',
        (node.querySelector('summary')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
      ]),
    );
}

/** The requests of `method` (to `path` only, when given) the page sends from now on, in order; each one's body is its postDataJSON(). */
export function recordRequests(page: Page, method: string, path?: string): Request[] {
  const sent: Request[] = [];
  page.on('request', (r) => r.method() === method && (path === undefined || new URL(r.url()).pathname === path) && sent.push(r));
  return sent;
}

/** Saves an edit form in which nothing was changed: the form says so, and sends nothing. */
export async function expectNothingChangedNothingSent(page: Page): Promise<void> {
  const patches = recordRequests(page, 'PATCH');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.locator('.error-summary strong').textContent()).resolves.toBe('Not sent.');
  await expect(page.locator('.error-summary li').allTextContents()).resolves.toEqual(['nothing was changed: change a field first']);
  expect(patches).toHaveLength(0);
}
