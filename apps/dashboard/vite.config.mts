/**
 * The dashboard's build: Preact, served by the API under /ui/ (apps/api/src/dashboard), into
 * dist/dashboard. `npm run build` runs it; so do the browser tests when dist has no build.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/**
 * Writes `<file>.br` and `<file>.gz` beside every text file of the build, compressed as hard as
 * brotli and gzip go: once here, so the API never compresses while it answers.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'dashboard:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const files = (await readdir(outDir, { recursive: true })).filter((f) => /\.(html|js|css|svg|json)$/.test(f));
      await Promise.all(
        files.map(async (file) => {
          const path = join(outDir, file);
          const content = await readFile(path);
          const br = await brotli(content, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } });
          await writeFile(`${path}.br`, br);
          await writeFile(`${path}.gz`, await gz(content, { level: 9 }));
        }),
      );
    },
  };
}

/** The API that `vite apps/dashboard` (the development server, with hot reload) passes API calls to. */
const api = process.env.DASHBOARD_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [preact(), precompress()],
  // Every page and file of the dashboard is under /ui/: the API owns every other path.
  base: '/ui/',
  build: { outDir: '../../dist/dashboard', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: Object.fromEntries(
      ['/tasks', '/orchestrations', '/schedules', '/bulk', '/functions', '/me', '/dashboard', '/codec', '/docs'].map((path) => [path, api]),
    ),
  },
});
