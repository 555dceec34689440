import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  ApplicationFailure,
  defaultPayloadConverter,
  SearchAttributeType,
  type Payload,
  type TypedSearchAttributes,
  type UpdateDefinition,
} from '@temporalio/common';
import {
  HELD_STATUS,
  presentedStatus,
  ScheduleRunAttr,
  scheduledStartOf,
  SearchAttr,
  startDelayMs,
  tagValues,
  type AnyRunDescriptor,
  type InputOf,
  type MemoOf,
  type ModificationOf,
  type PublishedStatus,
  type RunKind,
  type RunStatus,
  type StateOf,
} from '../../../../common';
import { decodePayloadMap, decodePayloadValues } from '../../../../libs/codec';
import type { AppConfig } from '../../../../libs/runtime/config';
import { mayAccess, type Access, type Caller } from '../auth/caller';
import { APP_CONFIG } from '../core/config.module';
import { InvalidRequestError, ResourceNotFoundError, UnavailableError, WrongStateError } from '../core/errors';
import { anchored, ORCHESTRATION_ID_PATTERN, TASK_ID_PATTERN } from '../core/patterns';
import { idempotency, keyReused, type Idempotency } from '../core/idempotency';
import { nextCursorOf } from '../core/paging';
import { fromTemporalError, grpcCode, temporalCall } from '../temporal/temporal-errors';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { DEFAULT_PAGE_SIZE, type ListRunsQuery, type ListTasksQuery } from './list-runs.query';
import type { CancelledDto, RunStatusDto } from './run-responses.dto';

/** A run as visibility lists it: what lists show without asking a worker. */
export interface RunSummary<Memo> {
  id: string;
  owner: string;
  status: RunStatus;
  /** ISO time the run is due (a schedule's run: its nominal time); '' when visibility has none. */
  runAt: string;
  createdAt: string;
  /** When it closed (visibility's close time); null while open. */
  finishedAt: string | null;
  scheduleId: string | null;
  tags: Record<string, string>;
  memo: Partial<Memo>;
}

export interface RunPage<Memo> {
  items: RunSummary<Memo>[];
  nextCursor: string | null;
}

/** A run the caller may see, described by Temporal. */
interface VisibleRun {
  kind: RunKind;
  handle: WorkflowHandle;
  description: WorkflowExecutionDescription;
  status: RunStatus;
}

/** How long a list with a caller-given cursor may take before the cursor is deemed invalid. */
const CURSOR_DEADLINE_MS = 2_000;

/** How long a query may wait for a worker before the API answers 503. */
const QUERY_DEADLINE_MS = 5_000;

/** The shape of each kind's ids: any other id names no run, and is not worth a round trip (nor a Temporal refusal of it). */
const ID_SHAPES: Readonly<Record<RunKind, RegExp>> = { task: anchored(TASK_ID_PATTERN), orchestration: anchored(ORCHESTRATION_ID_PATTERN) };

/**
 * How a run is started and tagged: kind, owner, status and due time as search attributes,
 * what lists show as memo. A direct start and a schedule's action both use it, so every run
 * looks the same to lists and reads.
 */
export function runStartOptions<D extends AnyRunDescriptor>(
  run: D,
  input: InputOf<D>,
  taskQueue: string,
): Pick<WorkflowStartOptions, 'taskQueue' | 'args' | 'memo' | 'typedSearchAttributes'> {
  return {
    taskQueue,
    args: [input],
    memo: { ...run.memo(input) },
    typedSearchAttributes: [
      { key: SearchAttr.kind, value: run.kind },
      { key: SearchAttr.owner, value: input.ownerId },
      { key: SearchAttr.status, value: 'scheduled' },
      { key: SearchAttr.runAt, value: new Date(input.runAt) },
      ...(input.tags && Object.keys(input.tags).length > 0 ? [{ key: SearchAttr.tags, value: tagValues(input.tags) }] : []),
    ],
  };
}

