import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ENTRIES, spawnApp, stopProcess, waitForHttpOk, type AppName } from '../../../libs/runtime/app-process';
import { freePort, startDevServer, type RunningDevServer } from '../../../libs/runtime/dev-server';
import { projectRoot } from '../../../libs/runtime/paths';
import { HttpTarget, type RecordedRequest } from '../../support/http-target';
import { eventually } from '../../support/wait';
import { TEST_JWT_SECRET, testToken } from '../../support/jwt';
import { TEST_OUTBOUND_ALLOW_CIDRS } from '../../support/outbound';
import { TEST_PAYLOAD_KEYS } from '../../support/payload-keys';
import { TEST_WEBHOOK_SECRET } from '../../support/webhook-secret';
import { waitForWorkerPolling } from '../../support/worker-polling';

/** A task as GET /tasks/{id} returns it (the fields these tests read). */
export interface TaskView {
  id: string;
  status: 'scheduled' | 'running' | 'completed' | 'failed' | 'cancelled';
  runAt: string;
  error: string | null;
  attempts: { number: number; statusCode: number | null; error: string | null; durationMs: number; startedAt: string }[];
}

/** What a POST /tasks ended as, from the client's side. */
export type CreateOutcome = { ok: true; status: number; task: TaskView } | { ok: false; status: number | null; error: string };

const FINAL_STATUSES = new Set(['completed', 'failed', 'cancelled']);

/**
 * The whole product as separate real processes, so a test can kill any of them with SIGKILL:
 * a Temporal dev server on a SQLite file in a temp dir of its own (kept across restarts, on a
 * fixed port), the built worker and API (`dist/`, fixed API port), and a loopback HTTP target
 * in the test process.
 */
export class FaultSystem {
  readonly target: HttpTarget;
  readonly taskQueue = `faults-${randomUUID()}`;
  /** http://127.0.0.1:<port> of the API; the same across API restarts. */
  readonly baseUrl: string;
  readonly dbFile: string;
  private server: RunningDevServer | null = null;
  private worker: ChildProcess | null = null;
  private api: ChildProcess | null = null;
  private workerGeneration = 0;
  private apiGeneration = 0;
  /** Where the apps' output goes: discarded, or prefixed onto this process's output with FAULT_VERBOSE=1, or kept (`captureOutput`). */
  private readonly appOutput: 'prefixed' | 'ignore' | 'pipe';
  /** Everything each app wrote (stdout and stderr), when started with `captureOutput`. */
  private readonly captured = new Map<AppName, string>();

  private constructor(
    private readonly tempDir: string,
    private readonly serverPort: number,
    private readonly apiPort: number,
    /** The worker's Prometheus endpoint port. */
    readonly workerMetricsPort: number,
    target: HttpTarget,
    private readonly extraEnv: Record<string, string>,
    private readonly extraAppEnv: Partial<Record<AppName, Record<string, string>>>,
    captureOutput: boolean,
  ) {
    this.appOutput = captureOutput ? 'pipe' : process.env.FAULT_VERBOSE ? 'prefixed' : 'ignore';
    this.target = target;
    this.baseUrl = `http://127.0.0.1:${apiPort}`;
    this.dbFile = join(tempDir, 'temporal.sqlite');
  }

