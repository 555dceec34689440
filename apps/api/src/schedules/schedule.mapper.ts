import { callbackState, modifiedCall, type CallbackSpec, type RunStatus, type Tags } from '../../../../common';
import type { CallRequestSpec, RetrySpec } from '../../../../common';
import { toCallChange, toCallView, toRetryChange, toRetryingCallSpec } from '../calls/call.mapper';
import { toCallbackSpec, toCallbackView } from '../calls/run-extras.mapper';
import { InvalidRequestError, WrongStateError } from '../core/errors';
import type { CreateScheduleDto, OverlapPolicy } from './dto/create-schedule.dto';
import type { ModifyScheduleDto, ModifyScheduleTaskDto } from './dto/modify-schedule.dto';
import type { ScheduleResponseDto, ScheduleRunDto, ScheduleSummaryDto } from './dto/schedule-response.dto';
import { TimingError, type ScheduleTiming } from './schedule-timing';

/** Default catch-up window: after an outage, runs missed by up to a minute are made up (Temporal's default is a year). */
export const DEFAULT_CATCHUP_WINDOW_MS = 60_000;

/** What the API keeps of a schedule: everything it was created with, defaults filled in. */
export interface ScheduleDefinition {
  name: string | null;
  owner: string;
  timing: ScheduleTiming;
  overlap: OverlapPolicy;
  catchupWindowMs: number;
  paused: boolean;
  task: { request: CallRequestSpec; retry: RetrySpec; callback?: CallbackSpec };
  /** Its tags, which each run also gets. */
  tags?: Tags;
}

/** What Temporal says of a schedule beyond its definition. */
export interface ScheduleInfo {
  nextRuns: Date[];
  createdAt: Date;
  updatedAt: Date | null;
}

/** A schedule as `POST /schedules` describes it, defaults filled in. */
export function toScheduleDefinition(dto: CreateScheduleDto, owner: string): ScheduleDefinition {
  return {
    name: dto.name ?? null,
    owner,
    timing: {
      ...timingFields(dto),
      timezone: dto.timezone ?? 'UTC',
    },
    overlap: dto.overlap ?? 'skip',
    catchupWindowMs: dto.catchupWindowMs ?? DEFAULT_CATCHUP_WINDOW_MS,
    paused: dto.paused ?? false,
    task: { ...toRetryingCallSpec(dto.task), ...(dto.task.callback ? { callback: toCallbackSpec(dto.task.callback) } : {}) },
    ...(dto.tags && Object.keys(dto.tags).length > 0 ? { tags: dto.tags } : {}),
  };
}

/**
 * The schedule after `PATCH /schedules/{id}`: a cron, everyMs or at replaces the timing's kind,
 * null removes startAt/endAt, absent fields stay.
 * @throws InvalidRequestError when nothing would change.
 * @throws WrongStateError when a new startAt or endAt does not fit the schedule's other bound.
 */
export function modifiedSchedule(current: ScheduleDefinition, dto: ModifyScheduleDto): ScheduleDefinition {
  const given = Object.entries(dto).filter(([, v]) => v !== undefined);
  if (given.length === 0) {
    throw new InvalidRequestError(
      'nothing to change: give a timing (cron, everyMs or at, timezone, startAt, endAt, jitterMs), task, overlap, catchupWindowMs or paused',
    );
  }
  const newKind = dto.cron !== undefined || dto.everyMs !== undefined || dto.at !== undefined;
  const { cron, everyMs, at, ...rest } = current.timing;
  const timing: ScheduleTiming = {
    ...(newKind ? {} : { cron, everyMs, at }),
    ...rest,
    ...timingFields(dto),
    ...(dto.timezone !== undefined ? { timezone: dto.timezone } : {}),
  };
  for (const key of ['startAt', 'endAt'] as const) if (dto[key] === null) delete timing[key];
  // Both bounds in the PATCH and the wrong way round is the request's own fault, a 400 from the
  // timing's validation; one of them only clashes with the schedule as it is.
  if (timing.startAt && timing.endAt && Date.parse(timing.endAt) <= Date.parse(timing.startAt) && !(dto.startAt && dto.endAt)) {
    const kept = dto.endAt ? `its startAt is ${timing.startAt}` : `its endAt is ${timing.endAt}`;
    throw new WrongStateError(`endAt must be after startAt, and ${kept}`);
  }
  return {
    ...current,
    timing: Object.fromEntries(Object.entries(timing).filter(([, v]) => v !== undefined)) as ScheduleTiming,
    overlap: dto.overlap ?? current.overlap,
    catchupWindowMs: dto.catchupWindowMs ?? current.catchupWindowMs,
    paused: dto.paused ?? current.paused,
    task: dto.task ? modifiedTask(current.task, dto.task) : current.task,
    ...(dto.tags !== undefined ? { tags: dto.tags } : current.tags ? { tags: current.tags } : {}),
  };
}

