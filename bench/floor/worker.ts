/**
 * The floor's worker, a process of its own like the product's (so its CPU is measured alone):
 * TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE; the same sticky timeout and concurrency as the product.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { floorActivities } from './activities';

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const worker = await Worker.create({
    connection,
    taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'floor',
    workflowsPath: require.resolve('./workflows'),
    activities: floorActivities,
    maxConcurrentActivityTaskExecutions: 10_000,
    stickyQueueScheduleToStartTimeout: '1s',
  });
  console.log('floor worker: polling');
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error('floor worker: fatal', err);
  process.exitCode = 1;
});