/**
 * Every kind of run (task, orchestration) is a workflow described by its {@link AnyRunDescriptor}.
 * This is everything the API does with one, written once: start, ownership checks, paged
 * lists, reading state, and the modify and cancel Updates.
 */
@Injectable()
export class RunsRepository {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Starts a run (with a start delay ending shortly before it is due). With `keyed`, its
   * id is the key's: a second start of it (a retry, a concurrent request, another API replica)
   * finds the first run instead, and is refused (409) if it came from another request.
   * @returns its id, and whether this call created it.
   */
  async start<D extends AnyRunDescriptor>(run: D, input: InputOf<D>, keyed?: Idempotency): Promise<{ id: string; created: boolean }> {
    const id = keyed?.id ?? `${run.idPrefix}${randomUUID()}`;
    const delayMs = startDelayMs(Date.parse(input.runAt), Date.now(), input.dispatchLeadMs);
    const options = runStartOptions(run, input, this.config.temporal.taskQueue);
    try {
      await this.client.workflow.start(run.workflowType, {
        workflowId: id,
        ...(delayMs > 0 ? { startDelay: delayMs } : {}),
        ...options,
        // Lists show the createdAt the resource shows (not the workflow's start time, a few ms later).
        memo: { ...options.memo, createdAt: input.createdAt },
        ...(keyed
          ? {
              memo: { ...options.memo, createdAt: input.createdAt, requestHash: keyed.requestHash },
              // Never a second run under the key's id, not even once the first has closed.
              workflowIdReusePolicy: 'REJECT_DUPLICATE',
              workflowIdConflictPolicy: 'FAIL',
            }
          : {}),
      });
      return { id, created: true };
    } catch (err) {
      if (!(keyed && err instanceof WorkflowExecutionAlreadyStartedError)) throw fromTemporalError(err, { kind: run.kind, id });
    }
    const { memo } = await temporalCall({ kind: run.kind, id }, () => this.client.workflow.getHandle(id).describe());
    if (memo?.requestHash !== keyed.requestHash) throw keyReused(run.kind, id);
    return { id, created: false };
  }

  /**
   * Creates a run for `caller` (see {@link start}), idempotently when `creation.key` is given:
   * its first state, or, when the key had already created it, its current state.
   */
  async create<D extends AnyRunDescriptor>(
    run: D,
    caller: Caller,
    input: InputOf<D>,
    creation: { key: string | undefined; request: unknown },
  ): Promise<{ id: string; state: StateOf<D>; created: boolean }> {
    const key = creation.key === undefined ? undefined : idempotency(run.idPrefix, run.kind, caller.sub, creation.key, creation.request);
    const { id, created } = await this.start(run, input, key);
    const state = created ? (run.initialState(input) as StateOf<D>) : await this.read(run, caller, id);
    return { id, state, created };
  }

  /** The run's status (from its search attributes: no worker needed). */
  async status(run: AnyRunDescriptor, caller: Caller, id: string): Promise<RunStatusDto> {
    return { id, status: (await this.find(run, caller, id, 'read')).status };
  }

