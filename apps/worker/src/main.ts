import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../../libs/runtime/config';
import { createTaskWorker } from './task-worker';

/** Worker entry point: runs until SIGINT/SIGTERM, then drains and exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const taskWorker = await createTaskWorker(config, connection);
    // The SDK's Runtime shuts the worker down gracefully on SIGINT/SIGTERM by default.
    console.log(`worker: polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`);
    await taskWorker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error('worker: fatal', err);
  process.exitCode = 1;
});
