import {
  HELD_STATUS,
  presentedStatus,
  type TaskMemo,
  type TaskModification,
  type TaskState,
  type TaskWorkflowInput,
} from '../../../../common';
import { resolveRunAt, toCallChange, toCallView, toRequestSpec, toRetryChange, toRetrySpec, toRetryView } from '../calls/call.mapper';
import { toRunExtras, toRunExtrasView } from '../calls/run-extras.mapper';
import { InvalidRequestError } from '../core/errors';
import type { RunSummary } from '../runs/runs.repository';
import type { CreateTaskDto } from './dto/create-task.dto';
import type { ModifyTaskDto } from './dto/modify-task.dto';
import type { TaskResponseDto, TaskSummaryDto } from './dto/task-response.dto';

/** What a task's workflow starts with, from `POST /tasks`. */
export function toTaskInput(dto: CreateTaskDto, owner: string, now: Date): TaskWorkflowInput {
  return {
    ownerId: owner,
    name: dto.name ?? null,
    request: toRequestSpec(dto),
    retry: toRetrySpec(dto),
    runAt: resolveRunAt(dto.runAt, dto.delayMs, now),
    createdAt: now.toISOString(),
    ...toRunExtras(dto),
  };
}

/**
 * The modify Update's argument, from `PATCH /tasks/{id}`: only the fields given.
 * @throws InvalidRequestError when nothing would change.
 */
export function toTaskModification(dto: ModifyTaskDto, now: Date): TaskModification {
  const change: TaskModification = {};
  if (dto.runAt !== undefined || dto.delayMs !== undefined) change.runAt = resolveRunAt(dto.runAt, dto.delayMs, now);
  const request = toCallChange(dto);
  const retry = toRetryChange(dto);
  if (Object.keys(request).length > 0) change.request = request;
  if (Object.keys(retry).length > 0) change.retry = retry;
  if (Object.keys(change).length === 0) throw new InvalidRequestError('nothing to change: give runAt or delayMs, or a call or retry field');
  return change;
}

export function toTaskResponse(id: string, state: TaskState): TaskResponseDto {
  return {
    id,
    name: state.name,
    owner: state.ownerId,
    status: state.held ? presentedStatus(HELD_STATUS, Date.parse(state.runAt), Date.now()) : state.status,
    ...toCallView(state.request),
    runAt: state.runAt,
    createdAt: state.createdAt,
    scheduleId: state.scheduleId ?? null,
    ...toRetryView(state.retry),
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    attempts: state.attempts,
    result: state.result,
    error: state.error,
    ...toRunExtrasView(state),
  } as TaskResponseDto;
}

export function toTaskSummary(run: RunSummary<TaskMemo>): TaskSummaryDto {
  const memo = run.memo as Partial<{ name: string | null; url: string; method: string; function: string; queue: string }>;
  return {
    id: run.id,
    name: memo.name ?? null,
    owner: run.owner,
    status: run.status,
    ...(memo.function !== undefined
      ? { function: memo.function }
      : memo.queue !== undefined
        ? { queue: memo.queue }
        : { url: memo.url ?? '', method: (memo.method ?? 'POST') as TaskSummaryDto['method'] }),
    runAt: run.runAt,
    createdAt: run.createdAt,
    scheduleId: run.scheduleId,
    tags: run.tags,
    finishedAt: run.finishedAt,
  };
}

/** A new task of the same call, retry fields, tags and callback as `state`, due at `runAt`, retrying `id`. */
export function toRetryInput(id: string, state: TaskState, runAt: string, now: Date): TaskWorkflowInput {
  return {
    ownerId: state.ownerId,
    name: state.name,
    request: state.request,
    retry: state.retry,
    runAt,
    createdAt: now.toISOString(),
    ...(state.tags ? { tags: state.tags } : {}),
    ...(state.callback ? { callback: { request: state.callback.request, retry: state.callback.retry, on: state.callback.on } } : {}),
    retryOf: id,
  };
}
