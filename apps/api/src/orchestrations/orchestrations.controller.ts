import { Body, Controller, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ORCHESTRATION_RUN } from '../../../../common';
import type { Caller } from '../auth/caller';
import { CurrentUser } from '../auth/current-user.decorator';
import { answerCreated } from '../core/created';
import { ORCHESTRATION_ID_PATTERN } from '../core/patterns';
import { IdempotencyKey } from '../core/idempotency';
import { ListRunsQuery } from '../runs/list-runs.query';
import { OrchestrationCountsDto, type CancelledDto, type RunStatusDto } from '../runs/run-responses.dto';
import { listOwner, OwnerQuery } from '../runs/list-scope';
import { RunRoutes, toPage, type RunRouteDoc } from '../runs/run-routes';
import { RunsRepository } from '../runs/runs.repository';
import { CreateOrchestrationDto } from './dto/create-orchestration.dto';
import { ModifyOrchestrationDto } from './dto/modify-orchestration.dto';
import { OrchestrationListDto, OrchestrationResponseDto } from './dto/orchestration-response.dto';
import { toOrchestrationInput, toOrchestrationModification, toOrchestrationResponse, toOrchestrationSummary } from './orchestration.mapper';

const ORCHESTRATIONS: RunRouteDoc = {
  noun: 'orchestration',
  plural: 'orchestrations',
  idExample: 'orch-7d0e4a1c-2b8f-4c6e-9a3d-5f1b2c3d4e5f',
  idPattern: ORCHESTRATION_ID_PATTERN,
  response: OrchestrationResponseDto,
  counts: OrchestrationCountsDto,
  list: OrchestrationListDto,
  create: {
    summary: 'Schedule steps confirmed by a condition check, with a fallback',
    description:
      'At runAt (or after initialDelayMs, or now) calls each step in order; after each successful step waits delayMs and calls the ' +
      'condition check until it answers 2xx (at most retries re-checks, retryIntervalMs apart). If a step fails after its retries or ' +
      'its checks are exhausted, calls the fallback and ends failed.',
    badRequest: 'Names each bad field (e.g. steps[0].url); nothing is created.',
  },
  modify: { summary: 'Move the start of an orchestration that is still scheduled' },
  getSummary: 'One orchestration with every step, check and fallback attempt',
};

/** Orchestrations: each one an `orchestrationWorkflow` execution (see ORCHESTRATION_RUN). */
@ApiTags('orchestrations')
@Controller('orchestrations')
export class OrchestrationsController {
  constructor(private readonly runs: RunsRepository) {}

  @RunRoutes.create(ORCHESTRATIONS)
  async create(
    @CurrentUser() caller: Caller,
    @Body() dto: CreateOrchestrationDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OrchestrationResponseDto> {
    const input = toOrchestrationInput(dto, caller.sub, new Date());
    const outcome = await this.runs.create(ORCHESTRATION_RUN, caller, input, { key, request: dto });
    return answerCreated(res, outcome, toOrchestrationResponse(outcome.id, outcome.state));
  }

  @RunRoutes.list(ORCHESTRATIONS)
  async list(@CurrentUser() caller: Caller, @Query() query: ListRunsQuery): Promise<OrchestrationListDto> {
    return toPage(await this.runs.list(ORCHESTRATION_RUN, listOwner(caller, query.owner), query), toOrchestrationSummary);
  }

  @RunRoutes.counts(ORCHESTRATIONS)
  async counts(@CurrentUser() caller: Caller, @Query() query: OwnerQuery): Promise<OrchestrationCountsDto> {
    return (await this.runs.counts(ORCHESTRATION_RUN, listOwner(caller, query.owner))) as OrchestrationCountsDto;
  }

  @RunRoutes.get(ORCHESTRATIONS)
  async get(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<OrchestrationResponseDto> {
    return toOrchestrationResponse(id, await this.runs.read(ORCHESTRATION_RUN, caller, id));
  }

  @RunRoutes.status(ORCHESTRATIONS)
  status(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<RunStatusDto> {
    return this.runs.status(ORCHESTRATION_RUN, caller, id);
  }

  @RunRoutes.modify(ORCHESTRATIONS)
  async modify(
    @CurrentUser() caller: Caller,
    @Param('id') id: string,
    @Body() dto: ModifyOrchestrationDto,
  ): Promise<OrchestrationResponseDto> {
    return toOrchestrationResponse(id, await this.runs.modify(ORCHESTRATION_RUN, caller, id, toOrchestrationModification(dto, new Date())));
  }

  @RunRoutes.cancel(ORCHESTRATIONS)
  cancel(@CurrentUser() caller: Caller, @Param('id') id: string): Promise<CancelledDto> {
    return this.runs.cancel(ORCHESTRATION_RUN, caller, id);
  }
}
