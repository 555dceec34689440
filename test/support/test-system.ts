import { randomUUID } from 'node:crypto';
import { NativeConnection } from '@temporalio/worker';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApiApp } from '../../apps/api/src/app.setup';
import { createTaskWorker } from '../../apps/worker/src/task-worker';
import { loadConfig, type AppConfig } from '../../libs/runtime/config';
import { HttpTarget } from './http-target';
import { TEST_JWT_SECRET, testToken } from './jwt';

export { testToken };
import { TEST_OUTBOUND_ALLOW_CIDRS } from './outbound';
import { installQuietRuntime } from './time-skipping';
import { TEST_PAYLOAD_KEYS } from './payload-keys';
import { TEST_WEBHOOK_SECRET } from './webhook-secret';

/** The API as one user sees it: supertest requests that carry that user's bearer token. */
export type AuthedApi = ReturnType<typeof request.agent>;

/** The whole product for one e2e file: the API on a free port, a worker, a loopback target, and a user. */
export interface TestSystem {
  config: AppConfig;
  /** The API application (for a test that calls one of its services directly). */
  app: NestExpressApplication;
  /** http://127.0.0.1:<port> of the API. */
  baseUrl: string;
  target: HttpTarget;
  /** The sub of this file's own user (unique per system, so lists see only this file's resources). */
  owner: string;
  /** The API as this file's user. */
  api(): AuthedApi;
  /** The API as another user (`sub`), optionally an admin. */
  as(sub: string, options?: { admin?: boolean }): Promise<AuthedApi>;
  /** A new user of the test's own (`<prefix>-<random>`), so that its lists hold only what the test made. */
  newUser(prefix: string): Promise<{ sub: string; as: AuthedApi }>;
  teardown(): Promise<void>;
}

/**
 * Starts the API and a worker against the run's dev server (global-setup.ts) on a task queue of
 * their own, so test files do not pick up each other's tasks.
 */
export async function startTestSystem(env: Record<string, string> = {}): Promise<TestSystem> {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  const bundle = process.env.TEST_WORKFLOW_BUNDLE;
  if (!address || !bundle) throw new Error('run through jest: test/support/global-setup.ts provides the dev server');
  const config = loadConfig({
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: `e2e-${randomUUID()}`,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    LAMBDA_ALLOW: '*',
    SQS_ALLOW: '*',
    WORKFLOW_BUNDLE_PATH: bundle,
    JWT_SECRET: TEST_JWT_SECRET,
    OUTBOUND_ALLOW_CIDRS: TEST_OUTBOUND_ALLOW_CIDRS,
    OUTBOUND_DENY: process.env.TEST_TEMPORAL_OWN_ENDPOINTS ?? '',
    // Requests are logged at info: in test output, only what went wrong.
    LOG_LEVEL: 'warn',
    // No held-call adoption, so no lease: the test, the API and the worker share one event loop
    // here, and under npm test's load the looks that renew the lease came late (a lapse of 236 ms
    // held every call of a browser test). Adoption and the lease are tested with real processes
    // (test/faults, test/cluster).
    WORKER_DEAD_AFTER_MS: '0',
    ...env,
  });

  installQuietRuntime();
  const target = await HttpTarget.start();
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const taskWorker = await createTaskWorker(config, connection);
  const workerRun = taskWorker.run();
  const app = await createApiApp(config);
  // API_PORT 0 (the default here): a free port.
  await app.listen(config.api.port, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const owner = `user-${randomUUID()}`;
  const as = async (sub: string, options: { admin?: boolean } = {}) =>
    request.agent(baseUrl).set('authorization', `Bearer ${await testToken(sub, options.admin)}`);
  const own = await as(owner);
  const newUser = async (prefix: string) => {
    const sub = `${prefix}-${randomUUID().slice(0, 8)}`;
    return { sub, as: await as(sub) };
  };

  return {
    config,
    app,
    baseUrl,
    target,
    owner,
    api: () => own,
    as,
    newUser,
    teardown: async () => {
      await app.close();
      taskWorker.shutdown();
      await workerRun;
      await connection.close();
      await target.stop();
    },
  };
}

/**
 * The test system of one test file: started before its tests (with `env`, or what `env()` gives
 * once the file's earlier beforeAll hooks have run) and torn down after them. The object returned
 * stands for it from the start, so tests read `system.api()` and `system.target` as they would the
 * system itself; reading it outside a test or hook fails with a message that says why.
 */
export function testSystemPerFile(env: Record<string, string> | (() => Record<string, string>) = {}): TestSystem {
  let started: TestSystem | undefined;
  beforeAll(async () => {
    started = await startTestSystem(typeof env === 'function' ? env() : env);
  });
  afterAll(async () => {
    await started?.teardown();
  });
  const current = (): TestSystem => {
    if (!started) throw new Error('the test system starts in beforeAll: use it inside a test or a hook');
    return started;
  };
  return {
    get config() {
      return current().config;
    },
    get app() {
      return current().app;
    },
    get baseUrl() {
      return current().baseUrl;
    },
    get target() {
      return current().target;
    },
    get owner() {
      return current().owner;
    },
    api: () => current().api(),
    as: (sub, options) => current().as(sub, options),
    newUser: (prefix) => current().newUser(prefix),
    teardown: () => current().teardown(),
  };
}
