import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ENTRIES, stopProcess, waitForHttpOk, type AppName } from '../../libs/runtime/app-process';
import { freePort, startDevServer, type RunningDevServer } from '../../libs/runtime/dev-server';
import { projectRoot } from '../../libs/runtime/paths';
import { HttpTarget } from '../support/http-target';
import { hs256Token } from '../support/jwt';
import { TEST_PAYLOAD_KEYS } from '../support/payload-keys';
import { TEST_WEBHOOK_SECRET } from '../support/webhook-secret';
import { waitForWorkerPolling } from '../../libs/runtime/worker-polling';

/** The contract run's own embedded-mode JWT secret: its tokens are good for nothing else. */
const CONTRACT_JWT_SECRET = 'contract-test-jwt-secret-0123456789abcdef';

/**
 * What the loopback target answers, by path: the document's example paths (the hooks point the
 * example URLs here) get JSON of every kind, and one a body over the response limit, so that the
 * results the API shows back cover objects, arrays, strings (also cut ones), numbers, booleans
 * and null. Any other path: 200 `{ "ok": true }`.
 */
const TARGET_ANSWERS: ReadonlyArray<[path: string, status: number, body: unknown]> = [
  ['/jobs/report', 200, Array.from({ length: 600 }, (_, i) => ({ line: i }))],
  ['/orders/reserve', 200, { reserved: true }],
  ['/orders/ship', 200, ['shipping', 42, null]],
  ['/orders/42/ready', 200, 'ready'],
  ['/orders/42/undo', 200, null],
  ['/fail', 503, { error: 'down' }],
  ['/number', 200, 42.5],
  ['/boolean', 200, false],
];

/**
 * The product as separate real processes, as it is deployed: a Temporal dev server (in memory),
 * the built worker and API (`dist/`), and a loopback HTTP target in this process.
 *
 * The API validates call URLs with an open outbound policy (every address is allowed at create),
 * so that a URL the document calls valid is accepted whatever address the fuzzer drew; the worker
 * keeps the loopback-only policy, so no fuzzed call leaves the machine (the others fail, as
 * refused, at connect). Lambda calls go to a closed loopback port with dummy credentials: they
 * fail at once, without a metadata-service probe or a real AWS call.
 */
export class ContractSystem {
  readonly taskQueue = `contract-${randomUUID()}`;
  private api: ChildProcess | null = null;
  private worker: ChildProcess | null = null;

  private constructor(
    readonly baseUrl: string,
    readonly target: HttpTarget,
    private readonly server: RunningDevServer,
    private readonly apiPort: number,
    private readonly lambdaPort: number,
    private readonly logDir: string,
  ) {}

  /** Starts everything; the API answers /health and the worker polls its task queue when it resolves. */
  static async start(logDir: string): Promise<ContractSystem> {
    const root = projectRoot();
    const missing = [...Object.values(APP_ENTRIES), 'dist/workflow-bundle.js'].filter((f) => !existsSync(join(root, f)));
    if (missing.length > 0)
      throw new Error(`${missing.join(', ')} missing: run npm run build first (the contract test runs the built apps)`);
    mkdirSync(logDir, { recursive: true });
    const [server, apiPort, lambdaPort, target] = await Promise.all([
      startDevServer({ headless: true, readyTimeoutMs: 60_000 }),
      freePort(),
      freePort(),
      HttpTarget.start(),
    ]);
    for (const [path, status, body] of TARGET_ANSWERS) target.respond(path, () => ({ status, body }));
    const system = new ContractSystem(`http://127.0.0.1:${apiPort}`, target, server, apiPort, lambdaPort, logDir);
    try {
      system.worker = system.spawn('worker', { OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8,::1/128' });
      system.api = system.spawn('api', { OUTBOUND_ALLOW_CIDRS: '0.0.0.0/0,::/0' });
      await Promise.all([
        waitForHttpOk(`${system.baseUrl}/health`, system.api),
        waitForWorkerPolling(
          system.worker,
          { address: system.server.address, taskQueue: system.taskQueue },
          { logHint: `${system.logDir}/worker.log` },
        ),
      ]);
    } catch (err) {
      await system.teardown();
      throw err;
    }
    return system;
  }

  /** http://127.0.0.1:<port> of the loopback target. */
  get targetOrigin(): string {
    return this.target.url('');
  }

  /** A bearer token for `sub` (an admin with `admin`), signed with the run's secret, valid for two hours. */
  token(sub: string, admin = false): Promise<string> {
    return hs256Token(CONTRACT_JWT_SECRET, { sub, ...(admin ? { roles: ['admin'] } : {}) }, { ttlSeconds: 7200 });
  }

  /** Stops the apps (SIGTERM, then SIGKILL after 10 s), the target and the dev server. */
  async teardown(): Promise<void> {
    const apps = [this.api, this.worker].filter((p): p is ChildProcess => p !== null);
    this.api = this.worker = null;
    const results = await Promise.allSettled([...apps.map((p) => stopProcess(p, 'SIGTERM', 10_000)), this.target.stop()]);
    results.push(...(await Promise.allSettled([this.server.stop()])));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Starts a built app with the run's environment; its output goes to `<logDir>/<name>.log`. */
  private spawn(name: AppName, extra: Record<string, string>): ChildProcess {
    const log = openSync(join(this.logDir, `${name}.log`), 'w');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: this.server.address,
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      API_HOST: '127.0.0.1',
      API_PORT: String(this.apiPort),
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      LAMBDA_ALLOW: '*',
      SQS_ALLOW: '*',
      JWT_SECRET: CONTRACT_JWT_SECRET,
      // As npm start runs it, so the documented development sign-in is exercised, not only its 404.
      API_DEV_SIGN_IN: 'true',
      WORKFLOW_BUNDLE_PATH: join(projectRoot(), 'dist', 'workflow-bundle.js'),
      LOG_LEVEL: 'warn',
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'contract',
      AWS_SECRET_ACCESS_KEY: 'contract',
      AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${this.lambdaPort}`,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...extra,
    };
    const child = spawn(process.execPath, [join(projectRoot(), APP_ENTRIES[name])], { env, stdio: ['ignore', log, log] });
    closeSync(log);
    return child;
  }
}
