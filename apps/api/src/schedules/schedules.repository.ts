import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  Client,
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleOptions,
  type ScheduleUpdateOptions,
} from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { SearchAttr, tagValues, TASK_RUN, type TaskWorkflowInput } from '../../../../common';
import { decodePayloadMap } from '../../../../libs/codec';
import type { AppConfig } from '../../../../libs/runtime/config';
import { mayAccess, type Access, type Caller } from '../auth/caller';
import { APP_CONFIG } from '../core/config.module';
import { InvalidRequestError, ResourceNotFoundError } from '../core/errors';
import { keyReused, type Idempotency } from '../core/idempotency';
import { nextCursorOf } from '../core/paging';
import { anchored, SCHEDULE_ID_PATTERN } from '../core/patterns';
import { runStartOptions, quote, tagClauses, tagsOf } from '../runs/runs.repository';
import { fromTemporalError, temporalCall } from '../temporal/temporal-errors';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import type { OverlapPolicy } from './dto/create-schedule.dto';
import { timingRefusal, type ScheduleDefinition, type ScheduleInfo } from './schedule.mapper';
import { fromTemporalSpec, toTemporalSpec, type ScheduleTiming } from './schedule-timing';

/** Schedule ids start with this, so Temporal's UI and CLI show them plainly; their runs are `task-<schedule id>-<nominal time>`. */
export const SCHEDULE_ID_PREFIX = 'sched-';
/** The `TaskKind` of a schedule itself. */
const SCHEDULE_KIND = 'schedule';

const OVERLAP_TO_TEMPORAL: Readonly<Record<OverlapPolicy, ScheduleOverlapPolicy>> = {
  skip: ScheduleOverlapPolicy.SKIP,
  bufferOne: ScheduleOverlapPolicy.BUFFER_ONE,
  allowAll: ScheduleOverlapPolicy.ALLOW_ALL,
};

/** A schedule the caller may see: its definition and what Temporal says of it. */
export interface VisibleSchedule {
  id: string;
  definition: ScheduleDefinition;
  info: ScheduleInfo;
}

/** One listed schedule: what a list entry holds without a describe per schedule. */
export interface ListedSchedule {
  id: string;
  definition: Pick<ScheduleDefinition, 'name' | 'owner' | 'timing' | 'paused' | 'tags'>;
  nextRuns: Date[];
}

/** How long a list with a caller-given cursor may take before the cursor is deemed invalid. */
const CURSOR_DEADLINE_MS = 2_000;

/** The shape of a schedule id: any other id names no schedule, and is not worth a round trip. */
const SCHEDULE_ID = anchored(SCHEDULE_ID_PATTERN);

/**
 * Recurring schedules are Temporal Schedules whose action starts a task workflow per run,
 * tagged exactly as a directly created task is (see runStartOptions). The schedule carries its
 * kind and owner as search attributes and its name in its memo; everything else is read back
 * from Temporal's own description of it.
 */
@Injectable()
export class SchedulesRepository {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Creates the schedule. With `keyed`, its id is the key's: a second create of it finds the first
   * schedule instead, and is refused (409) if it came from another request.
   * @returns its id, and whether this call created it.
   */
  async create(definition: ScheduleDefinition, now: Date, caller: Caller, keyed?: Idempotency): Promise<{ id: string; created: boolean }> {
    const id = keyed?.id ?? `${SCHEDULE_ID_PREFIX}${randomUUID()}`;
    const options: ScheduleOptions = {
      scheduleId: id,
      ...this.toTemporal(id, definition, now, true),
      // A schedule's own memo cannot change later: what is fixed at creation lives there.
      memo: { name: definition.name, ...(keyed ? { requestHash: keyed.requestHash } : {}) },
      typedSearchAttributes: [
        { key: SearchAttr.kind, value: SCHEDULE_KIND },
        { key: SearchAttr.owner, value: definition.owner },
        ...(definition.tags ? [{ key: SearchAttr.tags, value: tagValues(definition.tags) }] : []),
      ],
    };
    try {
      await this.client.schedule.create(options);
      return { id, created: true };
    } catch (err) {
      if (!(keyed && err instanceof ScheduleAlreadyRunning)) throw fromTemporalError(err, { kind: 'schedule', id });
    }
    const { description } = await this.find(caller, id, 'read');
    if (description.memo?.requestHash !== keyed.requestHash) throw keyReused('schedule', id);
    return { id, created: false };
  }

  /** The schedule, if the caller may see it (its owner, or an admin). */
  async get(caller: Caller, id: string): Promise<VisibleSchedule> {
    const { description } = await this.find(caller, id, 'read');
    return { id, definition: definitionOf(description), info: infoOf(description) };
  }

