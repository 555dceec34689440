import { NativeConnection } from '@temporalio/worker';
import { createLogger } from '../../../libs/observability/logger';
import { loadConfig } from '../../../libs/runtime/config';
import { createTaskWorker } from './task-worker';
import { installTelemetry } from './telemetry';

/** Worker entry point: runs until SIGINT/SIGTERM, then drains and exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker', config.log);
  installTelemetry(config, logger);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const taskWorker = await createTaskWorker(config, connection, logger);
    // The SDK's Runtime shuts the worker down gracefully on SIGINT/SIGTERM by default.
    logger.info(
      { taskQueue: config.temporal.taskQueue, temporal: config.temporal.address, metrics: config.worker.metricsAddress },
      `polling task queue "${config.temporal.taskQueue}"`,
    );
    await taskWorker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error('worker: fatal', err);
  process.exitCode = 1;
});
