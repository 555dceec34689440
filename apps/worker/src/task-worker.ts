import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { type InjectedSinks, type NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import {
  createCallActivities,
  createCallMetrics,
  createLambdaInvoker,
  createSqsSender,
  decodeWebhookSecret,
  heldCallKey,
  HeldCalls,
} from '../../../activities';
import { HEARTBEAT_THROTTLE_MS, type HeldCallSinks } from '../../../common';
import { createLogger } from '../../../libs/observability/logger';
import { payloadDataConverter } from '../../../libs/codec';
import { createOutboundFetch } from '../../../libs/outbound';
import { PAYLOAD_KEYS_REQUIRED, type AppConfig } from '../../../libs/runtime/config';
import { projectRoot } from '../../../libs/runtime/paths';
import { HeldCallAdopter } from './held-call-adopter';

/** `workflows/index.ts` of this checkout, for the SDK's bundler in development and tests. */
export const WORKFLOWS_SOURCE_PATH = join(projectRoot(), 'workflows', 'index.ts');

/** The worker and how to run it to the end (it then releases its outbound connections). */
export interface TaskWorker {
  worker: Worker;
  /** The calls this worker holds until due. */
  heldCalls: HeldCalls;
  /** Polls until shutdown (SIGINT/SIGTERM, or {@link shutdown}), then closes what it opened. */
  run(): Promise<void>;
  /** Stops polling, hands back every held call (another worker dispatches it again), and lets calls in flight finish. */
  shutdown(): void;
}

/**
 * The sink through which a workflow hands back a held call (a cancel or a modify): at once when
 * this worker holds it; never during replay, where the hand-back already happened.
 */
export function heldCallSinks(heldCalls: HeldCalls): InjectedSinks<HeldCallSinks> {
  return {
    heldCalls: {
      release: { fn: (info, activityId) => void heldCalls.release(heldCallKey(info.workflowId, activityId)), callDuringReplay: false },
    },
  };
}

/**
 * Creates the worker that hosts this project's workflows and the call activities.
 * @throws when the webhook secret is missing (every call must be signed), or the payload keys
 *   (nothing goes into Temporal in the clear).
 */
export async function createTaskWorker(
  config: AppConfig,
  connection: NativeConnection,
  logger: Logger = createLogger('worker', config.log),
): Promise<TaskWorker> {
  if (!config.http.webhookSecret) {
    throw new Error(
      "WEBHOOK_SECRET is required by the worker: every HTTP call is signed with a key derived from it for the call's owner (whsec_<base64>)",
    );
  }
  if (!config.payloadKeys) throw new Error(PAYLOAD_KEYS_REQUIRED);
  // Every HTTP call connects only to addresses the outbound policy allows (checked at connect time).
  // A burst due at one instant to one origin shares a bounded pool of kept-alive connections: a
  // thousand connects at once overflow the target's listen backlog (511 in Node and nginx), and
  // the dropped SYNs are retried 1, 3 and 7 s later (measured: a 1,000 burst landed 1.5-8 s late).
  const outboundFetch = createOutboundFetch(config.outbound, { agent: { connections: config.http.connectionsPerOrigin } });
  // Set once the worker exists (the adopter needs its identity); until then no held call can come due.
  let adopter: HeldCallAdopter | null = null;
  const heldCalls = new HeldCalls(() => adopter?.leaseHolds() ?? true);
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    // Inputs, results, heartbeat details, queries, Updates and failures encrypted (the prebuilt
    // bundle carries the same failure converter: scripts/build-workflow-bundle.ts).
    dataConverter: payloadDataConverter(config.payloadKeys),
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
      sendSqs: createSqsSender(),
      // On the runtime's Prometheus endpoint, beside the SDK's own metrics (see worker main.ts).
      metrics: createCallMetrics(Runtime.instance().metricMeter),
      heldCalls,
    }),
    sinks: heldCallSinks(heldCalls),
    // Each held call takes an activity slot until due: a burst of 10,000 needs 10,000.
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    // Pollers scale with the backlog the server reports: the held calls of a dead worker, dispatched
    // again at once (hundreds), wait for the 10 fixed pollers' round trips otherwise.
    activityTaskPollerBehavior: { type: 'autoscaling', minimum: 2, initial: 10, maximum: 100 },
    maxConcurrentLocalActivityExecutions: config.worker.maxConcurrentLocalActivities,
    // Only held calls heartbeat; see HEARTBEAT_THROTTLE_MS for why their heartbeats are not throttled longer.
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE_MS,
    defaultHeartbeatThrottleInterval: HEARTBEAT_THROTTLE_MS,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    // Finish the calls in flight on shutdown rather than abandon them to a retry (held calls
    // are handed back at once: see shutdown()).
    shutdownGraceTime: '30s',
    // A workflow's next task first goes to the worker that has it cached. If that worker died
    // (kill -9), the task waits this long before any worker may take it: the default 10 s made
    // every task due after a crash ~10 s late (test/faults/worker-kill.fault-spec.ts).
    stickyQueueScheduleToStartTimeout: '1s',
  });
  if (config.worker.deadAfterMs !== null) {
    adopter = new HeldCallAdopter({
      client: new Client({ connection, namespace: config.temporal.namespace }),
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      identity: worker.options.identity,
      deadAfterMs: config.worker.deadAfterMs,
      // Twice per heartbeat: this worker's own lease is renewed from what it reads here.
      pollIntervalMs: Math.min(500, config.worker.heartbeatIntervalMs / 2),
      logger,
      meter: Runtime.instance().metricMeter,
      heldHere: () => heldCalls.heldWorkflows(),
    });
  }
  const shutdown = () => {
    void adopter?.stop();
    if (worker.getState() === 'RUNNING') worker.shutdown();
    // After the pollers stop: a handed-back call is not dispatched to this worker again.
    heldCalls.releaseAll();
  };
  return {
    worker,
    heldCalls,
    run: async () => {
      try {
        const running = worker.run();
        adopter?.start();
        // On SIGINT/SIGTERM the Runtime runs the callbacks in order: the worker's own (registered
        // by run()) stops its pollers, then this hands back the held calls.
        Runtime.instance().registerShutdownSignalCallback(shutdown);
        await running;
      } finally {
        Runtime.instance().deregisterShutdownSignalCallback(shutdown);
        await adopter?.stop();
        await outboundFetch.close();
      }
    },
    shutdown,
  };
}
