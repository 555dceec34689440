import { Injectable } from '@nestjs/common';
import {
  cancelTaskUpdate,
  initialTaskState,
  modifyTaskUpdate,
  TASK_ID_PREFIX,
  TASK_WORKFLOW_TYPE,
  taskStateQuery,
  type TaskModification,
  type TaskWorkflowInput,
} from '../../../../common';
import { InvalidRequestError } from '../core/errors';
import { definedFields, resolveRunAt, toRequestSpec, toRetrySpec } from '../http-calls/http-call.mapper';
import type { ListRunsQuery } from '../workflow-runs/list-runs.query';
import { WorkflowRunsRepository } from '../workflow-runs/workflow-runs.repository';
import type { CancelledDto, RunStatusDto } from '../workflow-runs/run-responses.dto';
import type { CreateTaskDto } from './dto/create-task.dto';
import type { ModifyTaskDto } from './dto/modify-task.dto';
import type { TaskListDto, TaskResponseDto } from './dto/task-response.dto';
import { toTaskResponse, toTaskSummary, type TaskMemo } from './task.mapper';

/** Scheduled tasks: each one a `scheduledTaskWorkflow` execution. */
@Injectable()
export class TasksService {
  constructor(private readonly runs: WorkflowRunsRepository) {}

  async create(owner: string, dto: CreateTaskDto): Promise<TaskResponseDto> {
    const now = new Date();
    const input: TaskWorkflowInput = {
      ownerId: owner,
      name: dto.name ?? null,
      request: toRequestSpec(dto),
      retry: toRetrySpec(dto),
      runAt: resolveRunAt(dto.runAt, dto.delayMs, now),
      createdAt: now.toISOString(),
      scheduleId: null,
    };
    const memo: TaskMemo = { name: input.name, url: input.request.url, method: input.request.method };
    const id = await this.runs.start({
      kind: 'task',
      workflowType: TASK_WORKFLOW_TYPE,
      idPrefix: TASK_ID_PREFIX,
      owner,
      runAt: input.runAt,
      input,
      memo: { ...memo },
    });
    return toTaskResponse(id, initialTaskState(input));
  }

  async list(owner: string, query: ListRunsQuery): Promise<TaskListDto> {
    const page = await this.runs.list('task', owner, query);
    return { items: page.items.map(toTaskSummary), nextCursor: page.nextCursor };
  }

  async get(owner: string, id: string): Promise<TaskResponseDto> {
    return toTaskResponse(id, await this.runs.readOwned('task', owner, id, taskStateQuery, initialTaskState));
  }

  status(owner: string, id: string): Promise<RunStatusDto> {
    return this.runs.status('task', owner, id);
  }

  async modify(owner: string, id: string, dto: ModifyTaskDto): Promise<TaskResponseDto> {
    const change: TaskModification = {};
    if (dto.runAt !== undefined || dto.delayMs !== undefined) change.runAt = resolveRunAt(dto.runAt, dto.delayMs, new Date());
    const request = definedFields({ url: dto.url, method: dto.method, headers: dto.headers, body: dto.body, timeoutMs: dto.timeoutMs });
    const retry = definedFields({ retries: dto.retries, retryIntervalMs: dto.retryIntervalMs, retryBackoff: dto.retryBackoff });
    if (Object.keys(request).length > 0) change.request = request;
    if (Object.keys(retry).length > 0) change.retry = retry;
    if (Object.keys(change).length === 0)
      throw new InvalidRequestError('nothing to change: give runAt or delayMs, or a call or retry field');

    const state = await this.runs.updateOwned('task', owner, id, modifyTaskUpdate, [change]);
    return toTaskResponse(id, state);
  }

  cancel(owner: string, id: string): Promise<CancelledDto> {
    return this.runs.cancel('task', owner, id, cancelTaskUpdate);
  }
}
