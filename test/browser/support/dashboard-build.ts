import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../libs/runtime/paths';

/** Where `npm run build` puts the dashboard, and where the API reads it from. */
export const DASHBOARD_DIST = join(projectRoot(), 'dist', 'dashboard');

/**
 * Builds the dashboard when dist has none (a fresh clone after `npm install`), so the browser
 * tests need no `npm run build` first. Vite's JS API runs in a child process: Vite is ESM, and
 * jest's module system is CommonJS. The build goes to a temporary folder and is renamed into
 * place, so test files starting together never see half a build.
 */
export function ensureDashboardBuilt(): void {
  if (existsSync(join(DASHBOARD_DIST, 'index.html'))) return;
  const root = projectRoot();
  const staging = mkdtempSync(join(root, 'dist', '.dashboard-'));
  const script = [
    "import { build } from 'vite';",
    `await build({ configFile: ${JSON.stringify(join(root, 'apps', 'dashboard', 'vite.config.mts'))}, logLevel: 'warn', build: { outDir: ${JSON.stringify(staging)} } });`,
  ].join('\n');
  try {
    // As `npm run build` makes it: jest's NODE_ENV=test would make Vite build for development (Preact's debug code in).
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      stdio: 'inherit',
      timeout: 120_000,
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (!existsSync(join(DASHBOARD_DIST, 'index.html'))) {
      rmSync(DASHBOARD_DIST, { recursive: true, force: true });
      renameSync(staging, DASHBOARD_DIST);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
