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
import { CreateOrchestrationDto } from './dto/create-orchestration.dto';
import { ModifyOrchestrationDto } from './dto/modify-orchestration.dto';
import { OrchestrationListDto, OrchestrationResponseDto } from './dto/orchestration-response.dto';
import { OrchestrationsService } from './orchestrations.service';

const ID_PARAM = {
  name: 'id',
  example: 'orch-7d0e4a1c-2b8f-4c6e-9a3d-5f1b2c3d4e5f',
  description: 'Orchestration id (the Temporal workflow id).',
};

@ApiTags('orchestrations')
@Controller('orchestrations')
export class OrchestrationsController {
  constructor(private readonly orchestrations: OrchestrationsService) {}

  @Post()
  @ApiOperation({
    summary: 'Schedule steps confirmed by a condition check, with a fallback',
    description:
      'At runAt (or after initialDelayMs, or now) calls each step in order; after each successful step waits delayMs and calls the ' +
      'condition check until it answers 2xx (at most retries re-checks, retryIntervalMs apart). If a step fails after its retries or ' +
      'its checks are exhausted, calls the fallback and ends failed.',
  })
  @ApiCreatedResponse({ type: OrchestrationResponseDto })
  @ApiBadRequestResponse({ description: 'Names each bad field (e.g. steps[0].url); nothing is created.' })
  create(@Owner() owner: string, @Body() dto: CreateOrchestrationDto): Promise<OrchestrationResponseDto> {
    return this.orchestrations.create(owner, dto);
  }

  @Get()
  @ApiOperation({
    summary: "List the caller's orchestrations",
    description: 'Scheduled and running ones first, newest first; then finished ones, most recently finished first.',
  })
  @ApiOkResponse({ type: OrchestrationListDto })
  list(@Owner() owner: string, @Query() query: ListRunsQuery): Promise<OrchestrationListDto> {
    return this.orchestrations.list(owner, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One orchestration with every step, check and fallback attempt' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: OrchestrationResponseDto })
  @ApiNotFoundResponse({ description: 'No such orchestration, or not yours.' })
  get(@Owner() owner: string, @Param('id') id: string): Promise<OrchestrationResponseDto> {
    return this.orchestrations.get(owner, id);
  }

  @Get(':id/status')
  @ApiOperation({ summary: "An orchestration's status" })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: RunStatusDto })
  @ApiNotFoundResponse({ description: 'No such orchestration, or not yours.' })
  status(@Owner() owner: string, @Param('id') id: string): Promise<RunStatusDto> {
    return this.orchestrations.status(owner, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Move the start of an orchestration that is still scheduled' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: OrchestrationResponseDto })
  @ApiBadRequestResponse({ description: 'Names each bad field; or nothing to change.' })
  @ApiNotFoundResponse({ description: 'No such orchestration, or not yours.' })
  @ApiConflictResponse({ description: 'The orchestration is no longer scheduled.' })
  modify(@Owner() owner: string, @Param('id') id: string, @Body() dto: ModifyOrchestrationDto): Promise<OrchestrationResponseDto> {
    return this.orchestrations.modify(owner, id, dto);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel an orchestration that is still scheduled' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: CancelledDto })
  @ApiNotFoundResponse({ description: 'No such orchestration, or not yours.' })
  @ApiConflictResponse({ description: 'The orchestration is no longer scheduled.' })
  cancel(@Owner() owner: string, @Param('id') id: string): Promise<CancelledDto> {
    return this.orchestrations.cancel(owner, id);
  }
}