  /**
   * Starts the dev server, a worker (polling) and the API (healthy); `env` is added to both apps'
   * environment, `appEnv` to one app's (e.g. AWS endpoints that differ between them); with
   * `captureOutput`, what the apps write is kept ({@link output}).
   */
  static async start(
    env: Record<string, string> = {},
    appEnv: Partial<Record<AppName, Record<string, string>>> = {},
    { captureOutput = false } = {},
  ): Promise<FaultSystem> {
    const root = projectRoot();
    const missing = [...Object.values(APP_ENTRIES), 'dist/workflow-bundle.js'].filter((f) => !existsSync(join(root, f)));
    if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run npm run build first (the fault tests run the built apps)`);

    const tempDir = mkdtempSync(join(tmpdir(), 'fault-system-'));
    const [serverPort, apiPort, metricsPort, target] = await Promise.all([freePort(), freePort(), freePort(), HttpTarget.start()]);
    const system = new FaultSystem(tempDir, serverPort, apiPort, metricsPort, target, env, appEnv, captureOutput);
    try {
      await system.startServer();
      await Promise.all([system.startWorker(), system.startApi()]);
    } catch (err) {
      await system.teardown();
      throw err;
    }
    return system;
  }

  get temporalAddress(): string {
    return `127.0.0.1:${this.serverPort}`;
  }

  private appEnv(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      API_HOST: '127.0.0.1',
      API_PORT: String(this.apiPort),
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      LAMBDA_ALLOW: '*',
      SQS_ALLOW: '*',
      JWT_SECRET: TEST_JWT_SECRET,
      OUTBOUND_ALLOW_CIDRS: TEST_OUTBOUND_ALLOW_CIDRS,
      WORKFLOW_BUNDLE_PATH: join(projectRoot(), 'dist', 'workflow-bundle.js'),
      WORKER_METRICS_HOST: '127.0.0.1',
      WORKER_METRICS_PORT: String(this.workerMetricsPort),
      ...this.extraEnv,
    };
  }

  /** A gauge or counter of the worker's Prometheus endpoint (summed over its labels). */
  async workerMetric(name: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.workerMetricsPort}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }

  /** The bearer token every request of these tests carries (made on first use). */
  private token: Promise<string> | null = null;

  private async headers(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    this.token ??= testToken(`faults-${this.taskQueue}`);
    return { authorization: `Bearer ${await this.token}`, ...extra };
  }

  private spawn(name: AppName, generation: number): ChildProcess {
    const child = spawnApp(name, { ...this.appEnv(), ...this.extraAppEnv[name] }, this.appOutput, `${name}#${generation}`);
    if (this.appOutput === 'pipe') {
      const keep = (chunk: Buffer) => this.captured.set(name, (this.captured.get(name) ?? '') + chunk.toString());
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
    }
    return child;
  }

  /** What `name` wrote so far (every generation), when started with `captureOutput`. */
  output(name: AppName): string {
    return this.captured.get(name) ?? '';
  }

  /** The dev server's files: its SQLite database and the journal files beside it. */
  get serverFiles(): string[] {
    return readdirSync(this.tempDir)
      .filter((file) => file.startsWith('temporal.sqlite'))
      .map((file) => join(this.tempDir, file));
  }

  // --- Temporal dev server -------------------------------------------------------------------

  /** Starts the dev server on this system's SQLite file and port (a restart finds its data there). */
  async startServer(): Promise<void> {
    if (this.server) throw new Error('the dev server is already running');
    this.server = await startDevServer({ dbFile: this.dbFile, port: this.serverPort, headless: true, readyTimeoutMs: 60_000 });
  }

  /** kill -9 of the dev server; resolves once it has exited. */
  async killServer(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await killHard(server.process);
  }

  /** kill -9 of the dev server, then a new one on the same SQLite file and port. The apps reconnect by themselves. */
  async restartServer(): Promise<{ downMs: number }> {
    const started = Date.now();
    await this.killServer();
    await this.startServer();
    return { downMs: Date.now() - started };
  }

  // --- worker --------------------------------------------------------------------------------

  /** Starts a worker process and resolves once it polls this system's task queue. */
  async startWorker(): Promise<void> {
    if (this.worker) throw new Error('a worker is already running');
    const child = this.spawn('worker', ++this.workerGeneration);
    this.worker = child;
    await waitForWorkerPolling(child, { address: this.temporalAddress, taskQueue: this.taskQueue });
  }

  /** kill -9 of the worker; resolves once it has exited. */
  async killWorker(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await killHard(worker);
  }

  // --- API -----------------------------------------------------------------------------------

  /** Starts an API process on the fixed port and resolves once /health answers 200 (Temporal reachable). */
  async startApi(): Promise<void> {
    if (this.api) throw new Error('an API is already running');
    const child = this.spawn('api', ++this.apiGeneration);
    this.api = child;
    await waitForHttpOk(`${this.baseUrl}/health`, child);
  }

  /** kill -9 of the API; resolves once it has exited. */
  async killApi(): Promise<void> {
    const api = this.api;
    this.api = null;
    if (api) await killHard(api);
  }

  /** Resolves once the API's /health is 200 (e.g. after a server restart). */
  async waitForHealthy(timeoutMs = 60_000): Promise<void> {
    if (!this.api) throw new Error('no API is running');
    await waitForHttpOk(`${this.baseUrl}/health`, this.api, timeoutMs);
  }

  // --- REST helpers --------------------------------------------------------------------------

