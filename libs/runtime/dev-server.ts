import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../common';
import { stopProcess } from './app-process';
import { temporalBinary } from './temporal-binaries';

/**
 * Server settings this product needs. The timer queue reads ahead in windows of
 * `timerProcessorMaxTimeShift` (1 s by default), which made timers and retry waits up to a
 * second late; 10 ms keeps them within a few ms (README, "Performance"). Eager activity
 * execution hands the HTTP activity to the worker in the reply to the workflow task that
 * schedules it, which saves a trip through the task queue. Schedules may start up to 1,000 runs
 * a second per namespace (the default 30/s spread 100 schedules due at the same second over
 * more than 3 s). Worker commands let the server push an activity's cancellation to the worker
 * running it, so a held call on another worker is handed back at once, not at its next heartbeat.
 * docker/dynamicconfig.yaml carries the same values for the docker-compose cluster, and
 * `npm run cluster` writes them into its server's dynamic config file (test/unit/docker-compose.spec.ts).
 */
export const SERVER_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'history.timerProcessorMaxTimeShift': '10ms',
  'system.enableActivityEagerExecution': true,
  'worker.schedulerNamespaceStartWorkflowRPS': 1000,
  'frontend.WorkerCommandsEnabled': true,
  'system.enableCancelActivityWorkerCommand': true,
  // Workers' own heartbeats, listed by ListWorkers: how a dead worker's held calls are adopted
  // within seconds (apps/worker/src/held-call-adopter.ts). On by default from 1.32; said here
  // because the product relies on it.
  'frontend.WorkerHeartbeatsEnabled': true,
};

/**
 * Settings of the embedded dev server only. The CLI turns on
 * `forceSearchAttributesCacheRefreshOnRead`, which re-reads the cluster metadata on every
 * search-attribute read: 15 of the 27 database operations a task cost (bench, "server work
 * per task"). This server registers its search attributes at boot (`--search-attribute`),
 * so it never needs the refresh.
 */
const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'system.forceSearchAttributesCacheRefreshOnRead': false,
};

/**
 * SQLite settings of a persisted dev server. WAL with synchronous=NORMAL doubled task starts
 * per second here (35/s -> 73/s with 32 clients) against the default rollback journal, and a
 * killed server process loses nothing committed (only a power loss could drop the last
 * transactions).
 */
const DEFAULT_SQLITE_PRAGMAS: readonly string[] = ['journal_mode=wal', 'synchronous=normal'];

/** How long `stop()` waits after SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 10_000;

export interface DevServerOptions {
  /** SQLite file to persist to; omit for an in-memory server. */
  dbFile?: string;
  ip?: string;
  /** gRPC port; 0 = a free one. */
  port?: number;
  /** Web UI port (default: the gRPC port + 1000); ignored when headless. */
  uiPort?: number;
  headless?: boolean;
  namespace?: string;
  /** Extra `--dynamic-config-value KEY=VALUE` entries, on top of SERVER_DYNAMIC_CONFIG and DEV_SERVER_DYNAMIC_CONFIG. */
  dynamicConfig?: Record<string, unknown>;
  /** How long to wait for the server to answer (default 60 s). */
  readyTimeoutMs?: number;
  /** The server's own log level (default warn). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Serve the server's Prometheus metrics on this port (`/metrics`); default a random free one (the CLI's choice). */
  metricsPort?: number;
  /** Serve the frontend's HTTP API on this port; default a random free one (the CLI's choice). */
  httpPort?: number;
  /** The Web UI's codec server (`--ui-codec-endpoint`): it decodes payloads through `<endpoint>/decode`. */
  uiCodecEndpoint?: string;
  /** Where the server's output goes (default: discarded). */
  stdio?: 'inherit' | 'ignore';
}

export interface RunningDevServer {
  address: string;
  uiUrl: string | null;
  process: ChildProcess;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** A free TCP port on `ip`. */
export async function freePort(ip = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, ip, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts `temporal server start-dev` with this project's search attributes registered and
 * waits until its frontend answers.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<RunningDevServer> {
  // A port picked here may be taken before the CLI binds it (the ports it picks for itself too):
  // a server that exits at start on a port of our choice is started again on others. Seen once in
  // CI, right after the cluster tests: 'start-dev exited with code 2'.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServerOnce(options);
    } catch (err) {
      if (options.port || attempt >= DEV_SERVER_START_ATTEMPTS || !(err instanceof DevServerExitedError)) throw err;
    }
  }
}

/** Starts of a dev server on ports picked here, when the CLI exits at start. */
const DEV_SERVER_START_ATTEMPTS = 3;

/** The CLI exited before its frontend answered. */
class DevServerExitedError extends Error {}

async function startDevServerOnce(options: DevServerOptions): Promise<RunningDevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port || (await freePort(ip));
  const uiPort = options.uiPort ?? port + 1000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', options.logLevel ?? 'warn'];
  args.push('--namespace', options.namespace ?? 'default');
  if (options.dbFile) {
    args.push('--db-filename', options.dbFile);
    for (const pragma of DEFAULT_SQLITE_PRAGMAS) args.push('--sqlite-pragma', pragma);
  }
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));
  if (options.httpPort) args.push('--http-port', String(options.httpPort));
  if (options.headless) args.push('--headless');
  else {
    args.push('--ui-port', String(uiPort));
    if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  }
  for (const { name, type } of SEARCH_ATTRIBUTE_DEFINITIONS) args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries({ ...SERVER_DYNAMIC_CONFIG, ...DEV_SERVER_DYNAMIC_CONFIG, ...options.dynamicConfig })) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }

  const inherit = options.stdio === 'inherit';
  const child = spawn(temporalBinary('temporal'), args, { stdio: ['ignore', inherit ? 'inherit' : 'pipe', inherit ? 'inherit' : 'pipe'] });
  // What the CLI said last, for the error if it exits at start (otherwise discarded).
  let said = '';
  const keep = (chunk: Buffer) => (said = (said + chunk.toString()).slice(-2_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const address = `${ip}:${port}`;
  const stop = (): Promise<void> => stopProcess(child, 'SIGTERM', STOP_GRACE_MS);

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new DevServerExitedError(
        `temporal server start-dev exited with code ${child.exitCode} (args: ${args.join(' ')})${said ? `; it said: ${said.trim()}` : ''}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        break;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`temporal dev server at ${address} did not answer within ${readyTimeoutMs} ms`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { address, uiUrl: options.headless ? null : `http://${ip}:${uiPort}`, process: child, stop };
}
