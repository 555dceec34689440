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
import { waitForWorkerPolling } from '../../../libs/runtime/worker-polling';

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

/** How a fault system is made up. */
export interface FaultSystemOptions {
  /** Added to the apps' environment. */
  env?: Record<string, string>;
  /** Added to one app's environment (e.g. AWS endpoints that differ between them). */
  appEnv?: Partial<Record<AppName, Record<string, string>>>;
  /** Worker processes (default 1). */
  workers?: number;
  /** Added to worker `i`'s environment only (after `env`). */
  workerEnv?: Array<Record<string, string>>;
  /** API processes, each on a port of its own (default 1). */
  apis?: number;
  /** A Temporal server that runs already (a cluster); default: a dev server of this system's own. */
  temporal?: { address: string; namespace: string };
  /** Keep what the apps write ({@link FaultSystem.output}). */
  captureOutput?: boolean;
}

/**
 * The whole product as separate real processes, so a test can kill any of them with SIGKILL:
 * a Temporal dev server on a SQLite file in a temp dir of its own (kept across restarts, on a
 * fixed port) or a cluster the test runs, the built workers and APIs (`dist/`, fixed ports), and
 * a loopback HTTP target in the test process.
 */
export class FaultSystem {
  readonly target: HttpTarget;
  readonly taskQueue = `faults-${randomUUID()}`;
  readonly dbFile: string;
  private server: RunningDevServer | null = null;
  private readonly workers: Array<ChildProcess | null>;
  private readonly apis: Array<ChildProcess | null>;
  private workerGeneration = 0;
  private apiGeneration = 0;
  /** Where the apps' output goes: discarded, or prefixed onto this process's output with FAULT_VERBOSE=1, or kept (`captureOutput`). */
  private readonly appOutput: 'prefixed' | 'ignore' | 'pipe';
  /** Everything each app wrote (stdout and stderr), when started with `captureOutput`. */
  private readonly captured = new Map<AppName, string>();

  private constructor(
    private readonly tempDir: string,
    private readonly serverPort: number,
    private readonly apiPorts: number[],
    /** The workers' Prometheus endpoint ports, by worker. */
    readonly workerMetricsPorts: number[],
    target: HttpTarget,
    private readonly extraEnv: Record<string, string>,
    private readonly external: { address: string; namespace: string } | null,
    private readonly workerEnv: Array<Record<string, string>>,
    private readonly extraAppEnv: Partial<Record<AppName, Record<string, string>>>,
    captureOutput: boolean,
  ) {
    this.appOutput = captureOutput ? 'pipe' : process.env.FAULT_VERBOSE ? 'prefixed' : 'ignore';
    this.target = target;
    this.dbFile = join(tempDir, 'temporal.sqlite');
    this.workers = workerMetricsPorts.map(() => null);
    this.apis = apiPorts.map(() => null);
  }

  /**
   * Starts the dev server (unless given a server), the workers (polling) and the APIs (healthy);
   * with `captureOutput`, what the apps write is kept ({@link output}).
   */
  static async start({
    env = {},
    appEnv = {},
    workers = 1,
    workerEnv = [],
    apis = 1,
    temporal,
    captureOutput = false,
  }: FaultSystemOptions = {}): Promise<FaultSystem> {
    const root = projectRoot();
    const missing = [...Object.values(APP_ENTRIES), 'dist/workflow-bundle.js'].filter((f) => !existsSync(join(root, f)));
    if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run npm run build first (the fault tests run the built apps)`);

    const tempDir = mkdtempSync(join(tmpdir(), 'fault-system-'));
    const ports = await Promise.all(Array.from({ length: 1 + apis + workers }, () => freePort()));
    const target = await HttpTarget.start();
    const system = new FaultSystem(
      tempDir,
      ports[0],
      ports.slice(1, 1 + apis),
      ports.slice(1 + apis),
      target,
      env,
      temporal ?? null,
      workerEnv,
      appEnv,
      captureOutput,
    );
    try {
      if (!temporal) await system.startServer();
      await Promise.all([...system.workers.map((_, i) => system.startWorker(i)), ...system.apis.map((_, i) => system.startApi(i))]);
    } catch (err) {
      await system.teardown();
      throw err;
    }
    return system;
  }

  /** http://127.0.0.1:<port> of API `i`; the same across its restarts. */
  apiUrl(i = 0): string {
    return `http://127.0.0.1:${this.apiPorts[i]}`;
  }

