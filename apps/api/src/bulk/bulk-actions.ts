import { Inject, Injectable, Logger } from '@nestjs/common';
import { Context } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import {
  BULK_LIMITS,
  ORCHESTRATION_RUN,
  TASK_RUN,
  type BulkActivities,
  type BulkFailure,
  type BulkPageOutcome,
  type BulkPageRequest,
} from '../../../../common';
import type { AppConfig } from '../../../../libs/runtime/config';
import { ApiExceptionFilter } from '../core/api-exception.filter';
import { APP_CONFIG } from '../core/config.module';
import { CreationQuota } from '../core/quotas';
import { OrchestrationCreation } from '../orchestrations/orchestration-creation';
import { RunsRepository } from '../runs/runs.repository';
import { TaskCreation } from '../tasks/task-creation';
import { temporalCall } from '../temporal/temporal-errors';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';

/** A page being acted on: its runs and each one's outcome so far (null: not yet). Its heartbeat details. */
interface PageInProgress {
  ids: string[];
  nextPageToken: string;
  outcomes: Array<'done' | BulkFailure | null>;
}

/**
 * The bulk job's activity, run by the API's processes: lists a page of the job's runs and acts on
 * each one through the same service the single-run route calls (the cancel route's
 * RunsRepository.cancel, the retry routes' creations), so each run gets that route's rules and,
 * when refused, its answer. Idempotent for the job: a cancel carries the job's id as its Update
 * id, a retry the job's and the run's as its idempotency key, so a page acted on again after a
 * crash finds what it did the first time.
 */
@Injectable()
export class BulkActions {
  private readonly logger = new Logger(BulkActions.name);
  private readonly errors: ApiExceptionFilter;

  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly runs: RunsRepository,
    private readonly tasks: TaskCreation,
    private readonly orchestrations: OrchestrationCreation,
    private readonly quota: CreationQuota,
  ) {
    this.errors = new ApiExceptionFilter(config.api.bodyLimitBytes);
  }

  activities(): BulkActivities {
    return { actOnBulkPage: (request) => this.actOnPage(request) };
  }

  async actOnPage(request: BulkPageRequest): Promise<BulkPageOutcome> {
    const context = Context.current();
    // A retried attempt carries on from its last heartbeat: the same runs, those already acted on skipped.
    const page = (context.info.heartbeatDetails as PageInProgress | undefined) ?? (await this.list(request));
    const pending = page.outcomes.flatMap((outcome, i) => (outcome === null ? [i] : []));
    let next = 0;
    const lane = async () => {
      while (next < pending.length) {
        const i = pending[next++];
        page.outcomes[i] = await this.actOn(request, page.ids[i]);
        context.heartbeat(page);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BULK_LIMITS.concurrency, pending.length) }, lane));
    const failures = page.outcomes.filter((outcome): outcome is BulkFailure => outcome !== null && outcome !== 'done');
    return { done: page.outcomes.length - failures.length, failed: failures.length, failures, nextPageToken: page.nextPageToken };
  }

  private async list(request: BulkPageRequest): Promise<PageInProgress> {
    const response = await temporalCall(undefined, () =>
      this.client.workflowService.listWorkflowExecutions({
        namespace: this.client.options.namespace,
        query: request.query,
        pageSize: BULK_LIMITS.pageSize,
        nextPageToken: request.pageToken ? Buffer.from(request.pageToken, 'base64') : undefined,
      }),
    );
    const ids = (response.executions ?? []).map((execution) => execution.execution?.workflowId ?? '').filter((id) => id !== '');
    const token = response.nextPageToken && response.nextPageToken.length > 0 ? Buffer.from(response.nextPageToken).toString('base64') : '';
    return { ids, nextPageToken: ids.length > 0 ? token : '', outcomes: ids.map(() => null) };
  }

  /**
   * One run, as its single-run route would: done, or what that route would have answered.
   * @throws when Temporal or a worker is unavailable (503): the page is tried again later.
   */
  private async actOn(request: BulkPageRequest, id: string): Promise<'done' | BulkFailure> {
    const { caller, jobId } = request;
    const run = request.kind === 'task' ? TASK_RUN : ORCHESTRATION_RUN;
    try {
      if (request.action === 'cancel') {
        await this.runs.cancel(run, caller, id, jobId);
        return 'done';
      }
      // A retry is a creation: it counts against the owner's quota, as POST /{kind}s/{id}/retry does.
      await this.quota.assertRoom(request.kind, caller.sub);
      const key = `bulk:${jobId}:${id}`;
      if (request.kind === 'task') await this.tasks.retry(caller, id, {}, key);
      else await this.orchestrations.retry(caller, id, {}, key);
      return 'done';
    } catch (err) {
      const answer = this.errors.toErrorBody(err);
      if (answer.statusCode === 503) throw err;
      if (answer.statusCode >= 500)
        this.logger.error(`bulk ${jobId}: ${request.action} of ${id} failed`, err instanceof Error ? err.stack : String(err));
      return { id, statusCode: answer.statusCode, message: answer.message };
    }
  }
}
