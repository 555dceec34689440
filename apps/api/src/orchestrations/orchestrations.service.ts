import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import {
  cancelOrchestrationUpdate,
  CONDITION_CHECK_DEFAULTS,
  initialOrchestrationState,
  modifyOrchestrationUpdate,
  ORCHESTRATION_ID_PREFIX,
  ORCHESTRATION_WORKFLOW_TYPE,
  orchestrationStateQuery,
  SearchAttr,
  type OrchestrationState,
  type OrchestrationWorkflowInput,
  type RunStatus,
} from '../../../../common';
import type { AppConfig } from '../../../../libs/runtime/config';
import { APP_CONFIG } from '../core/config.module';
import { InvalidRequestError } from '../core/errors';
import { resolveRunAt, toRequestSpec, toRetrySpec } from '../http-calls/http-call.mapper';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { WorkflowRunsRepository } from '../workflow-runs/workflow-runs.repository';
import type { CancelledDto, RunStatusDto } from '../workflow-runs/run-responses.dto';
import type { CreateOrchestrationDto } from './dto/create-orchestration.dto';
import type { ModifyOrchestrationDto } from './dto/modify-orchestration.dto';
import type { OrchestrationListDto, OrchestrationResponseDto } from './dto/orchestration-response.dto';
import { toOrchestrationResponse, toOrchestrationSummary, type OrchestrationMemo } from './orchestration.mapper';

/** Orchestrations: each one an `orchestrationWorkflow` execution. */
@Injectable()
export class OrchestrationsService {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runs: WorkflowRunsRepository,
  ) {}

  async create(owner: string, dto: CreateOrchestrationDto): Promise<OrchestrationResponseDto> {
    const now = new Date();
    const check = dto.conditionCheck;
    const input: OrchestrationWorkflowInput = {
      ownerId: owner,
      name: dto.name ?? null,
      steps: dto.steps.map((step) => ({ request: toRequestSpec(step), retry: toRetrySpec(step) })),
      conditionCheck: {
        request: toRequestSpec(check),
        delayMs: check.delayMs ?? CONDITION_CHECK_DEFAULTS.delayMs,
        retries: check.retries ?? CONDITION_CHECK_DEFAULTS.retries,
        retryIntervalMs: check.retryIntervalMs ?? CONDITION_CHECK_DEFAULTS.retryIntervalMs,
      },
      fallback: dto.fallback ? { request: toRequestSpec(dto.fallback), retry: toRetrySpec(dto.fallback) } : null,
      runAt: resolveRunAt(dto.runAt, dto.initialDelayMs, now),
      createdAt: now.toISOString(),
    };
    const id = `${ORCHESTRATION_ID_PREFIX}${randomUUID()}`;
    const memo: OrchestrationMemo = { name: input.name, stepCount: input.steps.length };
    await this.client.workflow.start(ORCHESTRATION_WORKFLOW_TYPE, {
      workflowId: id,
      taskQueue: this.config.temporal.taskQueue,
      args: [input],
      memo: { ...memo },
      typedSearchAttributes: [
        { key: SearchAttr.kind, value: 'orchestration' },
        { key: SearchAttr.owner, value: owner },
        { key: SearchAttr.status, value: 'scheduled' },
        { key: SearchAttr.runAt, value: new Date(input.runAt) },
      ],
    });
    return toOrchestrationResponse(id, initialOrchestrationState(input));
  }

  async list(owner: string, status: RunStatus | 'all', limit: number, cursor?: string): Promise<OrchestrationListDto> {
    const page = await this.runs.list('orchestration', owner, status, limit, cursor);
    return { items: page.items.map(toOrchestrationSummary), nextCursor: page.nextCursor };
  }

  async get(owner: string, id: string): Promise<OrchestrationResponseDto> {
    const run = await this.runs.findOwned('orchestration', owner, id);
    return toOrchestrationResponse(id, await this.runs.readState<OrchestrationState>(run, orchestrationStateQuery));
  }

  async status(owner: string, id: string): Promise<RunStatusDto> {
    const run = await this.runs.findOwned('orchestration', owner, id);
    return { id, status: run.status };
  }

  async modify(owner: string, id: string, dto: ModifyOrchestrationDto): Promise<OrchestrationResponseDto> {
    if (dto.runAt === undefined && dto.initialDelayMs === undefined) {
      throw new InvalidRequestError('nothing to change: give runAt or initialDelayMs');
    }
    const runAt = resolveRunAt(dto.runAt, dto.initialDelayMs, new Date());
    const run = await this.runs.findOwned('orchestration', owner, id);
    const state = await this.runs.update(run, modifyOrchestrationUpdate, [{ runAt }]);
    return toOrchestrationResponse(id, state);
  }

  async cancel(owner: string, id: string): Promise<CancelledDto> {
    const run = await this.runs.findOwned('orchestration', owner, id);
    await this.runs.update(run, cancelOrchestrationUpdate, []);
    return { id, cancelled: true, status: 'cancelled' };
  }
}
