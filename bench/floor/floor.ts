import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { stopProcess } from '../../libs/runtime/app-process';
import type { ArrivalTarget } from '../arrival-target';
import type { CpuProcesses } from '../cpu';
import type { FireSource } from '../scenarios';

/** How long before its due time a floor workflow's start delay ends: the product's lead, for a fair floor. */
const FLOOR_START_LEAD_MS = 400;

/** The floor's worker process and a client to start its workflows. */
export interface Floor {
  /** The floor as a fire source, its activity regular or local. */
  source(mode: 'regular' | 'local', server: CpuProcesses): FireSource;
  stop(): Promise<void>;
}

/** Starts the floor's worker (dist/bench/floor/worker.js) on a task queue of its own. */
export async function startFloor(
  address: string,
  namespace: string,
  target: ArrivalTarget,
  log: (message: string) => void,
): Promise<Floor> {
  const taskQueue = `floor-${randomUUID()}`;
  const child: ChildProcess = spawn(process.execPath, [require.resolve('./worker')], {
    env: { ...process.env, TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: taskQueue },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('polling') && resolve());
    child.once('exit', (code) => reject(new Error(`the floor worker exited (${code})`)));
  });
  log(`floor: worker polling ${taskQueue}`);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  return {
    source: (mode, server) => ({
      name: `floor-${mode}`,
      processes: { ...server, worker: child.pid! },
      create: async (dueAt) => {
        const id = `floor-${randomUUID()}`;
        const started = performance.now();
        await client.workflow.start('floorWorkflow', {
          workflowId: id,
          taskQueue,
          args: [target.url, dueAt, mode],
          startDelay: Math.max(1, dueAt - Date.now() - FLOOR_START_LEAD_MS),
        });
        return { id, dueAt, latencyMs: performance.now() - started };
      },
    }),
    stop: async () => {
      await connection.close();
      await stopProcess(child);
    },
  };
}
