import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  Client,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type TypedSearchAttributes } from '@temporalio/common';
import { mapFromPayloads } from '@temporalio/common/lib/converter/payload-converter';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';
import { SearchAttr, startDelayMs, type RunKind, type RunStatus } from '../../../../common';
import type { AppConfig } from '../../../../libs/runtime/config';
import { APP_CONFIG } from '../core/config.module';
import { grpcCode, InvalidRequestError, ResourceNotFoundError, UnavailableError, WrongStateError } from '../core/errors';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { DEFAULT_PAGE_SIZE, type ListRunsQuery } from './list-runs.query';

/** A run as visibility lists it: what lists show without asking the worker. */
export interface RunSummary {
  id: string;
  status: RunStatus;
  /** ISO time the run is due; '' when visibility has none. */
  runAt: string;
  createdAt: string;
  scheduleId: string | null;
  memo: Record<string, unknown>;
}

export interface RunPage {
  items: RunSummary[];
  nextCursor: string | null;
}

/** A run the caller owns, described by Temporal. */
interface OwnedRun {
  kind: RunKind;
  owner: string;
  handle: WorkflowHandle;
  description: WorkflowExecutionDescription;
  status: RunStatus;
}

/** A new run: what to start and how to tag it. */
export interface NewRun {
  kind: RunKind;
  /** Workflow type name. */
  workflowType: string;
  /** Readable prefix of the workflow id (task-, orch-). */
  idPrefix: string;
  owner: string;
  runAt: string;
  input: unknown;
  /** What lists show without a query. */
  memo: Record<string, unknown>;
}

/** How long a list with a caller-given cursor may take before the cursor is deemed invalid. */
const CURSOR_DEADLINE_MS = 2_000;

/** How long a query may wait for a worker before the API answers 503. */
const QUERY_DEADLINE_MS = 5_000;

/**
 * Tasks and orchestrations are both workflows tagged with kind, owner and status search
 * attributes. This is everything the API does with them that does not depend on the kind:
 * ownership checks, paged lists, reading state, and Updates with errors mapped to HTTP.
 */
@Injectable()
export class WorkflowRunsRepository {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts a run's workflow, tagged with its kind, owner, status and due time; returns its id. */
  async start(run: NewRun): Promise<string> {
    const id = `${run.idPrefix}${randomUUID()}`;
    const delayMs = startDelayMs(Date.parse(run.runAt), Date.now());
    await this.client.workflow.start(run.workflowType, {
      workflowId: id,
      ...(delayMs > 0 ? { startDelay: delayMs } : {}),
      taskQueue: this.config.temporal.taskQueue,
      args: [run.input],
      memo: run.memo,
      typedSearchAttributes: [
        { key: SearchAttr.kind, value: run.kind },
        { key: SearchAttr.owner, value: run.owner },
        { key: SearchAttr.status, value: 'scheduled' },
        { key: SearchAttr.runAt, value: new Date(run.runAt) },
      ],
    });
    return id;
  }

  /** The status of the owner's run (from its search attributes: no worker needed). */
  async status(kind: RunKind, owner: string, id: string): Promise<{ id: string; status: RunStatus }> {
    return { id, status: (await this.findOwned(kind, owner, id)).status };
  }

  /** Cancels the owner's run through its cancel Update (409 once it is no longer scheduled). */
  async cancel(
    kind: RunKind,
    owner: string,
    id: string,
    cancelUpdate: UpdateDefinition<unknown, []>,
  ): Promise<{ id: string; cancelled: true; status: 'cancelled' }> {
    await this.updateOwned(kind, owner, id, cancelUpdate, []);
    return { id, cancelled: true, status: 'cancelled' };
  }

  /** The full state of the owner's run (see {@link readState}). */
  async readOwned<S, I>(kind: RunKind, owner: string, id: string, query: QueryDefinition<S>, initialState: (input: I) => S): Promise<S> {
    return this.readState(await this.findOwned(kind, owner, id), query, initialState);
  }

  /** Runs an Update on the owner's run (see {@link update} for how its errors map to HTTP). */
  async updateOwned<R, A extends unknown[]>(
    kind: RunKind,
    owner: string,
    id: string,
    definition: UpdateDefinition<R, A>,
    args: A,
  ): Promise<R> {
    return this.update(await this.findOwned(kind, owner, id), definition, args);
  }

