import { Injectable } from '@nestjs/common';
import {
  cancelOrchestrationUpdate,
  CONDITION_CHECK_DEFAULTS,
  initialOrchestrationState,
  modifyOrchestrationUpdate,
  ORCHESTRATION_ID_PREFIX,
  ORCHESTRATION_WORKFLOW_TYPE,
  orchestrationStateQuery,
  type OrchestrationWorkflowInput,
} from '../../../../common';
import { InvalidRequestError } from '../core/errors';
import { resolveRunAt, toRequestSpec, toRetryingCallSpec } from '../http-calls/http-call.mapper';
import type { ListRunsQuery } from '../workflow-runs/list-runs.query';
import { WorkflowRunsRepository } from '../workflow-runs/workflow-runs.repository';
import type { CancelledDto, RunStatusDto } from '../workflow-runs/run-responses.dto';
import type { CreateOrchestrationDto } from './dto/create-orchestration.dto';
import type { ModifyOrchestrationDto } from './dto/modify-orchestration.dto';
import type { OrchestrationListDto, OrchestrationResponseDto } from './dto/orchestration-response.dto';
import { toOrchestrationResponse, toOrchestrationSummary, type OrchestrationMemo } from './orchestration.mapper';

/** Orchestrations: each one an `orchestrationWorkflow` execution. */
@Injectable()
export class OrchestrationsService {
  constructor(private readonly runs: WorkflowRunsRepository) {}

  async create(owner: string, dto: CreateOrchestrationDto): Promise<OrchestrationResponseDto> {
    const now = new Date();
    const check = dto.conditionCheck;
    const input: OrchestrationWorkflowInput = {
      ownerId: owner,
      name: dto.name ?? null,
      steps: dto.steps.map(toRetryingCallSpec),
      conditionCheck: {
        request: toRequestSpec(check),
        delayMs: check.delayMs ?? CONDITION_CHECK_DEFAULTS.delayMs,
        retries: check.retries ?? CONDITION_CHECK_DEFAULTS.retries,
        retryIntervalMs: check.retryIntervalMs ?? CONDITION_CHECK_DEFAULTS.retryIntervalMs,
      },
      fallback: dto.fallback ? toRetryingCallSpec(dto.fallback) : null,
      runAt: resolveRunAt(dto.runAt, dto.initialDelayMs, now),
      createdAt: now.toISOString(),
    };
    const memo: OrchestrationMemo = { name: input.name, stepCount: input.steps.length };
    const id = await this.runs.start({
      kind: 'orchestration',
      workflowType: ORCHESTRATION_WORKFLOW_TYPE,
      idPrefix: ORCHESTRATION_ID_PREFIX,
      owner,
      runAt: input.runAt,
      input,
      memo: { ...memo },
    });
    return toOrchestrationResponse(id, initialOrchestrationState(input));
  }

  async list(owner: string, query: ListRunsQuery): Promise<OrchestrationListDto> {
    const page = await this.runs.list('orchestration', owner, query);
    return { items: page.items.map(toOrchestrationSummary), nextCursor: page.nextCursor };
  }

  async get(owner: string, id: string): Promise<OrchestrationResponseDto> {
    return toOrchestrationResponse(
      id,
      await this.runs.readOwned('orchestration', owner, id, orchestrationStateQuery, initialOrchestrationState),
    );
  }

  status(owner: string, id: string): Promise<RunStatusDto> {
    return this.runs.status('orchestration', owner, id);
  }

  async modify(owner: string, id: string, dto: ModifyOrchestrationDto): Promise<OrchestrationResponseDto> {
    if (dto.runAt === undefined && dto.initialDelayMs === undefined) {
      throw new InvalidRequestError('nothing to change: give runAt or initialDelayMs');
    }
    const runAt = resolveRunAt(dto.runAt, dto.initialDelayMs, new Date());
    const state = await this.runs.updateOwned('orchestration', owner, id, modifyOrchestrationUpdate, [{ runAt }]);
    return toOrchestrationResponse(id, state);
  }

  cancel(owner: string, id: string): Promise<CancelledDto> {
    return this.runs.cancel('orchestration', owner, id, cancelOrchestrationUpdate);
  }
}
