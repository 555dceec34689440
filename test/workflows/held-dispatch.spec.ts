import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { noopMetricMeter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import {
  createCallActivities,
  createCallMetrics,
  createLambdaInvoker,
  createSqsSender,
  decodeWebhookSecret,
  HeldCalls,
} from '../../activities';
import { createTaskWorker, type TaskWorker } from '../../apps/worker/src/task-worker';
import {
  cancelTaskUpdate,
  CALL_DEFAULTS,
  CHANGE_CUTOFF_MS,
  modifyTaskUpdate,
  NOT_SCHEDULED_FAILURE,
  SearchAttr,
  taskStateQuery,
  type TaskWorkflowInput,
} from '../../common';
import { loadConfig } from '../../libs/runtime/config';
import { scheduledTaskWorkflow } from '../../workflows';
import { HttpTarget } from '../support/http-target';
import { TEST_OUTBOUND_ALLOW_CIDRS, testOutboundFetch } from '../support/outbound';
import { installQuietRuntime, updateRejection } from '../support/time-skipping';
import { TEST_WEBHOOK_SECRET } from '../support/webhook-secret';
import { TEST_PAYLOAD_KEYS, testDataConverter } from '../support/payload-keys';

/**
 * Calls dispatched well ahead of their due time and held on a worker (a burst the API spread
 * out), on the dev server in real time: the holding worker's clock is what is measured.
 */
describe('held calls (dev server, real time)', () => {
  let target: HttpTarget;
  let connection: Connection;
  let client: Client;
  let workerConnection: NativeConnection;
  let taskQueue: string;
  let running: { worker: TaskWorker; done: Promise<void> };

  const address = () => process.env.TEST_TEMPORAL_ADDRESS!;

  async function startWorker(queue: string): Promise<{ worker: TaskWorker; done: Promise<void> }> {
    const config = loadConfig({
      TEMPORAL_ADDRESS: address(),
      TEMPORAL_TASK_QUEUE: queue,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE!,
      OUTBOUND_ALLOW_CIDRS: TEST_OUTBOUND_ALLOW_CIDRS,
      LOG_LEVEL: 'warn',
      // In-process workers share the test's event loop: no adoption, so no lease (see test-system.ts).
      WORKER_DEAD_AFTER_MS: '0',
    });
    const worker = await createTaskWorker(config, workerConnection);
    return { worker, done: worker.run() };
  }

  beforeAll(async () => {
    installQuietRuntime();
    target = await HttpTarget.start();
    connection = await Connection.connect({ address: address() });
    client = new Client({ connection, dataConverter: testDataConverter() });
    workerConnection = await NativeConnection.connect({ address: address() });
    taskQueue = `held-${randomUUID()}`;
    running = await startWorker(taskQueue);
  });
  afterAll(async () => {
    running?.worker.shutdown();
    await running?.done;
    await workerConnection?.close();
    await connection?.close();
    await target?.stop();
  });

  /** A task due `dueInMs` from now that wakes `leadMs` before it (as the API plans a burst). */
  async function startHeld(path: string, dueInMs: number, leadMs: number, queue = taskQueue) {
    const runAt = Date.now() + dueInMs;
    const input: TaskWorkflowInput = {
      ownerId: 'owner-1',
      name: path,
      request: { url: target.url(path), method: 'POST', headers: {}, body: { path }, timeoutMs: CALL_DEFAULTS.timeoutMs },
      retry: { retries: 0, retryIntervalMs: 1_000, retryBackoff: 1 },
      runAt: new Date(runAt).toISOString(),
      createdAt: new Date().toISOString(),
      dispatchLeadMs: leadMs,
    };
    const handle = await client.workflow.start(scheduledTaskWorkflow, {
      workflowId: `task-${randomUUID()}`,
      taskQueue: queue,
      args: [input],
      typedSearchAttributes: [{ key: SearchAttr.status, value: 'scheduled' }],
    });
    return { handle, runAt };
  }

  /** Waits until the task's call is held on a worker. */
  async function untilHeld(handle: WorkflowHandle<typeof scheduledTaskWorkflow>): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const state = await handle.query(taskStateQuery).catch(() => null);
      if (state?.held) return;
      await sleep(50);
    }
    throw new Error('the call was not held within 10 s');
  }

  it('holds a call dispatched early and makes it once, at its time, as attempt 1', async () => {
    const { handle, runAt } = await startHeld('/held', 4_000, 3_000);
    await untilHeld(handle);
    expect(await handle.query(taskStateQuery)).toMatchObject({ status: 'scheduled', held: true, attempts: [] });
    expect((await handle.describe()).typedSearchAttributes.get(SearchAttr.status)).toBe('held');

    const state = await handle.result();
    const [request] = target.requests('/held');
    expect(target.requests('/held')).toHaveLength(1);
    expect(request.arrivedAt - runAt).toBeGreaterThanOrEqual(0);
    expect(request.arrivedAt - runAt).toBeLessThan(100);
    expect(state.status).toBe('completed');
    expect(state.held).toBeUndefined();
    expect(state.attempts.map((a) => [a.number, a.statusCode, a.error])).toEqual([[1, 200, null]]);
    expect((await handle.describe()).typedSearchAttributes.get(SearchAttr.status)).toBe('completed');
  });

  it('hands a held call back on cancel: the Update answers at once and the call is never made', async () => {
    const { handle, runAt } = await startHeld('/held-cancelled', 5_000, 4_000);
    await untilHeld(handle);

    const asked = Date.now();
    const cancelled = await handle.executeUpdate(cancelTaskUpdate);
    expect(Date.now() - asked).toBeLessThan(1_000);
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expect((await handle.result()).status).toBe('cancelled');
    await sleep(runAt + 1_000 - Date.now());
    expect(target.requests('/held-cancelled')).toHaveLength(0);
  });

  it('hands a held call back at once even when the sink cannot reach its worker: the server pushes the cancellation', async () => {
    // A sink that reaches nothing: the workflow's hand-back reaches the activity only through its
    // cancellation, which the server sends the worker as a command (no heartbeat needed).
    const queue = `held-no-sink-${randomUUID()}`;
    const outboundFetch = testOutboundFetch();
    const worker = await Worker.create({
      connection: workerConnection,
      taskQueue: queue,
      dataConverter: testDataConverter(),
      workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! },
      activities: createCallActivities({
        masterSigningKey: decodeWebhookSecret(TEST_WEBHOOK_SECRET),
        responseBodyLimitBytes: 4096,
        userAgent: 'test',
        outboundFetch,
        invokeLambda: createLambdaInvoker({ responseBodyLimitBytes: 4096 }),
        sendSqs: createSqsSender(),
        metrics: createCallMetrics(noopMetricMeter),
        heldCalls: new HeldCalls(),
      }),
      sinks: { heldCalls: { release: { fn: () => undefined } } },
    });
    const done = worker.run();
    try {
      const { handle, runAt } = await startHeld('/held-pushed-cancel', 6_000, 5_000, queue);
      await untilHeld(handle);
      const asked = Date.now();
      expect(await handle.executeUpdate(cancelTaskUpdate)).toMatchObject({ status: 'cancelled' });
      expect(Date.now() - asked).toBeLessThan(2_000);
      await sleep(runAt + 1_000 - Date.now());
      expect(target.requests('/held-pushed-cancel')).toHaveLength(0);
    } finally {
      worker.shutdown();
      await done;
      await outboundFetch.close();
    }
  });

  it('moves a held call on modify: made once, at the new time', async () => {
    const { handle, runAt } = await startHeld('/held-moved', 4_000, 3_000);
    await untilHeld(handle);

    const newRunAt = runAt + 2_000;
    const modified = await handle.executeUpdate(modifyTaskUpdate, { args: [{ runAt: new Date(newRunAt).toISOString() }] });
    expect(modified).toMatchObject({ status: 'scheduled', runAt: new Date(newRunAt).toISOString() });
    const state = await handle.result();

    const [request] = target.requests('/held-moved');
    expect(target.requests('/held-moved')).toHaveLength(1);
    expect(request.arrivedAt - newRunAt).toBeGreaterThanOrEqual(0);
    expect(request.arrivedAt - newRunAt).toBeLessThan(100);
    expect(state.attempts.map((a) => a.number)).toEqual([1]);
  });

  it(`answers a cancel within ${CHANGE_CUTOFF_MS} ms of the due time with "running" (409), and makes the call once`, async () => {
    const { handle, runAt } = await startHeld('/held-late-cancel', 4_000, 3_000);
    await untilHeld(handle);
    await sleep(runAt - CHANGE_CUTOFF_MS + 200 - Date.now());

    const cause = await updateRejection(handle.executeUpdate(cancelTaskUpdate));
    expect(cause.type).toBe(NOT_SCHEDULED_FAILURE);
    expect(cause.message).toBe('task is running; only a scheduled task can be changed or cancelled');
    expect((await handle.result()).status).toBe('completed');
    expect(target.requests('/held-late-cancel')).toHaveLength(1);
  });

  it('hands held calls back on a graceful shutdown; the next worker makes each once, on time, as attempt 1', async () => {
    const queue = `held-shutdown-${randomUUID()}`;
    const first = await startWorker(queue);
    const tasks = await Promise.all([1, 2, 3].map((n) => startHeld(`/handed-back-${n}`, 6_000, 5_000, queue)));
    await Promise.all(tasks.map(({ handle }) => untilHeld(handle)));

    first.worker.shutdown();
    await first.done;
    // Stopped well before the due time: it handed the calls back rather than wait to make them.
    expect(Date.now()).toBeLessThan(tasks[0].runAt - 2_000);
    expect(first.worker.heldCalls.size).toBe(0);
    const second = await startWorker(queue);
    try {
      for (const [i, { handle, runAt }] of tasks.entries()) {
        const state = await handle.result();
        const requests = target.requests(`/handed-back-${i + 1}`);
        expect(requests).toHaveLength(1);
        expect(requests[0].arrivedAt - runAt).toBeGreaterThanOrEqual(0);
        expect(requests[0].arrivedAt - runAt).toBeLessThan(100);
        expect(state.attempts.map((a) => a.number)).toEqual([1]);
        // Dispatched twice: handed back by the first worker, held and made by the second.
        const { events } = await handle.fetchHistory();
        expect(events?.filter((e) => e.activityTaskScheduledEventAttributes).length).toBe(2);
      }
    } finally {
      second.worker.shutdown();
      await second.done;
    }
  });
});
