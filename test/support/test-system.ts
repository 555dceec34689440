import { randomUUID } from 'node:crypto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createApiApp } from '../../apps/api/src/app.setup';
import { createTaskWorker } from '../../apps/worker/src/task-worker';
import { loadConfig, type AppConfig } from '../../libs/runtime/config';
import { HttpTarget } from './http-target';
import { installQuietRuntime } from './time-skipping';
import { TEST_WEBHOOK_SECRET } from './webhook-secret';

/** The whole product for one e2e file: the API on a free port, a worker, a loopback target. */
export interface TestSystem {
  config: AppConfig;
  /** http://127.0.0.1:<port> of the API. */
  baseUrl: string;
  target: HttpTarget;
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
    WORKFLOW_BUNDLE_PATH: bundle,
    DEFAULT_OWNER: `owner-${randomUUID()}`,
    ...env,
  });

  installQuietRuntime();
  const target = await HttpTarget.start();
  const connection = await NativeConnection.connect({ address });
  const worker: Worker = await createTaskWorker(config, connection);
  const workerRun = worker.run();
  const app = await createApiApp(config, ['error']);
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  return {
    config,
    baseUrl,
    target,
    teardown: async () => {
      await app.close();
      worker.shutdown();
      await workerRun;
      await connection.close();
      await target.stop();
    },
  };
}