  /**
   * The run's full state: from its query while it runs; from its start input while it waits
   * out its start delay (no workflow task has run, so nothing could answer a query); from its
   * result (or its failure's details) once closed, so finished runs read even while no worker
   * is up.
   */
  async read<D extends AnyRunDescriptor>(run: D, caller: Caller, id: string): Promise<StateOf<D>> {
    const found = await this.find(run, caller, id, 'read');
    const fromInput = (input: InputOf<D>) =>
      run.initialState(input, scheduledStartOf(found.description.typedSearchAttributes)) as StateOf<D>;
    const executionStatus = found.description.status.name;
    if (executionStatus === 'COMPLETED') return (await found.handle.result()) as StateOf<D>;
    if (executionStatus === 'FAILED') {
      try {
        await found.handle.result();
      } catch (err) {
        const details = err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure ? err.cause.details : undefined;
        if (details?.[0]) return details[0] as StateOf<D>;
      }
    }
    if (found.description.historyLength === 1) {
      // Only the start event: the run waits out its start delay, so a query could only fail.
      // No input means a workflow task has completed since the describe: then the query answers.
      const input = await this.inputIfNotStarted<InputOf<D>>(found);
      if (input !== undefined) return fromInput(input);
    }
    try {
      return (await this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => found.handle.query(run.stateQuery))) as StateOf<D>;
    } catch (err) {
      if (grpcCode(err) === GrpcStatus.DEADLINE_EXCEEDED) {
        throw new UnavailableError(`no worker answered for ${id} within ${QUERY_DEADLINE_MS} ms; try again shortly`);
      }
      const input = executionStatus === 'RUNNING' ? await this.inputIfNotStarted<InputOf<D>>(found) : undefined;
      if (input === undefined) throw fromTemporalError(err, { kind: run.kind, id });
      return fromInput(input);
    }
  }

  /**
   * The final state of a run to retry: one of the caller's that failed or was cancelled.
   * @throws WrongStateError (409) for a run that is scheduled, running, waiting or completed.
   */
  async retrySource<D extends AnyRunDescriptor>(run: D, caller: Caller, id: string): Promise<StateOf<D>> {
    const found = await this.find(run, caller, id, 'change');
    if (found.status !== 'failed' && found.status !== 'cancelled') {
      throw new WrongStateError(`${run.kind} is ${found.status}; only a failed or cancelled ${run.kind} can be retried`);
    }
    return this.read(run, caller, id);
  }

  /**
   * Moves or changes the run through its modify Update (409 once it is no longer scheduled).
   * @param admissible refuses a change the run cannot take, given its memo (throw a domain error)
   */
  async modify<D extends AnyRunDescriptor>(
    run: D,
    caller: Caller,
    id: string,
    change: ModificationOf<D>,
    admissible?: (memo: Partial<MemoOf<D>>) => void,
  ): Promise<StateOf<D>> {
    const found = await this.find(run, caller, id, 'change');
    admissible?.((found.description.memo ?? {}) as Partial<MemoOf<D>>);
    return (await this.update(run, found, 'modifyUpdate', [change])) as StateOf<D>;
  }

  /**
   * Runs one of the run's other Updates (an orchestration's resume): its validator decides, and
   * a refusal is a 409 in its words (a closed run: 409 without sending it). Only for a kind whose
   * calls are regular activities, which an Update arriving at any time cannot repeat.
   * `caller` null: no owner is checked (the request holds a capability the workflow verifies, e.g.
   * a resume URL's token).
   * @param closedMessage what a closed run's 409 says, given its status
   */
  async act<D extends AnyRunDescriptor, A>(
    run: D,
    caller: Caller | null,
    id: string,
    definition: UpdateDefinition<StateOf<D>, [A]>,
    arg: A,
    closedMessage: (status: RunStatus) => string,
  ): Promise<StateOf<D>> {
    const found = await this.find(run, caller, id, 'change');
    if (found.description.status.name !== 'RUNNING') throw new WrongStateError(closedMessage(found.status));
    try {
      return await found.handle.executeUpdate(definition, { args: [arg] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        const description = await temporalCall({ kind: run.kind, id }, () => found.handle.describe());
        throw new WrongStateError(closedMessage(statusOf(description.typedSearchAttributes, description)));
      }
      throw fromTemporalError(err, { kind: run.kind, id });
    }
  }

  /**
   * Cancels the run through its cancel Update (409 once it is no longer scheduled).
   * @param once an id for the cancel (a bulk job's): sent again, it answers as the first time did
   *   (Temporal keeps an Update's outcome by its id, even once the run has closed) rather than 409.
   */
  async cancel(run: AnyRunDescriptor, caller: Caller, id: string, once?: string): Promise<CancelledDto> {
    const found = await this.find(run, caller, id, 'stop');
    const cancelled: CancelledDto = { id, cancelled: true, status: 'cancelled' };
    if (once !== undefined && found.status === 'cancelled' && (await this.cancelledBy(run, found, once))) return cancelled;
    await this.update(run, found, 'cancelUpdate', [], once);
    return cancelled;
  }

  /** How many runs of this kind (of `owner`, or everyone's when null) there are in each status. */
  async counts(
    run: AnyRunDescriptor,
    owner: string | null,
    tags: string[] = [],
  ): Promise<Partial<Record<RunStatus, number>> & { all: number }> {
    const scope = [
      `${SearchAttr.kind.name} = ${quote(run.kind)}`,
      ...(owner !== null ? [`${SearchAttr.owner.name} = ${quote(owner)}`] : []),
      ...tagClauses(tags),
    ];
    const count = (clauses: string[]) =>
      temporalCall(undefined, () => this.client.workflow.count(clauses.join(' AND '))).then((r) => r.count);
    // A held run counts as scheduled before its due time and running after it (statusClause).
    const now = new Date();
    const [all, ...byStatus] = await Promise.all([
      count(scope),
      ...run.statuses.map((status) => count([...scope, statusClause(status, now)])),
    ]);
    const counts = Object.fromEntries(run.statuses.map((status, i) => [status, byStatus[i]])) as Record<RunStatus, number>;
    return { all, ...counts };
  }

  /**
   * One page of runs of this kind (of `owner`, or everyone's when null), optionally of one status
   * (all by default) or one schedule.
   */
  async list<D extends AnyRunDescriptor>(
    run: D,
    owner: string | null,
    query: ListRunsQuery & Partial<ListTasksQuery>,
  ): Promise<RunPage<MemoOf<D>>> {
    const clauses = [`${SearchAttr.kind.name} = ${quote(run.kind)}`];
    if (owner !== null) clauses.push(`${SearchAttr.owner.name} = ${quote(owner)}`);
    if (query.status && query.status !== 'all') clauses.push(statusClause(query.status, new Date()));
    if (query.scheduleId) clauses.push(`${ScheduleRunAttr.scheduledById.name} = ${quote(query.scheduleId)}`);
    clauses.push(...tagClauses(query.tag ?? []));
    const request = {
      namespace: this.client.options.namespace,
      query: clauses.join(' AND '),
      pageSize: query.limit ?? DEFAULT_PAGE_SIZE,
      nextPageToken: query.cursor ? Buffer.from(query.cursor, 'base64url') : undefined,
    };
    let response;
    if (!query.cursor) {
      response = await temporalCall(undefined, () => this.client.workflowService.listWorkflowExecutions(request));
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
    const executions = response.executions ?? [];
    // Memos are encrypted like every payload (search attributes never are).
    const memos = await Promise.all(executions.map((raw) => decodePayloadMap(this.client.options.loadedDataConverter, raw.memo?.fields)));
    const items = executions.map((raw, i): RunSummary<MemoOf<D>> => {
      const attrs = listedSearchAttributes(raw.searchAttributes?.indexedFields);
      const scheduled = scheduledStartOf(attrs);
      const runAt = attrs.get(SearchAttr.runAt)?.toISOString() ?? scheduled?.nominalTime ?? '';
      const memo = memos[i];
      return {
        id: raw.execution?.workflowId ?? '',
        owner: attrs.get(SearchAttr.owner) ?? '',
        status: presentedStatus(attrs.get(SearchAttr.status) as PublishedStatus, Date.parse(runAt), Date.now()),
        runAt,
        // As the resource has it: a schedule's run was created at its nominal time, a direct run
        // when the API started it (runs started before the memo had it: the workflow's start).
        createdAt: scheduled?.nominalTime ?? (memo.createdAt as string | undefined) ?? timestampToIso(raw.startTime),
        finishedAt: raw.closeTime ? timestampToIso(raw.closeTime) : null,
        scheduleId: scheduled?.scheduleId ?? null,
        tags: tagsOf(attrs.get(SearchAttr.tags)),
        memo: memo as Partial<MemoOf<D>>,
      };
    });
    const nextCursor = await nextCursorOf(items.length, request.pageSize, response.nextPageToken, async (token) => {
      const next = await temporalCall(undefined, () =>
        this.client.workflowService.listWorkflowExecutions({ ...request, pageSize: 1, nextPageToken: token }),
      );
      return next.executions?.length ?? 0;
    });
    return { items, nextCursor };
  }

  /**
   * Describes the run if it exists, is of this kind and the caller may `access` it (see mayAccess).
   * @throws ResourceNotFoundError otherwise: another user's run is indistinguishable from none.
   */
  private async find(run: AnyRunDescriptor, caller: Caller | null, id: string, access: Access): Promise<VisibleRun> {
    if (!ID_SHAPES[run.kind].test(id)) throw new ResourceNotFoundError(run.kind, id);
    const subject = { kind: run.kind, id };
    const handle = this.client.workflow.getHandle(id);
    const description = await temporalCall(subject, () => handle.describe());
    const attrs = description.typedSearchAttributes;
    const visible = attrs.get(SearchAttr.kind) === run.kind && (caller === null || mayAccess(caller, attrs.get(SearchAttr.owner), access));
    if (!visible) throw new ResourceNotFoundError(run.kind, id);
    return { kind: run.kind, handle, description, status: statusOf(attrs, description) };
  }

  /** The start input of a run that has not completed a workflow task yet, else undefined. */
  private async inputIfNotStarted<I>(run: VisibleRun): Promise<I | undefined> {
    const { events } = await run.handle.fetchHistory();
    if (events?.some((e) => e.workflowTaskCompletedEventAttributes)) return undefined;
    const payloads = events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    // A raw history: decoded through the payload codec, as the SDK decodes what it reads itself.
    return payloads?.[0] ? ((await decodePayloadValues(this.client.options.loadedDataConverter, [payloads[0]]))[0] as I) : undefined;
  }

  /**
   * Runs an Update; its validator's refusals become 409: the run is no longer scheduled, or the
   * change does not fit the run as it is (e.g. HTTP fields for a Lambda call; the API validated
   * the change itself before). An Update to a run that has already closed becomes 409 naming its
   * status.
   */
  private async update(
    run: AnyRunDescriptor,
    found: VisibleRun,
    which: 'modifyUpdate' | 'cancelUpdate',
    args: unknown[],
    updateId?: string,
  ): Promise<unknown> {
    // Not open, or not scheduled, when described: the Update would be refused, so skip the round
    // trip (an Update reaching a run while a local activity makes its call must be avoided: see
    // CHANGE_CUTOFF_MS). The workflow's validator still decides a race.
    if (found.description.status.name !== 'RUNNING' || found.status !== 'scheduled') throw notScheduled(found.kind, found.status);
    // Past its change cut-off the run may be making its call in a local activity: an Update
    // reaching it then would fail that workflow task (see CHANGE_CUTOFF_MS), so it never goes.
    const dueAt = dueAtOf(found.description.typedSearchAttributes);
    if (run.changeCutoffMs !== undefined && Date.now() >= dueAt - run.changeCutoffMs) {
      throw notScheduled(found.kind, 'running');
    }
    const id = found.handle.workflowId;
    try {
      // One signature for both Updates (modify takes the change, cancel nothing).
      const definition = run[which] as UpdateDefinition<unknown, [unknown, ...unknown[]]>;
      return await found.handle.executeUpdate(definition, { args: args as [unknown, ...unknown[]], ...(updateId ? { updateId } : {}) });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw await this.closedMeanwhile(run, found);
      const refusal = fromTemporalError(err, { kind: run.kind, id });
      throw refusal instanceof InvalidRequestError ? new WrongStateError(refusal.message) : refusal;
    }
  }

  /** True when the cancel Update with this id is the one that cancelled the run (its outcome is kept under the id). */
  private async cancelledBy(run: AnyRunDescriptor, found: VisibleRun, updateId: string): Promise<boolean> {
    try {
      await found.handle.executeUpdate(run.cancelUpdate as UpdateDefinition<unknown, []>, { updateId });
      return true;
    } catch (err) {
      // Closed by another cancel: "workflow execution already completed"; still open: the validator's refusal.
      if (err instanceof WorkflowNotFoundError || fromTemporalError(err) instanceof WrongStateError) return false;
      throw fromTemporalError(err, { kind: run.kind, id: found.handle.workflowId });
    }
  }

  /** The 409 of an Update to a run that exists (it was just described) and closed in between. */
  private async closedMeanwhile(run: AnyRunDescriptor, found: VisibleRun): Promise<WrongStateError> {
    const description = await temporalCall({ kind: run.kind, id: found.handle.workflowId }, () => found.handle.describe());
    return notScheduled(found.kind, statusOf(description.typedSearchAttributes, description));
  }
}

/** Search attributes of a listed run, decoded by the default payload converter (no codec: they are never encoded). */
function decodePayloads(fields: Record<string, Payload> | null | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields ?? {}).map(([name, payload]) => [name, defaultPayloadConverter.fromPayload(payload)]));
}

