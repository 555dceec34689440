import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Owner } from '../core/owner.decorator';
import { ListRunsQuery } from '../workflow-runs/list-runs.query';
import { CancelledDto, RunStatusDto } from '../workflow-runs/run-responses.dto';
import { CreateTaskDto } from './dto/create-task.dto';
import { ModifyTaskDto } from './dto/modify-task.dto';
import { TaskListDto, TaskResponseDto } from './dto/task-response.dto';
import { TasksService } from './tasks.service';

const ID_PARAM = { name: 'id', example: 'task-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a', description: 'Task id (the Temporal workflow id).' };

@ApiTags('tasks')
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post()
  @ApiOperation({ summary: 'Schedule an HTTP call at runAt, after delayMs, or now' })
  @ApiCreatedResponse({ type: TaskResponseDto })
  @ApiBadRequestResponse({ description: 'Names each bad field; nothing is created.' })
  create(@Owner() owner: string, @Body() dto: CreateTaskDto): Promise<TaskResponseDto> {
    return this.tasks.create(owner, dto);
  }

  @Get()
  @ApiOperation({
    summary: "List the caller's tasks",
    description: 'Scheduled and running tasks first, newest first; then finished ones, most recently finished first.',
  })
  @ApiOkResponse({ type: TaskListDto })
  list(@Owner() owner: string, @Query() query: ListRunsQuery): Promise<TaskListDto> {
    return this.tasks.list(owner, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One task with every attempt and its result' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiNotFoundResponse({ description: 'No such task, or not yours.' })
  get(@Owner() owner: string, @Param('id') id: string): Promise<TaskResponseDto> {
    return this.tasks.get(owner, id);
  }

  @Get(':id/status')
  @ApiOperation({ summary: "A task's status" })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: RunStatusDto })
  @ApiNotFoundResponse({ description: 'No such task, or not yours.' })
  status(@Owner() owner: string, @Param('id') id: string): Promise<RunStatusDto> {
    return this.tasks.status(owner, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Move or change a task that is still scheduled' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiBadRequestResponse({ description: 'Names each bad field.' })
  @ApiNotFoundResponse({ description: 'No such task, or not yours.' })
  @ApiConflictResponse({ description: 'The task is no longer scheduled.' })
  modify(@Owner() owner: string, @Param('id') id: string, @Body() dto: ModifyTaskDto): Promise<TaskResponseDto> {
    return this.tasks.modify(owner, id, dto);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a task that is still scheduled' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: CancelledDto })
  @ApiNotFoundResponse({ description: 'No such task, or not yours.' })
  @ApiConflictResponse({ description: 'The task is no longer scheduled.' })
  cancel(@Owner() owner: string, @Param('id') id: string): Promise<CancelledDto> {
    return this.tasks.cancel(owner, id);
  }
}
