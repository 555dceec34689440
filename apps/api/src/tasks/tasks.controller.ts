import { Body, Controller, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { TASK_RUN } from '../../../../common';
import type { Caller } from '../auth/caller';
import { CurrentUser } from '../auth/current-user.decorator';
import { answerCreated } from '../core/created';
import { TASK_ID_PATTERN } from '../core/patterns';
import { IdempotencyKey } from '../core/idempotency';
import { ListTasksQuery, RunCountsQuery } from '../runs/list-runs.query';
import { RunCountsDto, type CancelledDto, type RunStatusDto } from '../runs/run-responses.dto';
import { listOwner } from '../runs/list-scope';
import { RunRoutes, toPage, type RunRouteDoc } from '../runs/run-routes';
import { RunsRepository } from '../runs/runs.repository';
import { WakeCalendar } from '../dispatch/wake-calendar';
import { CreateTaskDto, RetryTaskDto } from './dto/create-task.dto';
import { ModifyTaskDto } from './dto/modify-task.dto';
import { TaskListDto, TaskResponseDto } from './dto/task-response.dto';
import { TaskCreation } from './task-creation';
import { toTaskModification, toTaskResponse, toTaskSummary } from './task.mapper';

const TASKS: RunRouteDoc = {
  noun: 'task',
  plural: 'tasks',
  idExample: 'task-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a',
  idPattern: TASK_ID_PATTERN,
  response: TaskResponseDto,
  counts: RunCountsDto,
  list: TaskListDto,
  create: {
    summary: 'Schedule an HTTP call or a Lambda invocation at runAt, after delayMs, or now',
    badRequest: 'Names each bad field (unknown ones too); nothing is created.',
  },
  modify: { summary: 'Move or change a task that is still scheduled' },
  retry: { body: RetryTaskDto, badRequest: 'Names each bad field.' },
  getSummary: 'One task with every attempt and its result',
};

/** Scheduled tasks: each one a `scheduledTaskWorkflow` execution (see TASK_RUN). */
@ApiTags('tasks')
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly runs: RunsRepository,
    private readonly wakes: WakeCalendar,
    private readonly creation: TaskCreation,
  ) {}

  @RunRoutes.create(TASKS)
  async create(
    @CurrentUser() caller: Caller,
    @Body() dto: CreateTaskDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TaskResponseDto> {
    const outcome = await this.creation.create(caller, dto, key);
    return answerCreated(res, outcome, toTaskResponse(outcome.id, outcome.state));
  }

  @RunRoutes.list(TASKS)
  async list(@CurrentUser() caller: Caller, @Query() query: ListTasksQuery): Promise<TaskListDto> {
    return toPage(await this.runs.list(TASK_RUN, listOwner(caller, query.owner), query), toTaskSummary);
  }

  @RunRoutes.counts(TASKS)
  async counts(@CurrentUser() caller: Caller, @Query() query: RunCountsQuery): Promise<RunCountsDto> {
    return (await this.runs.counts(TASK_RUN, listOwner(caller, query.owner), query.tag)) as RunCountsDto;
  }

  @RunRoutes.get(TASKS)
  async get(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<TaskResponseDto> {
    return toTaskResponse(id, await this.runs.read(TASK_RUN, caller, id));
  }

  @RunRoutes.status(TASKS)
  status(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<RunStatusDto> {
    return this.runs.status(TASK_RUN, caller, id);
  }

  @RunRoutes.modify(TASKS)
  async modify(@CurrentUser() caller: Caller, @Param('id') id: string, @Body() dto: ModifyTaskDto): Promise<TaskResponseDto> {
    const now = new Date();
    const change = toTaskModification(dto, now);
    if (change.runAt) change.dispatchLeadMs = this.wakes.leadFor(Date.parse(change.runAt), now.getTime());
    return toTaskResponse(id, await this.runs.modify(TASK_RUN, caller, id, change));
  }

  @RunRoutes.retry(TASKS)
  async retry(
    @CurrentUser() caller: Caller,
    @Param('id') id: string,
    @Body() dto: RetryTaskDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TaskResponseDto> {
    const outcome = await this.creation.retry(caller, id, dto, key);
    return answerCreated(res, outcome, toTaskResponse(outcome.id, outcome.state));
  }

  @RunRoutes.cancel(TASKS)
  cancel(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<CancelledDto> {
    return this.runs.cancel(TASK_RUN, caller, id);
  }
}
