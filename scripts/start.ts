/**
 * `npm start`: the whole system on one machine. Starts the Temporal dev server (SQLite under
 * data/, Web UI on :8233) unless TEMPORAL_ADDRESS names a server, then the worker and the API
 * as child processes; prints the URLs once the API answers; Ctrl-C stops everything.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { appEnvironment, localApiUrl } from '../libs/runtime/app-environment';
import { spawnApp, stopProcess, waitForHttpOk } from '../libs/runtime/app-process';
import { loadConfig } from '../libs/runtime/config';
import { freePort, startDevServer, type RunningDevServer } from '../libs/runtime/dev-server';
import { projectRoot } from '../libs/runtime/paths';

const root = projectRoot();
const dataDir = join(root, 'data');
const startedAt = Date.now();
/** When `npm start` began, before its build (package.json sets it); unset when this script runs on its own. */
const requestedAt = Number(process.env.START_REQUESTED_AT_MS) || undefined;

/** The first line of the banner: how long the start took, and with the build when there was one. */
export function readyLine(startedAtMs: number, readyAtMs: number, requestedAtMs?: number): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  const withBuild = requestedAtMs !== undefined ? ` (${seconds(readyAtMs - requestedAtMs)} s with the build)` : '';
  return `Ready in ${seconds(readyAtMs - startedAtMs)} s${withBuild}:`;
}

/** The dev server's own settings (README, "Configuration"). */
const devServerSettings = {
  ip: process.env.TEMPORAL_DEV_IP ?? '127.0.0.1',
  port: Number(process.env.TEMPORAL_DEV_PORT ?? 7233),
  uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
  dbFile: process.env.TEMPORAL_DB_FILE ?? join(dataDir, 'temporal.db'),
  logLevel: (process.env.TEMPORAL_LOG_LEVEL ?? 'error') as 'debug' | 'info' | 'warn' | 'error',
};

let server: RunningDevServer | null = null;
const children: ChildProcess[] = [];
let stopping = false;

/** Stops the API and the worker (SIGTERM: they drain), then the dev server. */
async function stop(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.exitCode = exitCode;
  console.log('start: stopping the API and the worker ...');
  await Promise.all(children.map((child) => stopProcess(child)));
  if (server) {
    console.log('start: stopping the Temporal dev server ...');
    await server.stop();
  }
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  const env = appEnvironment(root, dataDir);
  const apiUrl = localApiUrl(env.API_HOST, env.API_PORT ?? 3000);
  if (!process.env.TEMPORAL_ADDRESS) {
    // The dev server's HTTP API and metrics ports are pinned (the CLI would pick random ones), so
    // that calls can be refused them: its HTTP API serves every user's history.
    const [httpPort, metricsPort] = [await freePort(devServerSettings.ip), await freePort(devServerSettings.ip)];
    server = await startDevServer({
      ...devServerSettings,
      httpPort,
      metricsPort,
      // Its Web UI decodes payloads through the API's codec server (for a signed-in admin).
      uiCodecEndpoint: `${apiUrl}/codec`,
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      stdio: 'inherit',
    });
    env.TEMPORAL_ADDRESS = server.address;
    if (server.uiUrl) env.TEMPORAL_UI_URL ??= server.uiUrl;
    const own = [`${devServerSettings.ip}:${httpPort}`, `${devServerSettings.ip}:${metricsPort}`];
    env.OUTBOUND_DENY = [env.OUTBOUND_DENY, ...own].filter(Boolean).join(',');
  }
  const config = loadConfig(env); // fail here, once, with every bad variable named

  children.push(spawnApp('worker', env), spawnApp('api', env));
  for (const child of children) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`start: a child process exited (code ${code}, signal ${signal}); stopping everything`);
      void stop(1);
    });
  }

  await waitForHttpOk(`${apiUrl}/health`, children[1]);
  const ui = server?.uiUrl ?? '(the Web UI of your Temporal cluster)';
  console.log(
    [
      '',
      readyLine(startedAt, Date.now(), requestedAt),
      `  Dashboard      ${apiUrl}/${env.API_DEV_SIGN_IN === 'true' ? '   (sign in with any name: development sign-in)' : ''}`,
      `  API            ${apiUrl}`,
      `  Swagger UI     ${apiUrl}/docs`,
      `  OpenAPI JSON   ${apiUrl}/docs-json`,
      `  Temporal UI    ${ui}`,
      `  Temporal gRPC  ${config.temporal.address} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`,
      server ? `  Data           ${devServerSettings.dbFile}` : '',
      env.JWT_SECRET
        ? '  A token        TOKEN=$(npm run -s token -- --sub alice)   (--admin for an admin; then -H "authorization: Bearer $TOKEN")'
        : '  Tokens         from your identity provider (JWT_ISSUER / JWT_JWKS_URL)',
      `  Destinations   public addresses and ${env.OUTBOUND_ALLOW_CIDRS || 'nothing else'} (OUTBOUND_ALLOW_CIDRS), never this system's own ports`,
      `  Secrets        payloads encrypted in Temporal with key ${config.payloadKeys?.encrypting.id} (PAYLOAD_KEYS); codec server ${apiUrl}/codec`,
      `  Metrics        ${apiUrl}/metrics (API)${config.worker.metricsAddress ? `, http://127.0.0.1:${config.worker.metricsAddress.split(':').at(-1)}/metrics (worker)` : ''}`,
      'Ctrl-C stops everything.',
      '',
    ]
      .filter((line) => line !== '')
      .join('\n'),
  );
}

if (require.main === module) {
  main().catch(async (err: unknown) => {
    console.error('start: failed:', err instanceof Error ? err.message : err);
    await stop(1);
  });
}
