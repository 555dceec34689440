import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/admin-only.decorator';
import { CreationRateLimit } from '../core/rate-limit';
import { ApiErrors, IDENTITY_PROVIDER_DOWN, UNAUTHORIZED, UNSUPPORTED_ENCODING } from '../openapi/api-errors';
import type { LambdaInvocationType } from '../../../../common';
import type { Caller } from '../auth/caller';
import { CurrentUser } from '../auth/current-user.decorator';
import { toScheduleDefinition } from '../schedules/schedule.mapper';
import { SchedulesRepository } from '../schedules/schedules.repository';
import { TaskCreation } from '../tasks/task-creation';
import { CreateFunctionDto } from './dto/create-function.dto';
import { FunctionResponseDto } from './dto/function-response.dto';
import { ACTIVE_WAIT_S, FunctionsService } from './functions.service';

/** Lambda functions deployed from code, for tasks and orchestrations to invoke. Admin only. */
@AdminOnly()
@ApiTags('functions')
@Controller('functions')
export class FunctionsController {
  constructor(
    private readonly functions: FunctionsService,
    private readonly tasks: TaskCreation,
    private readonly schedules: SchedulesRepository,
  ) {}

  @Post()
  @UseGuards(CreationRateLimit)
  @ApiOperation({
    summary: 'Deploy a Lambda function from code',
    description:
      `Creates the function, waits until it is Active (at most ${ACTIVE_WAIT_S} s) and, when asked, its function URL; ` +
      'with task or schedule, also the task or schedule invoking it (owned by the caller). ' +
      'A deployment that fails halfway (the task or schedule included) is undone: nothing is left behind.',
  })
  @ApiCreatedResponse({ type: FunctionResponseDto })
  @ApiErrors({
    400: 'Names the bad field (runtime, handler, code; the handler must suit the runtime; task.*, schedule.*), or passes on why Lambda refused (e.g. a role it cannot assume).',
    401: UNAUTHORIZED,
    403: "The token's roles do not include admin.",
    409: 'A function of that name exists.',
    413: 'The body is larger than the API takes.',
    415: UNSUPPORTED_ENCODING,
    429: 'Too many creations by this user; retry after Retry-After seconds.',
    502: "Lambda refused the API's own credentials, or the API cannot reach Lambda; nothing was created.",
    503: `Lambda throttled or failed; nothing was created; ${IDENTITY_PROVIDER_DOWN}.`,
  })
  async create(@CurrentUser() caller: Caller, @Body() dto: CreateFunctionDto): Promise<FunctionResponseDto> {
    const fn = await this.functions.create(dto);
    if (!dto.task && !dto.schedule) return fn;
    try {
      return { ...fn, ...(await this.madeWith(caller, fn.arn, dto)) };
    } catch (err) {
      // Nothing is left behind: the function goes with the task or schedule it could not make.
      await this.functions.undo(dto.name);
      throw err;
    }
  }

  /** The task or the schedule asked for with the function, invoking it; the caller owns it. */
  private async madeWith(caller: Caller, arn: string, dto: CreateFunctionDto): Promise<{ taskId: string } | { scheduleId: string }> {
    const invocation = (fields: { payload?: unknown; invocationType?: LambdaInvocationType }) => ({
      function: arn,
      ...(fields.payload !== undefined ? { payload: fields.payload } : {}),
      ...(fields.invocationType ? { invocationType: fields.invocationType } : {}),
    });
    if (dto.task) {
      const { payload, invocationType, ...task } = dto.task;
      const { id } = await this.tasks.create(caller, { ...task, lambda: invocation({ payload, invocationType }) });
      return { taskId: id };
    }
    const { task = {}, ...schedule } = dto.schedule!;
    const { payload, invocationType, ...runs } = task;
    const definition = toScheduleDefinition(
      { ...schedule, task: { ...runs, lambda: invocation({ payload, invocationType }) } },
      caller.sub,
    );
    const { id } = await this.schedules.create(definition, new Date(), caller);
    return { scheduleId: id };
  }
}
