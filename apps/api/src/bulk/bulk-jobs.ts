import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import {
  BULK_ACTION_STATUSES,
  BULK_DEFAULT_STATUS,
  BULK_ID_PREFIX,
  BULK_KIND,
  BULK_WORKFLOW_TYPE,
  SearchAttr,
  type BulkFilter,
  type BulkJobInput,
  type BulkJobState,
  type RunKind,
} from '../../../../common';
import type { AppConfig } from '../../../../libs/runtime/config';
import { mayAccess, type Caller } from '../auth/caller';
import { APP_CONFIG } from '../core/config.module';
import { ForbiddenError, InvalidRequestError, ResourceNotFoundError } from '../core/errors';
import { idempotency, keyReused } from '../core/idempotency';
import { anchored } from '../core/patterns';
import { fromTemporalError, temporalCall } from '../temporal/temporal-errors';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { bulkQuery } from './bulk-query';
import type { BulkDryRunResponseDto, BulkJobResponseDto, CreateBulkJobDto } from './dto/bulk.dto';

export const BULK_ID_PATTERN = `${BULK_ID_PREFIX}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`;
const BULK_ID_SHAPE = anchored(BULK_ID_PATTERN);

/** A bulk job's request as the job runs it: whose runs, which status, and the query that finds them. */
interface BulkPlan {
  filter: BulkFilter & { status: NonNullable<BulkFilter['status']> };
  query: string;
  at: Date;
}

/** What the API does with bulk jobs: plan one from a request, count what it matches, start it, read it. */
@Injectable()
export class BulkJobs {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** How many runs the request matches now: nothing is acted on. */
  async dryRun(kind: RunKind, caller: Caller, dto: CreateBulkJobDto): Promise<BulkDryRunResponseDto> {
    const plan = this.plan(kind, caller, dto);
    return { action: dto.action, filter: plan.filter, matched: await this.count(plan.query), dryRun: true };
  }

  /**
   * Starts a job (idempotently with `key`: the same key from the same user finds its first job).
   * @returns the job as it starts (or as it is, when the key had started it)
   */
  async start(kind: RunKind, caller: Caller, dto: CreateBulkJobDto, key?: string): Promise<{ job: BulkJobResponseDto; created: boolean }> {
    const plan = this.plan(kind, caller, dto);
    const keyed = key === undefined ? undefined : idempotency(BULK_ID_PREFIX, BULK_KIND, caller.sub, key, { kind, ...dto });
    const id = keyed?.id ?? `${BULK_ID_PREFIX}${randomUUID()}`;
    const input: BulkJobInput = {
      kind,
      action: dto.action,
      filter: plan.filter,
      caller: { sub: caller.sub, admin: caller.admin },
      query: plan.query,
      matched: await this.count(plan.query),
      createdAt: plan.at.toISOString(),
    };
    const state: BulkJobState = {
      kind,
      action: input.action,
      filter: input.filter,
      ownerId: caller.sub,
      status: 'running',
      matched: input.matched,
      createdAt: input.createdAt,
      finishedAt: null,
      done: 0,
      failed: 0,
      failures: [],
    };
    try {
      await this.client.workflow.start(BULK_WORKFLOW_TYPE, {
        taskQueue: this.config.temporal.taskQueue,
        workflowId: id,
        args: [input],
        memo: { ...state, ...(keyed ? { requestHash: keyed.requestHash } : {}) },
        typedSearchAttributes: [
          { key: SearchAttr.kind, value: BULK_KIND },
          { key: SearchAttr.owner, value: caller.sub },
          { key: SearchAttr.status, value: 'running' },
        ],
        ...(keyed ? { workflowIdReusePolicy: 'REJECT_DUPLICATE', workflowIdConflictPolicy: 'FAIL' } : {}),
      });
      return { job: toBulkJobResponse(id, state), created: true };
    } catch (err) {
      if (!(keyed && err instanceof WorkflowExecutionAlreadyStartedError)) throw fromTemporalError(err, { kind: 'bulk job', id });
    }
    const { memo } = await temporalCall({ kind: 'bulk job', id }, () => this.client.workflow.getHandle(id).describe());
    if (memo?.requestHash !== keyed.requestHash) throw keyReused('bulk job', id);
    return { job: await this.read(caller, id), created: false };
  }