/** A listed run's search attributes, read by key as a described run's are. */
function listedSearchAttributes(fields: Record<string, Payload> | null | undefined): Pick<TypedSearchAttributes, 'get'> {
  const decoded = decodePayloads(fields);
  const get = (key: { name: string; type: SearchAttributeType }): unknown => {
    const value = decoded[key.name];
    return value !== undefined && key.type === SearchAttributeType.DATETIME ? new Date(value as string) : value;
  };
  return { get } as Pick<TypedSearchAttributes, 'get'>;
}

/** The due time of a run from its search attributes (a schedule's run: its nominal time); NaN when none. */
function dueAtOf(attrs: Pick<TypedSearchAttributes, 'get'>): number {
  return attrs.get(SearchAttr.runAt)?.getTime() ?? Date.parse(scheduledStartOf(attrs)?.nominalTime ?? '');
}

/**
 * The visibility clause for runs that users see in `status` at `now`: a held run is scheduled until its
 * due time and running from then on (see presentedStatus).
 */
export function statusClause(status: RunStatus, now: Date): string {
  const published = `${SearchAttr.status.name} = ${quote(status)}`;
  const held = `${SearchAttr.status.name} = ${quote(HELD_STATUS)}`;
  const at = `'${now.toISOString()}'`;
  if (status === 'scheduled') return `(${published} OR (${held} AND ${SearchAttr.runAt.name} > ${at}))`;
  if (status === 'running') return `(${published} OR (${held} AND ${SearchAttr.runAt.name} <= ${at}))`;
  return published;
}