  /** Replaces the schedule's definition with `change(current)`; `checkPastTimes` when new `at` times were given. */
  async update(
    caller: Caller,
    id: string,
    change: (current: ScheduleDefinition) => ScheduleDefinition,
    checkPastTimes: boolean,
  ): Promise<void> {
    const { handle, description } = await this.find(caller, id, 'change');
    const now = new Date();
    // Validated here, so a bad timing is a 400 before anything is sent.
    const definition = change(definitionOf(description));
    const next = this.toTemporal(id, definition, now, checkPastTimes);
    await temporalCall({ kind: 'schedule', id }, () =>
      handle.update((previous): ScheduleUpdateOptions => ({
        ...next,
        // Kind and owner stay; the tags are the definition's.
        typedSearchAttributes: previous.typedSearchAttributes?.updateCopy([{ key: SearchAttr.tags, value: tagValues(definition.tags) }]),
      })),
    );
  }

  async delete(caller: Caller, id: string): Promise<void> {
    const { handle } = await this.find(caller, id, 'stop');
    await temporalCall({ kind: 'schedule', id }, () => handle.delete());
  }

  async pause(caller: Caller, id: string, paused: boolean): Promise<void> {
    const { handle } = await this.find(caller, id, paused ? 'stop' : 'change');
    await temporalCall({ kind: 'schedule', id }, () =>
      paused ? handle.pause('paused through the API') : handle.unpause('resumed through the API'),
    );
  }

  /** Starts a run now, whatever the overlap policy says of a run still going. */
  async trigger(caller: Caller, id: string): Promise<void> {
    const { handle } = await this.find(caller, id, 'change');
    await temporalCall({ kind: 'schedule', id }, () => handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL));
  }

  /** One page of schedules (of `owner`, or everyone's when null). */
  async list(
    owner: string | null,
    limit: number,
    cursor: string | undefined,
    tags: readonly string[] = [],
  ): Promise<{ items: ListedSchedule[]; nextCursor: string | null }> {
    const clauses = [
      `${SearchAttr.kind.name} = ${quote(SCHEDULE_KIND)}`,
      ...(owner !== null ? [`${SearchAttr.owner.name} = ${quote(owner)}`] : []),
      ...tagClauses(tags),
    ];
    const request = {
      namespace: this.client.options.namespace,
      query: clauses.join(' AND '),
      maximumPageSize: limit,
      nextPageToken: cursor ? Buffer.from(cursor, 'base64url') : undefined,
    };
    let response: temporal.api.workflowservice.v1.IListSchedulesResponse;
    if (!cursor) {
      response = await temporalCall(undefined, () => this.client.workflowService.listSchedules(request));
    } else {
      // A cursor is the caller's input: whatever Temporal makes of a forged one is a 400, and fast.
      try {
        response = await this.client.withDeadline(Date.now() + CURSOR_DEADLINE_MS, () =>
          this.client.workflowService.listSchedules(request),
        );
      } catch {
        throw new InvalidRequestError('cursor is not valid; use the nextCursor of a previous page', 'cursor');
      }
    }
    const entries = response.schedules ?? [];
    // Memos are encrypted like every payload (search attributes never are).
    const memos = await Promise.all(entries.map((entry) => decodePayloadMap(this.client.options.loadedDataConverter, entry.memo?.fields)));
    const items = entries.map((entry, i): ListedSchedule => {
      const attrs = decodePayloads(entry.searchAttributes?.indexedFields);
      const memo = memos[i];
      return {
        id: entry.scheduleId ?? '',
        definition: {
          name: (memo.name as string | null | undefined) ?? null,
          owner: (attrs[SearchAttr.owner.name] as string | undefined) ?? '',
          timing: timingOfRawSpec(entry.info?.spec),
          paused: entry.info?.paused ?? false,
          tags: tagsOf(attrs[SearchAttr.tags.name] as string[] | undefined),
        },
        nextRuns: (entry.info?.futureActionTimes ?? []).map(timestampToDate),
      };
    });
    const nextCursor = await nextCursorOf(items.length, limit, response.nextPageToken, async (token) => {
      const next = await temporalCall(undefined, () =>
        this.client.workflowService.listSchedules({ ...request, maximumPageSize: 1, nextPageToken: token }),
      );
      return next.schedules?.length ?? 0;
    });
    return { items, nextCursor };
  }

  /**
   * Describes the schedule if it exists, is one of this API's and the caller may `access` it.
   * @throws ResourceNotFoundError otherwise: another user's schedule is indistinguishable from none.
   */
  private async find(caller: Caller, id: string, access: Access): Promise<{ handle: ScheduleHandle; description: ScheduleDescription }> {
    if (!SCHEDULE_ID.test(id)) throw new ResourceNotFoundError('schedule', id);
    const handle = this.client.schedule.getHandle(id);
    const description = await temporalCall({ kind: 'schedule', id }, () => handle.describe());
    const attrs = description.typedSearchAttributes;
    if (attrs.get(SearchAttr.kind) !== SCHEDULE_KIND || !mayAccess(caller, attrs.get(SearchAttr.owner), access)) {
      throw new ResourceNotFoundError('schedule', id);
    }
    return { handle, description };
  }

  /**
   * The schedule's spec, action, policies and state in Temporal's terms. Its action starts the
   * task workflow tagged as a direct start is, but for the due time, which every run takes from
   * its nominal time.
   */
  private toTemporal(id: string, definition: ScheduleDefinition, now: Date, checkPastTimes: boolean): ScheduleUpdateOptions {
    let spec;
    try {
      spec = toTemporalSpec(definition.timing, now, { checkPastTimes });
    } catch (err) {
      throw timingRefusal(err);
    }
    const input: TaskWorkflowInput = {
      ownerId: definition.owner,
      name: definition.name,
      request: definition.task.request,
      retry: definition.task.retry,
      runAt: now.toISOString(),
      createdAt: now.toISOString(),
      ...(definition.task.callback ? { callback: definition.task.callback } : {}),
      ...(definition.tags ? { tags: definition.tags } : {}),
    };
    const { typedSearchAttributes, ...start } = runStartOptions(TASK_RUN, input, this.config.temporal.taskQueue);
    return {
      spec,
      action: {
        type: 'startWorkflow',
        workflowType: TASK_RUN.workflowType,
        workflowId: `${TASK_RUN.idPrefix}${id}`,
        ...start,
        typedSearchAttributes: (typedSearchAttributes as Array<{ key: { name: string } }>).filter(
          ({ key }) => key.name !== SearchAttr.runAt.name,
        ) as never,
      },
      policies: { overlap: OVERLAP_TO_TEMPORAL[definition.overlap], catchupWindow: definition.catchupWindowMs },
      state: { paused: definition.paused, note: definition.paused ? 'paused through the API' : undefined },
    };
  }
}

