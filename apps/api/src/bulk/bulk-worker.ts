import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { apiTaskQueue } from '../../../../common';
import { payloadDataConverter } from '../../../../libs/codec';
import type { AppConfig } from '../../../../libs/runtime/config';
import { APP_CONFIG } from '../core/config.module';
import { BulkActions } from './bulk-actions';

/** How long the API waits between attempts to reach Temporal for its activity worker. */
const RECONNECT_MS = 2_000;

/**
 * The API's own activity worker: it polls the API's task queue (beside the worker's) for the
 * activities only the API can run, a bulk job's pages. Started in the background: the API serves
 * (and /health reports) while Temporal is down, and the worker joins once Temporal answers.
 */
@Injectable()
export class BulkWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BulkWorker.name);
  private worker: Worker | null = null;
  private connection: NativeConnection | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly actions: BulkActions,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.worker?.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
    await this.connection?.close();
  }

  private async run(): Promise<void> {
    const { address, namespace, taskQueue } = this.config.temporal;
    while (!this.stopping) {
      try {
        this.connection ??= await NativeConnection.connect({ address });
        if (this.stopping) return;
        this.worker = await Worker.create({
          connection: this.connection,
          namespace,
          taskQueue: apiTaskQueue(taskQueue),
          activities: this.actions.activities(),
          // As the API's client: a job's pages and their outcomes are encrypted like everything else.
          ...(this.config.payloadKeys ? { dataConverter: payloadDataConverter(this.config.payloadKeys) } : {}),
          // A page acts on at most BULK_LIMITS.concurrency runs at once; two pages of two jobs at a time per replica.
          maxConcurrentActivityTaskExecutions: 2,
        });
        if (this.stopping) return;
        await this.worker.run();
        return;
      } catch (err) {
        if (this.stopping) return;
        this.logger.warn(
          `the API's activity worker could not start (${err instanceof Error ? err.message : String(err)}); retrying in ${RECONNECT_MS} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
      }
    }
  }
}