  /**
   * Describes the run if it exists, is of `kind` and belongs to `owner`.
   * @throws ResourceNotFoundError otherwise: another user's run is indistinguishable from none.
   */
  private async findOwned(kind: RunKind, owner: string, id: string): Promise<OwnedRun> {
    const handle = this.client.workflow.getHandle(id);
    let description: WorkflowExecutionDescription;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new ResourceNotFoundError(kind, id);
      throw err;
    }
    const attrs = description.typedSearchAttributes;
    if (attrs.get(SearchAttr.kind) !== kind || attrs.get(SearchAttr.owner) !== owner) throw new ResourceNotFoundError(kind, id);
    return { kind, owner, handle, description, status: statusOf(attrs, description) };
  }

  /** One page of the owner's runs of `kind`, optionally of one status (all by default). */
  async list(kind: RunKind, owner: string, query: ListRunsQuery): Promise<RunPage> {
    const status = query.status ?? 'all';
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const cursor = query.cursor;
    const clauses = [`${SearchAttr.kind.name} = ${quote(kind)}`, `${SearchAttr.owner.name} = ${quote(owner)}`];
    if (status !== 'all') clauses.push(`${SearchAttr.status.name} = ${quote(status)}`);
    const request = {
      namespace: this.client.options.namespace,
      query: clauses.join(' AND '),
      pageSize: limit,
      nextPageToken: cursor ? Buffer.from(cursor, 'base64url') : undefined,
    };
    let response;
    if (!cursor) {
      response = await this.client.workflowService.listWorkflowExecutions(request);
    } else {
      // A cursor is the caller's input: whatever Temporal makes of a forged one is a 400, and fast.
      try {
        response = await this.client.withDeadline(Date.now() + CURSOR_DEADLINE_MS, () =>
          this.client.workflowService.listWorkflowExecutions(request),
        );
      } catch {
        throw new InvalidRequestError('cursor is not valid; use the nextCursor of a previous page', 'cursor');
      }
    }
    const items = (response.executions ?? []).map((raw): RunSummary => {
      const attrs = decodeTypedSearchAttributes(raw.searchAttributes?.indexedFields);
      const runAt = attrs.get(SearchAttr.runAt);
      return {
        id: raw.execution?.workflowId ?? '',
        status: attrs.get(SearchAttr.status) as RunStatus,
        runAt: runAt ? runAt.toISOString() : '',
        createdAt: timestampToIso(raw.startTime),
        scheduleId: attrs.get(SearchAttr.scheduleId) ?? null,
        memo: mapFromPayloads(defaultPayloadConverter, raw.memo?.fields) ?? {},
      };
    });
    const token = response.nextPageToken;
    return { items, nextCursor: token && token.length > 0 ? Buffer.from(token).toString('base64url') : null };
  }

  /**
   * The run's full state: from its query while it runs; from its start input while it waits
   * out its start delay (no workflow task has run, so nothing could answer a query); from its
   * result (or its failure's details) once closed, so finished runs read even while no worker
   * is up.
   */
  private async readState<S, I>(run: OwnedRun, query: QueryDefinition<S>, initialState: (input: I) => S): Promise<S> {
    const executionStatus = run.description.status.name;
    if (executionStatus === 'COMPLETED') return (await run.handle.result()) as S;
    if (executionStatus === 'FAILED') {
      try {
        await run.handle.result();
      } catch (err) {
        const details = err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure ? err.cause.details : undefined;
        if (details?.[0]) return details[0] as S;
      }
    }
    if (run.description.historyLength === 1) {
      // Only the start event: the run waits out its start delay, so a query could only fail.
      // No input means a workflow task has completed since the describe: then the query answers.
      const input = await this.inputIfNotStarted<I>(run);
      if (input !== undefined) return initialState(input);
    }
    try {
      return await this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => run.handle.query(query));
    } catch (err) {
      if (grpcCode(err) === GrpcStatus.DEADLINE_EXCEEDED) {
        throw new UnavailableError(`no worker answered for ${run.handle.workflowId} within ${QUERY_DEADLINE_MS} ms; try again shortly`);
      }
      const input = executionStatus === 'RUNNING' ? await this.inputIfNotStarted<I>(run) : undefined;
      if (input === undefined) throw err;
      return initialState(input);
    }
  }

  /** The start input of a run that has not completed a workflow task yet, else undefined. */
  private async inputIfNotStarted<I>(run: OwnedRun): Promise<I | undefined> {
    const { events } = await run.handle.fetchHistory();
    if (events?.some((e) => e.workflowTaskCompletedEventAttributes)) return undefined;
    const payloads = events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    return payloads?.[0] ? defaultPayloadConverter.fromPayload<I>(payloads[0]) : undefined;
  }

  /**
   * Runs an Update; its validator's rejections become 409 (not scheduled) or 400, and an Update
   * to a run that has already closed becomes 409 naming its status.
   */
  private async update<R, A extends unknown[]>(run: OwnedRun, definition: UpdateDefinition<R, A>, args: A): Promise<R> {
    // Not open when described: no Update can reach it, so skip the round trip.
    if (run.description.status.name !== 'RUNNING') throw notScheduled(run.kind, run.status);
    try {
      const untyped = definition as unknown as UpdateDefinition<R, [unknown, ...unknown[]]>;
      return await run.handle.executeUpdate(untyped, { args: args as unknown as [unknown, ...unknown[]] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // The run exists (we just described it): it closed in between.
        const { status } = await this.findOwned(run.kind, run.owner, run.handle.workflowId);
        throw notScheduled(run.kind, status);
      }
      throw err;
    }
  }
}

function statusOf(attrs: TypedSearchAttributes, description: WorkflowExecutionDescription): RunStatus {
  const published = attrs.get(SearchAttr.status) as RunStatus | undefined;
  if (published && (description.status.name === 'RUNNING' || published !== 'scheduled')) return published;
  // Closed without publishing a final status: terminated or timed out from outside.
  return description.status.name === 'TERMINATED' || description.status.name === 'CANCELLED' ? 'cancelled' : 'failed';
}

/** The 409 of an Update to a run that is no longer open. */
function notScheduled(kind: RunKind, status: RunStatus): WrongStateError {
  return new WrongStateError(`${kind} is ${status}; only a scheduled ${kind} can be changed or cancelled`);
}

/** A string literal of Temporal's visibility query language. */
function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function timestampToIso(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string {
  if (!ts) return '';
  const ms = Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}