/** The definition a schedule of this API was made from, read back from Temporal's description. */
function definitionOf(description: ScheduleDescription): ScheduleDefinition {
  const input = description.action.args?.[0] as TaskWorkflowInput;
  const overlap = (Object.entries(OVERLAP_TO_TEMPORAL).find(([, v]) => v === description.policies.overlap)?.[0] ?? 'skip') as OverlapPolicy;
  return {
    name: (description.memo?.name as string | null | undefined) ?? null,
    owner: description.typedSearchAttributes.get(SearchAttr.owner) ?? input.ownerId,
    timing: fromTemporalSpec(description.spec),
    overlap,
    catchupWindowMs: description.policies.catchupWindow,
    paused: description.state.paused,
    task: { request: input.request, retry: input.retry, ...(input.callback ? { callback: input.callback } : {}) },
    ...(input.tags ? { tags: input.tags } : {}),
  };
}

function infoOf(description: ScheduleDescription): ScheduleInfo {
  return {
    nextRuns: description.info.nextActionTimes,
    createdAt: description.info.createdAt,
    updatedAt: description.info.lastUpdatedAt ?? null,
  };
}

/** A listed schedule's timing, from the raw spec its list entry carries. */
function timingOfRawSpec(raw: temporal.api.schedule.v1.IScheduleSpec | null | undefined): ScheduleTiming {
  return fromTemporalSpec({
    calendars: (raw?.structuredCalendar ?? []).map((c) => ({ comment: c.comment ?? undefined })) as never,
    intervals: (raw?.interval ?? []).map((i) => ({ every: durationToMs(i.interval), offset: durationToMs(i.phase) })),
    timezone: raw?.timezoneName ?? undefined,
    startAt: raw?.startTime ? timestampToDate(raw.startTime) : undefined,
    endAt: raw?.endTime ? timestampToDate(raw.endTime) : undefined,
    jitter: raw?.jitter ? durationToMs(raw.jitter) : undefined,
  });
}

/** Search attributes, decoded by the default payload converter (no codec: they are never encoded). */
function decodePayloads(fields: Record<string, Payload> | null | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields ?? {}).map(([name, payload]) => [name, defaultPayloadConverter.fromPayload(payload)]));
}

function durationToMs(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return d ? Number(d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6) : 0;
}

function timestampToDate(ts: { seconds?: unknown; nanos?: number | null }): Date {
  return new Date(durationToMs(ts));
}
