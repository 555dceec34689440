import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiLink, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { TASK_RUN } from '../../../../common';
import type { Caller } from '../auth/caller';
import { CurrentUser } from '../auth/current-user.decorator';
import { answerCreated } from '../core/created';
import { idempotency, IdempotencyKey } from '../core/idempotency';
import { SCHEDULE_ID_PATTERN } from '../core/patterns';
import { CreationRateLimit } from '../core/rate-limit';
import { ApiErrors, UNAUTHORIZED, UNSUPPORTED_ENCODING } from '../openapi/api-errors';
import { CreationRoute, OWNER_FORBIDDEN, TEMPORAL_DOWN } from '../runs/run-routes';
import { DEFAULT_PAGE_SIZE, ListSchedulesQuery } from '../runs/list-runs.query';
import { listOwner } from '../runs/list-scope';
import { RunsRepository } from '../runs/runs.repository';
import { CreateScheduleDto } from './dto/create-schedule.dto';
import { ModifyScheduleDto } from './dto/modify-schedule.dto';
import { ScheduleDeletedDto, ScheduleListDto, ScheduleResponseDto } from './dto/schedule-response.dto';
import { modifiedSchedule, toScheduleDefinition, toScheduleResponse, toScheduleRun, toScheduleSummary } from './schedule.mapper';
import { SCHEDULE_ID_PREFIX, SchedulesRepository } from './schedules.repository';

const ID_PARAM = {
  name: 'id',
  example: 'sched-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a',
  description: 'Schedule id (the Temporal Schedule id).',
  schema: { type: 'string', pattern: `^${SCHEDULE_ID_PATTERN}$` },
} as const;
/** The errors of a route on one schedule. */
const ONE_SCHEDULE_ERRORS = { 401: UNAUTHORIZED, 404: 'No such schedule, or not yours.', 503: TEMPORAL_DOWN } as const;
/** Links every answer that is the whole schedule to the route, with the schedule's id. */
const linkedFromSchedule = () => ApiLink({ from: ScheduleResponseDto, routeParam: 'id' });
/** How many of a schedule's latest runs its resource shows. */
const RECENT_RUNS = 5;

/** Recurring schedules: Temporal Schedules whose runs are tasks. */
@ApiTags('schedules')
@Controller('schedules')
export class SchedulesController {
  constructor(
    private readonly schedules: SchedulesRepository,
    private readonly runs: RunsRepository,
  ) {}

  @CreationRoute({
    noun: 'schedule',
    summary: 'Run a task on a cron, an interval or a list of times',
    description:
      'Each run is a task (under /tasks, with this scheduleId), due at its nominal time. Exactly one of cron, everyMs or at. ' +
      'Beyond the schema: a cron range runs forwards (10-30, not 30-10), every `at` time is in the future, and endAt is after startAt.',
    response: ScheduleResponseDto,
    badRequest: 'Names each bad field (e.g. cron, timezone, at[2], task.url), unknown ones too; nothing is created.',
    quota: 'schedule',
  })
  async create(
    @CurrentUser() caller: Caller,
    @Body() dto: CreateScheduleDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ScheduleResponseDto> {
    const keyed = key === undefined ? undefined : idempotency(SCHEDULE_ID_PREFIX, 'schedule', caller.sub, key, dto);
    const outcome = await this.schedules.create(toScheduleDefinition(dto, caller.sub), new Date(), caller, keyed);
    return answerCreated(res, outcome, await this.view(caller, outcome.id));
  }

  @Get()
  @ApiOperation({ summary: "List the caller's schedules", description: 'Query parameters this operation does not list are ignored.' })
  @ApiOkResponse({ type: ScheduleListDto })
  @ApiErrors({
    400: 'Names each bad query parameter: limit, cursor (not a nextCursor of this list), owner, tag.',
    401: UNAUTHORIZED,
    403: OWNER_FORBIDDEN,
    503: TEMPORAL_DOWN,
  })
  async list(@CurrentUser() caller: Caller, @Query() query: ListSchedulesQuery): Promise<ScheduleListDto> {
    const page = await this.schedules.list(listOwner(caller, query.owner), query.limit ?? DEFAULT_PAGE_SIZE, query.cursor, query.tag);
    return { items: page.items.map((s) => toScheduleSummary(s.id, s.definition, s.nextRuns)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One schedule with its next and recent runs' })
  @ApiParam(ID_PARAM)
  @linkedFromSchedule()
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiErrors(ONE_SCHEDULE_ERRORS)
  get(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<ScheduleResponseDto> {
    return this.view(caller, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the timing, the task, the policies, or pause/resume; later runs follow' })
  @ApiParam(ID_PARAM)
  @linkedFromSchedule()
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiErrors({
    ...ONE_SCHEDULE_ERRORS,
    400: 'Names each bad field, unknown ones too; or nothing to change.',
    409: 'A new startAt or endAt does not fit the bound the schedule keeps (endAt must be after startAt).',
    413: 'The body is larger than the API takes.',
    415: UNSUPPORTED_ENCODING,
  })
  async modify(@CurrentUser() caller: Caller, @Param('id') id: string, @Body() dto: ModifyScheduleDto): Promise<ScheduleResponseDto> {
    await this.schedules.update(caller, id, (current) => modifiedSchedule(current, dto), dto.at !== undefined);
    return this.view(caller, id);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a schedule: no further runs (runs already started finish)' })
  @ApiParam(ID_PARAM)
  @linkedFromSchedule()
  @ApiOkResponse({ type: ScheduleDeletedDto })
  @ApiErrors(ONE_SCHEDULE_ERRORS)
  async delete(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<ScheduleDeletedDto> {
    await this.schedules.delete(caller, id);
    return { id, deleted: true };
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a schedule: no runs until it is resumed' })
  @ApiParam(ID_PARAM)
  @linkedFromSchedule()
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiErrors(ONE_SCHEDULE_ERRORS)
  async pause(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<ScheduleResponseDto> {
    await this.schedules.pause(caller, id, true);
    return this.view(caller, id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused schedule' })
  @ApiParam(ID_PARAM)
  @linkedFromSchedule()
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiErrors(ONE_SCHEDULE_ERRORS)
  async resume(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<ScheduleResponseDto> {
    await this.schedules.pause(caller, id, false);
    return this.view(caller, id);
  }

  @Post(':id/trigger')
  @HttpCode(200)
  // A run made on demand is a creation: the same per-user limit.
  @UseGuards(CreationRateLimit)
  @ApiOperation({ summary: 'Start a run now (also while paused, and whatever the overlap policy)' })
  @ApiParam(ID_PARAM)
  @linkedFromSchedule()
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiErrors({
    ...ONE_SCHEDULE_ERRORS,
    429: 'Too many creations (triggers count as creations) by this user; retry after Retry-After seconds.',
  })
  async trigger(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<ScheduleResponseDto> {
    await this.schedules.trigger(caller, id);
    return this.view(caller, id);
  }

  /** The schedule's resource: its definition, next runs, and latest runs (tasks, from visibility). */
  private async view(caller: Caller, id: string): Promise<ScheduleResponseDto> {
    const schedule = await this.schedules.get(caller, id);
    const runs = await this.runs.list(TASK_RUN, schedule.definition.owner, { scheduleId: id, limit: RECENT_RUNS });
    return toScheduleResponse(id, schedule.definition, schedule.info, runs.items.map(toScheduleRun));
  }
}