  /** The job as it is now (its progress is in its memo: no worker needed). 404 unless the caller may read it. */
  async read(caller: Caller, id: string): Promise<BulkJobResponseDto> {
    if (!BULK_ID_SHAPE.test(id)) throw new ResourceNotFoundError('bulk job', id);
    const description = await temporalCall({ kind: 'bulk job', id }, () => this.client.workflow.getHandle(id).describe());
    const attrs = description.typedSearchAttributes;
    if (attrs.get(SearchAttr.kind) !== BULK_KIND || !mayAccess(caller, attrs.get(SearchAttr.owner), 'read')) {
      throw new ResourceNotFoundError('bulk job', id);
    }
    // The start's null and empty-array memo fields do not come back from Temporal: those are their values.
    const memo = description.memo as unknown as Partial<BulkJobState> & Omit<BulkJobState, 'failures' | 'finishedAt'>;
    const state: BulkJobState = { ...memo, failures: memo.failures ?? [], finishedAt: memo.finishedAt ?? null };
    // Ended from outside (terminated by an operator) before it could say so itself.
    const stopped = description.status.name !== 'RUNNING' && state.status === 'running';
    return toBulkJobResponse(
      id,
      stopped ? { ...state, status: 'stopped', finishedAt: description.closeTime?.toISOString() ?? null } : state,
    );
  }

  /**
   * Whose runs and which status the request selects, and its query.
   * @throws ForbiddenError (403) for another owner's runs, unless an admin cancels them
   * @throws InvalidRequestError (400) for a status the action cannot act on
   */
  private plan(kind: RunKind, caller: Caller, dto: CreateBulkJobDto): BulkPlan {
    const { owner: named, ...rest } = dto.filter ?? {};
    const status = rest.status ?? BULK_DEFAULT_STATUS[dto.action];
    const allowed = BULK_ACTION_STATUSES[dto.action];
    if (!allowed.includes(status)) {
      throw new InvalidRequestError(
        `filter.status must be ${allowed.join(' or ')} to ${dto.action}: a ${status} ${kind} cannot be`,
        'filter.status',
      );
    }
    let owner: string | null = caller.sub;
    if (named !== undefined && named !== caller.sub) {
      if (!caller.admin) throw new ForbiddenError("only an admin may act on another user's runs (filter.owner)");
      // As for one run: an admin may stop anyone's, but a retry makes another user's calls again.
      if (dto.action === 'retry')
        throw new ForbiddenError("an admin may cancel other users' runs in bulk, but not retry them (filter.owner)");
      owner = named === 'all' ? null : named;
    }
    const at = new Date();
    const filter = { ...rest, status, ...(named !== undefined ? { owner: named } : {}) };
    return { filter, query: bulkQuery(kind, owner, status, filter, at), at };
  }

  private async count(query: string): Promise<number> {
    return (await temporalCall(undefined, () => this.client.workflow.count(query))).count;
  }
}

function toBulkJobResponse(id: string, state: BulkJobState): BulkJobResponseDto {
  const ended = state.status !== 'running';
  return {
    id,
    kind: state.kind,
    action: state.action,
    filter: state.filter as BulkJobResponseDto['filter'],
    status: state.status,
    matched: state.matched,
    done: state.done,
    failed: state.failed,
    skipped: ended ? Math.max(0, state.matched - state.done - state.failed) : 0,
    failures: state.failures,
    createdAt: state.createdAt,
    finishedAt: state.finishedAt,
  };
}