/**
 * What later runs call after a `PATCH` with `task`: the one merge rule of a task's `PATCH`
 * (modifiedCall), the retry fields given, and a new callback if one is given (else it stays).
 * @throws InvalidRequestError for a `task` with no field.
 * @throws WrongStateError when the change does not fit the call (HTTP fields for a Lambda call), as for a task.
 */
function modifiedTask(current: ScheduleDefinition['task'], dto: ModifyScheduleTaskDto): ScheduleDefinition['task'] {
  const change = toCallChange(dto);
  const retry = toRetryChange(dto);
  if (Object.keys(change).length + Object.keys(retry).length === 0 && dto.callback === undefined) {
    throw new InvalidRequestError(
      'task has nothing to change: give a call field (url, method, headers, body, lambda, sqs, timeoutMs, flowControl), a retry field or callback',
      'task',
    );
  }
  const request = Object.keys(change).length > 0 ? modifiedCall(current.request, change) : current.request;
  if (typeof request === 'string') throw new WrongStateError(request);
  const callback = dto.callback !== undefined ? toCallbackSpec(dto.callback) : current.callback;
  return { request, retry: { ...current.retry, ...retry }, ...(callback ? { callback } : {}) };
}

/** The timing fields a create or modify request gives. */
function timingFields(
  dto: Partial<Omit<CreateScheduleDto, 'startAt' | 'endAt'>> & Pick<ModifyScheduleDto, 'startAt' | 'endAt'>,
): Partial<ScheduleTiming> {
  const fields: Partial<ScheduleTiming> = {};
  for (const key of ['cron', 'everyMs', 'at', 'startAt', 'endAt', 'jitterMs'] as const) {
    if (dto[key] !== undefined && dto[key] !== null) (fields as Record<string, unknown>)[key] = dto[key];
  }
  return fields;
}

/** A refused timing as the 400 the API answers, naming the field. */
export function timingRefusal(err: unknown): unknown {
  return err instanceof TimingError ? new InvalidRequestError(err.message, err.field) : err;
}

export function toScheduleSummary(
  id: string,
  def: Pick<ScheduleDefinition, 'name' | 'owner' | 'timing' | 'paused' | 'tags'>,
  nextRuns: Date[],
): ScheduleSummaryDto {
  return {
    id,
    name: def.name,
    owner: def.owner,
    state: def.paused ? 'paused' : 'active',
    ...(def.timing.cron !== undefined ? { cron: def.timing.cron } : {}),
    ...(def.timing.everyMs !== undefined ? { everyMs: def.timing.everyMs } : {}),
    ...(def.timing.at !== undefined ? { at: def.timing.at } : {}),
    timezone: def.timing.timezone,
    nextRuns: def.paused ? [] : nextRuns.slice(0, 5).map((d) => d.toISOString()),
    tags: def.tags ?? {},
  };
}

export function toScheduleResponse(
  id: string,
  def: ScheduleDefinition,
  info: ScheduleInfo,
  recentRuns: ScheduleRunDto[],
): ScheduleResponseDto {
  return {
    ...toScheduleSummary(id, def, info.nextRuns),
    startAt: def.timing.startAt ?? null,
    endAt: def.timing.endAt ?? null,
    jitterMs: def.timing.jitterMs ?? 0,
    overlap: def.overlap,
    catchupWindowMs: def.catchupWindowMs,
    task: {
      ...toCallView(def.task.request),
      ...def.task.retry,
      retryOn: def.task.retry.retryOn ?? 'any',
      callback: def.task.callback ? toCallbackView(callbackState(def.task.callback)!) : null,
    },
    recentRuns,
    createdAt: info.createdAt.toISOString(),
    updatedAt: info.updatedAt?.toISOString() ?? null,
  };
}

/** A schedule's run as its resource lists it. */
export function toScheduleRun(run: { id: string; status: RunStatus; runAt: string }): ScheduleRunDto {
  return { id: run.id, status: run.status, runAt: run.runAt };
}
