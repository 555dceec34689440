import { join } from 'node:path';
import { type NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createCallActivities, createCallMetrics, createLambdaInvoker, decodeWebhookSecret } from '../../../activities';
import { createOutboundFetch } from '../../../libs/outbound';
import type { AppConfig } from '../../../libs/runtime/config';
import { projectRoot } from '../../../libs/runtime/paths';

/** `workflows/index.ts` of this checkout, for the SDK's bundler in development and tests. */
export const WORKFLOWS_SOURCE_PATH = join(projectRoot(), 'workflows', 'index.ts');

/** The worker and how to run it to the end (it then releases its outbound connections). */
export interface TaskWorker {
  worker: Worker;
  /** Polls until shutdown (SIGINT/SIGTERM, or worker.shutdown()), then closes what it opened. */
  run(): Promise<void>;
}

/**
 * Creates the worker that hosts this project's workflows and the call activities.
 * @throws when the webhook secret is missing: every call must be signed.
 */
export async function createTaskWorker(config: AppConfig, connection: NativeConnection): Promise<TaskWorker> {
  if (!config.http.webhookSecret) {
    throw new Error(
      "WEBHOOK_SECRET is required by the worker: every HTTP call is signed with a key derived from it for the call's owner (whsec_<base64>)",
    );
  }
  // Every HTTP call connects only to addresses the outbound policy allows (checked at connect time).
  const outboundFetch = createOutboundFetch(config.outbound);
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    // The workflows: a prebuilt bundle (production) or `workflows/` (development and tests).
    ...(config.worker.workflowBundlePath
      ? { workflowBundle: { codePath: config.worker.workflowBundlePath } }
      : { workflowsPath: WORKFLOWS_SOURCE_PATH }),
    activities: createCallActivities({
      masterSigningKey: decodeWebhookSecret(config.http.webhookSecret),
      responseBodyLimitBytes: config.http.responseBodyLimitBytes,
      userAgent: config.http.userAgent,
      outboundFetch,
      // Credentials, region and endpoint (AWS_ENDPOINT_URL_LAMBDA) from the standard AWS chains;
      // the outbound guard does not apply to the AWS endpoint.
      invokeLambda: createLambdaInvoker({ responseBodyLimitBytes: config.http.responseBodyLimitBytes }),
      // On the runtime's Prometheus endpoint, beside the SDK's own metrics (see worker main.ts).
      metrics: createCallMetrics(Runtime.instance().metricMeter),
    }),
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    ...(config.worker.maxCachedWorkflows !== null ? { maxCachedWorkflows: config.worker.maxCachedWorkflows } : {}),
    // Finish the calls in flight on shutdown rather than abandon them to a retry.
    shutdownGraceTime: '30s',
    // A workflow's next task first goes to the worker that has it cached. If that worker died
    // (kill -9), the task waits this long before any worker may take it: the default 10 s made
    // every task due after a crash ~10 s late (test/faults/worker-kill.fault-spec.ts).
    stickyQueueScheduleToStartTimeout: '1s',
  });
  return {
    worker,
    run: async () => {
      try {
        await worker.run();
      } finally {
        await outboundFetch.close();
      }
    },
  };
}