function statusOf(attrs: Pick<TypedSearchAttributes, 'get'>, description: WorkflowExecutionDescription): RunStatus {
  const published = attrs.get(SearchAttr.status) as PublishedStatus | undefined;
  if (published && (description.status.name === 'RUNNING' || (published !== 'scheduled' && published !== HELD_STATUS))) {
    return presentedStatus(published, dueAtOf(attrs), Date.now());
  }
  // Closed without publishing a final status: terminated or timed out from outside.
  return description.status.name === 'TERMINATED' || description.status.name === 'CANCELLED' ? 'cancelled' : 'failed';
}

/** The 409 of an Update to a run that is no longer open. */
function notScheduled(kind: RunKind, status: RunStatus): WrongStateError {
  return new WrongStateError(`${kind} is ${status}; only a scheduled ${kind} can be changed or cancelled`);
}

/** The visibility clauses of a tag filter (`key:value` each): a run must have them all. */
export function tagClauses(tags: readonly string[]): string[] {
  return tags.map((tag) => `${SearchAttr.tags.name} = ${quote(tag)}`);
}

/** Tags from their search attribute's `key:value` values. */
export function tagsOf(values: readonly string[] | undefined): Record<string, string> {
  return Object.fromEntries((values ?? []).map((v) => [v.slice(0, v.indexOf(':')), v.slice(v.indexOf(':') + 1)]));
}

/** A string literal of Temporal's visibility query language. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function timestampToIso(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string {
  if (!ts) return '';
  const ms = Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}