  /** POST /tasks (with an Idempotency-Key when given); never throws: a lost connection is an outcome too. */
  async createTask(body: Record<string, unknown>, idempotencyKey?: string): Promise<CreateOutcome> {
    try {
      const res = await fetch(`${this.baseUrl}/tasks`, {
        method: 'POST',
        headers: await this.headers({
          'content-type': 'application/json',
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        }),
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status !== 201 && res.status !== 200) return { ok: false, status: res.status, error: text };
      return { ok: true, status: res.status, task: JSON.parse(text) as TaskView };
    } catch (err) {
      return { ok: false, status: null, error: describeFetchError(err) };
    }
  }

  /** POST /tasks that must answer 201. */
  async mustCreateTask(body: Record<string, unknown>): Promise<TaskView> {
    const outcome = await this.createTask(body);
    if (!outcome.ok) throw new Error(`POST /tasks failed (${outcome.status}): ${outcome.error}`);
    return outcome.task;
  }

  /** GET /tasks/{id}; a 503 (no worker answered the task's query in time) is returned as null. */
  async getTask(id: string): Promise<TaskView | null> {
    const res = await fetch(`${this.baseUrl}/tasks/${id}`, { headers: await this.headers() });
    if (res.status === 503) {
      await res.text();
      this.unavailable.push(id);
      return null;
    }
    if (res.status !== 200) throw new Error(`GET /tasks/${id}: ${res.status} ${await res.text()}`);
    return (await res.json()) as TaskView;
  }

  /** Every 503 that GET /tasks/{id} answered: the task's id. */
  readonly unavailable: string[] = [];

  /** GET /tasks/{id}/status: from Temporal's description, no worker involved. */
  async getStatus(id: string): Promise<TaskView['status']> {
    const res = await fetch(`${this.baseUrl}/tasks/${id}/status`, { headers: await this.headers() });
    if (res.status !== 200) throw new Error(`GET /tasks/${id}/status: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { status: TaskView['status'] }).status;
  }

  /**
   * Polls GET /tasks/{id}/status (cheap: no query, so it does not load the worker) until every
   * task is completed, failed or cancelled, then reads each one with GET /tasks/{id}.
   */
  async waitUntilFinished(ids: string[], timeoutMs: number): Promise<Map<string, TaskView>> {
    const closed = new Set<string>();
    try {
      await eventually(
        async () => {
          const open = ids.filter((id) => !closed.has(id));
          for (let i = 0; i < open.length; i += 20) {
            const batch = open.slice(i, i + 20);
            const statuses = await Promise.all(batch.map((id) => this.getStatus(id)));
            batch.forEach((id, j) => FINAL_STATUSES.has(statuses[j]) && closed.add(id));
          }
          return closed.size === ids.length ? true : undefined;
        },
        timeoutMs,
        250,
      );
    } catch (err) {
      const open = ids.filter((id) => !closed.has(id));
      throw new Error(`${open.length} of ${ids.length} tasks not finished after ${timeoutMs} ms (e.g. ${open.slice(0, 3).join(', ')})`, {
        cause: err,
      });
    }
    const done = new Map<string, TaskView>();
    for (let i = 0; i < ids.length; i += 20) {
      const views = await Promise.all(ids.slice(i, i + 20).map((id) => this.mustGetTask(id)));
      for (const view of views) done.set(view.id, view);
    }
    return done;
  }

  /** GET /tasks/{id}, retried while it answers 503. */
  async mustGetTask(id: string, timeoutMs = 30_000): Promise<TaskView> {
    return eventually(async () => (await this.getTask(id)) ?? undefined, timeoutMs, 250);
  }

  /** The target's requests grouped by Idempotency-Key. */
  callsByKey(path?: string): Map<string, RecordedRequest[]> {
    const byKey = new Map<string, RecordedRequest[]>();
    for (const request of this.target.requests(path)) {
      const key = String(request.headers['idempotency-key'] ?? '');
      byKey.set(key, [...(byKey.get(key) ?? []), request]);
    }
    return byKey;
  }

  /** Stops every process (SIGKILL: nothing here needs a graceful end), the target, and removes the temp dir. */
  async teardown(): Promise<void> {
    const results = await Promise.allSettled([this.killApi(), this.killWorker(), this.target.stop()]);
    results.push(...(await Promise.allSettled([this.server ? this.server.stop() : Promise.resolve()])));
    this.server = null;
    rmSync(this.tempDir, { recursive: true, force: true });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** SIGKILL, resolved once the process is gone. */
async function killHard(child: ChildProcess): Promise<void> {
  await stopProcess(child, 'SIGKILL');
}

/** fetch's error with its cause's code (ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET, ...). */
function describeFetchError(err: unknown): string {
  const { message, cause } = (err ?? {}) as { message?: unknown; cause?: { code?: string; message?: string } };
  const text = typeof message === 'string' ? message : String(err);
  const detail = cause?.code ?? cause?.message;
  return detail ? `${text}: ${detail}` : text;
}
