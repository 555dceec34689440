import type { ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/**
 * Resolves once the worker process `child` (the SDK's default identity, pid@host) polls
 * `taskQueue` for both workflow and activity tasks.
 * @throws when the process exits first (`logHint` says where its output went), or after `timeoutMs`.
 */
export async function waitForWorkerPolling(
  child: ChildProcess,
  server: { address: string; taskQueue: string; namespace?: string },
  { timeoutMs = 60_000, logHint }: { timeoutMs?: number; logHint?: string } = {},
): Promise<void> {
  const identityPrefix = `${child.pid}@`;
  const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the worker exited (${child.exitCode ?? child.signalCode}) before it polled${logHint ? `; see ${logHint}` : ''}`);
    }
    const connection = await Connection.connect({ address: server.address, connectTimeout: 2_000 });
    try {
      const polling = await Promise.all(
        [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY].map(async (taskQueueType) => {
          const res = await connection.workflowService.describeTaskQueue({
            namespace: server.namespace ?? 'default',
            taskQueue: { name: server.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            taskQueueType,
          });
          return (res.pollers ?? []).some((p) => p.identity?.startsWith(identityPrefix));
        }),
      );
      if (polling.every(Boolean)) return;
    } finally {
      await connection.close();
    }
    if (Date.now() > deadline) throw new Error(`the worker (pid ${child.pid}) did not poll ${server.taskQueue} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