  /** The first API's URL. */
  get baseUrl(): string {
    return this.apiUrl(0);
  }

  get namespace(): string {
    return this.external?.namespace ?? 'default';
  }

  get temporalAddress(): string {
    return this.external?.address ?? `127.0.0.1:${this.serverPort}`;
  }

  private appEnv(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_NAMESPACE: this.namespace,
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      API_HOST: '127.0.0.1',
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      LAMBDA_ALLOW: '*',
      SQS_ALLOW: '*',
      JWT_SECRET: TEST_JWT_SECRET,
      OUTBOUND_ALLOW_CIDRS: TEST_OUTBOUND_ALLOW_CIDRS,
      WORKFLOW_BUNDLE_PATH: join(projectRoot(), 'dist', 'workflow-bundle.js'),
      WORKER_METRICS_HOST: '127.0.0.1',
      ...this.extraEnv,
    };
  }

  /** A gauge or counter of worker `i`'s Prometheus endpoint (summed over its labels). */
  async workerMetric(name: string, i = 0): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.workerMetricsPorts[i]}/metrics`)).text();
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

  private spawn(name: AppName, generation: number, env: Record<string, string>): ChildProcess {
    const child = spawnApp(name, { ...this.appEnv(), ...this.extraAppEnv[name], ...env }, this.appOutput, `${name}#${generation}`);
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

  // --- workers -------------------------------------------------------------------------------

  /** Starts worker `i` and resolves once it polls this system's task queue. */
  async startWorker(i = 0): Promise<void> {
    if (this.workers[i]) throw new Error(`worker ${i} is already running`);
    const child = this.spawn('worker', ++this.workerGeneration, {
      ...this.workerEnv[i],
      WORKER_METRICS_PORT: String(this.workerMetricsPorts[i]),
    });
    this.workers[i] = child;
    await waitForWorkerPolling(child, { address: this.temporalAddress, namespace: this.namespace, taskQueue: this.taskQueue });
  }

  /** kill -9 of worker `i`; resolves once it has exited. */
  async killWorker(i = 0): Promise<void> {
    const worker = this.workers[i];
    this.workers[i] = null;
    if (worker) await killHard(worker);
  }

  /** SIGTERM of worker `i` (it drains and hands its held calls back); resolves once it has exited. */
  async stopWorker(i = 0): Promise<void> {
    const worker = this.workers[i];
    this.workers[i] = null;
    if (worker) await stopProcess(worker, 'SIGTERM', 60_000);
  }

  /** The identity worker `i` records on the activities it runs (pid@host), or null when it is not running. */
  workerIdentityPrefix(i = 0): string | null {
    const pid = this.workers[i]?.pid;
    return pid ? `${pid}@` : null;
  }

  // --- APIs ----------------------------------------------------------------------------------

  /** Starts API `i` on its fixed port and resolves once /health answers 200 (Temporal reachable). */
  async startApi(i = 0): Promise<void> {
    if (this.apis[i]) throw new Error(`API ${i} is already running`);
    const child = this.spawn('api', ++this.apiGeneration, { API_PORT: String(this.apiPorts[i]) });
    this.apis[i] = child;
    await waitForHttpOk(`${this.apiUrl(i)}/health`, child);
  }

  /** kill -9 of API `i`; resolves once it has exited. */
  async killApi(i = 0): Promise<void> {
    const api = this.apis[i];
    this.apis[i] = null;
    if (api) await killHard(api);
  }

  /** Resolves once API `i`'s /health is 200 (e.g. after a server restart). */
  async waitForHealthy(timeoutMs = 60_000, i = 0): Promise<void> {
    const api = this.apis[i];
    if (!api) throw new Error(`API ${i} is not running`);
    await waitForHttpOk(`${this.apiUrl(i)}/health`, api, timeoutMs);
  }

  // --- REST helpers --------------------------------------------------------------------------

  /** POST /tasks to API `api` (with an Idempotency-Key when given); never throws: a lost connection is an outcome too. */
  async createTask(body: Record<string, unknown>, idempotencyKey?: string, api = 0): Promise<CreateOutcome> {
    try {
      const res = await fetch(`${this.apiUrl(api)}/tasks`, {
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

  /** POST /tasks (to API `api`) that must answer 201. */
  async mustCreateTask(body: Record<string, unknown>, api = 0): Promise<TaskView> {
    const outcome = await this.createTask(body, undefined, api);
    if (!outcome.ok) throw new Error(`POST /tasks failed (${outcome.status}): ${outcome.error}`);
    return outcome.task;
  }

  /** GET /tasks/{id} (from API `api`); a 503 (no worker answered the task's query in time) is returned as null. */
  async getTask(id: string, api = 0): Promise<TaskView | null> {
    const res = await fetch(`${this.apiUrl(api)}/tasks/${id}`, { headers: await this.headers() });
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

  /** GET /tasks/{id}/status (from API `api`): from Temporal's description, no worker involved. */
  async getStatus(id: string, api = 0): Promise<TaskView['status']> {
    const res = await fetch(`${this.apiUrl(api)}/tasks/${id}/status`, { headers: await this.headers() });
    if (res.status !== 200) throw new Error(`GET /tasks/${id}/status: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { status: TaskView['status'] }).status;
  }

  /**
   * Polls GET /tasks/{id}/status (cheap: no query, so it does not load the worker) until every
   * task is completed, failed or cancelled, then reads each one with GET /tasks/{id}.
   */
  async waitUntilFinished(ids: string[], timeoutMs: number, api = 0): Promise<Map<string, TaskView>> {
    const closed = new Set<string>();
    try {
      await eventually(
        async () => {
          const open = ids.filter((id) => !closed.has(id));
          for (let i = 0; i < open.length; i += 20) {
            const batch = open.slice(i, i + 20);
            const statuses = await Promise.all(batch.map((id) => this.getStatus(id, api)));
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
      const views = await Promise.all(ids.slice(i, i + 20).map((id) => this.mustGetTask(id, undefined, api)));
      for (const view of views) done.set(view.id, view);
    }
    return done;
  }

  /**
   * Resolves once the target has received a call for each of `keys` (Idempotency-Keys, the task
   * ids) on `path`: it watches the target in this process, so that the wait puts no load on the
   * server (polling every task's status, as waitUntilFinished does, costs it a read per task).
   */
  async waitForCalls(keys: string[], path: string, timeoutMs: number): Promise<void> {
    const missing = () => {
      const called = new Set(this.target.requests(path).map((r) => String(r.headers['idempotency-key'])));
      return keys.filter((key) => !called.has(key));
    };
    try {
      await eventually(() => Promise.resolve(missing().length === 0 ? true : undefined), timeoutMs, 100);
    } catch (err) {
      throw new Error(`${missing().length} of ${keys.length} calls not made after ${timeoutMs} ms`, { cause: err });
    }
  }

  /** GET /tasks/{id}, retried while it answers 503. */
  async mustGetTask(id: string, timeoutMs = 30_000, api = 0): Promise<TaskView> {
    return eventually(async () => (await this.getTask(id, api)) ?? undefined, timeoutMs, 250);
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

  /**
   * Any request of this system's user to API `api`, JSON in and out; never throws for a status.
   * @returns the status and the parsed body (text when it is not JSON).
   */
  async request(method: string, path: string, body?: unknown, api = 0): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.apiUrl(api)}${path}`, {
      method,
      headers: await this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      return { status: res.status, body: text };
    }
  }

  /** Stops every process this system started (SIGKILL: nothing here needs a graceful end), the target, and removes the temp dir. */
  async teardown(): Promise<void> {
    const results = await Promise.allSettled([
      ...this.apis.map((_, i) => this.killApi(i)),
      ...this.workers.map((_, i) => this.killWorker(i)),
      this.target.stop(),
    ]);
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
