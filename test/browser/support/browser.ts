import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../../libs/runtime/paths';
import { ensureDashboardBuilt } from './dashboard-build';

/** Debian's Chromium: the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Chromium's flags here: headless without a sandbox or GPU, and none of its own traffic
 * (background networking, component updates, sync), which this machine refuses.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The zone and locale the browser runs in: not UTC, so that a time read in the wrong zone shows. */
export const BROWSER_ZONE = 'Europe/Berlin';

/** Where each page's screenshot goes (git-ignored). */
export const ARTIFACTS = join(projectRoot(), 'test', 'browser', 'artifacts');

/** A browser with a fresh profile of its own; each page has its own sessionStorage, so its own user. */
export interface TestBrowser {
  context: BrowserContext;
  /** A new tab, 1280 px wide unless asked otherwise. */
  page(options?: { width?: number; height?: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Starts Chromium with a fresh user-data dir, in {@link BROWSER_ZONE}. */
export async function launchBrowser(): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: BROWSER_ZONE,
  });
  const blank = context.pages();
  return {
    context,
    page: async ({ width = 1280, height = 900 } = {}) => {
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      return page;
    },
    close: async () => {
      await Promise.all(blank.map((p) => p.close()));
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Saves a screenshot of the page under test/browser/artifacts/<name>.png; with
 * UPDATE_DOCS_SCREENSHOTS=1, also `docs/<docsName>` (the README's pictures).
 */
export async function screenshot(page: Page, name: string, docsName?: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled' });
  if (docsName && process.env.UPDATE_DOCS_SCREENSHOTS === '1') {
    mkdirSync(join(projectRoot(), 'docs'), { recursive: true });
    await page.screenshot({ path: join(projectRoot(), 'docs', docsName), fullPage: false, animations: 'disabled' });
  }
}

/**
 * The value of a JavaScript expression in the page. A string, not a function: the tests are
 * compiled without the DOM's types, which the page's globals would need.
 */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

/**
 * Pretends the tab is hidden (or shown again), as switching tabs does: the page sees
 * document.visibilityState change and a visibilitychange event.
 */
export async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await inPage(
    page,
    `Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => '${hidden ? 'hidden' : 'visible'}' });
     Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${hidden} });
     document.dispatchEvent(new Event('visibilitychange'));`,
  );
}

/** Marks the page's window, so a test can tell later whether the page was reloaded (the mark is gone then). */
export async function markWindow(page: Page): Promise<() => Promise<boolean>> {
  await inPage(page, 'window.__notReloaded = true');
  return () => inPage<boolean>(page, 'window.__notReloaded === true');
}

/** Fails the test on any error the page logs or throws (a CSP violation included). */
export function failOnPageErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (message) => {
    // A refused request (the 404s and 409s the tests cause on purpose) is logged by Chromium as an error; those are not page errors.
    if (
      message.type() === 'error' &&
      !/Failed to load resource: the server responded with a status of (400|401|404|409)/.test(message.text())
    ) {
      errors.push(`console: ${message.text()}`);
    }
  });
}

/**
 * Opens a fresh page before each test of the file (handed to `use`) and closes it after each,
 * failing the test on any error the page logged or threw (see failOnPageErrors).
 */
export function pagePerTest(browser: () => TestBrowser, use: (page: Page) => void): void {
  let page: Page | undefined;
  let errors: string[] = [];
  beforeEach(async () => {
    page = await browser().page();
    errors = [];
    failOnPageErrors(page, errors);
    use(page);
  });
  afterEach(async () => {
    await page?.close();
    expect(errors).toEqual([]);
  });
}

/**
 * Chromium for the whole test file, the dashboard built first, and a fresh page before each test
 * handed to `use` (see pagePerTest). Declared after the file's test system, it starts after it.
 * The object returned stands for the browser from the start (for a test that opens more pages).
 */
export function browserPerFile(use: (page: Page) => void): TestBrowser {
  let launched: TestBrowser | undefined;
  beforeAll(async () => {
    ensureDashboardBuilt();
    launched = await launchBrowser();
  });
  afterAll(async () => {
    await launched?.close();
  });
  const current = (): TestBrowser => {
    if (!launched) throw new Error('the browser starts in beforeAll: use it inside a test or a hook');
    return launched;
  };
  pagePerTest(current, use);
  return {
    get context() {
      return current().context;
    },
    page: (options) => current().page(options),
    close: () => current().close(),
  };
}

/** `2026-11-24 14:05:00`: an instant in `timeZone` (default the browser's), as the dashboard writes times. */
export function shownTime(iso: string, timeZone: string = BROWSER_ZONE): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}
