import {
  CONDITION_CHECK_DEFAULTS,
  type OrchestrationMemo,
  type OrchestrationModification,
  type OrchestrationState,
  type OrchestrationWorkflowInput,
} from '../../../../common';
import { resolveRunAt, toCallView, toRequestSpec, toRetryingCallSpec } from '../calls/call.mapper';
import { InvalidRequestError } from '../core/errors';
import type { RunSummary } from '../runs/runs.repository';
import type { CreateOrchestrationDto } from './dto/create-orchestration.dto';
import type { ModifyOrchestrationDto } from './dto/modify-orchestration.dto';
import type { OrchestrationResponseDto, OrchestrationSummaryDto } from './dto/orchestration-response.dto';

/** What an orchestration's workflow starts with, from `POST /orchestrations`. */
export function toOrchestrationInput(dto: CreateOrchestrationDto, owner: string, now: Date): OrchestrationWorkflowInput {
  const check = dto.conditionCheck;
  return {
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
}

/**
 * The modify Update's argument, from `PATCH /orchestrations/{id}`: a new start.
 * @throws InvalidRequestError when none is given.
 */
export function toOrchestrationModification(dto: ModifyOrchestrationDto, now: Date): OrchestrationModification {
  if (dto.runAt === undefined && dto.initialDelayMs === undefined) {
    throw new InvalidRequestError('nothing to change: give runAt or initialDelayMs');
  }
  return { runAt: resolveRunAt(dto.runAt, dto.initialDelayMs, now) };
}

export function toOrchestrationResponse(id: string, state: OrchestrationState): OrchestrationResponseDto {
  return {
    id,
    name: state.name,
    owner: state.ownerId,
    status: state.status,
    stepCount: state.steps.length,
    currentStep: state.currentStep,
    runAt: state.runAt,
    createdAt: state.createdAt,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    steps: state.steps.map((step) => ({
      number: step.number,
      ...('request' in step ? targetOf(step.request) : {}),
      status: step.status,
      attempts: step.attempts,
      result: step.result,
      checkAttempts: step.checkAttempts,
      checkResult: step.checkResult,
    })),
    conditionCheck: {
      ...targetOf(state.conditionCheck.request),
      delayMs: state.conditionCheck.delayMs,
      retries: state.conditionCheck.retries,
      retryIntervalMs: state.conditionCheck.retryIntervalMs,
    },
    fallback: state.fallback
      ? {
          ...targetOf(state.fallback.request),
          status: state.fallback.status,
          attempts: state.fallback.attempts,
          result: state.fallback.result,
        }
      : null,
    failure: state.failure,
  } as OrchestrationResponseDto;
}

export function toOrchestrationSummary(run: RunSummary<OrchestrationMemo>): OrchestrationSummaryDto {
  return {
    id: run.id,
    name: run.memo.name ?? null,
    owner: run.owner,
    status: run.status,
    stepCount: run.memo.stepCount ?? 0,
    runAt: run.runAt,
    createdAt: run.createdAt,
  };
}

/** What an orchestration's resource shows of each call: where it goes (url and method, or the function). */
function targetOf(request: OrchestrationState['conditionCheck']['request']) {
  const view = toCallView(request);
  return 'lambda' in view ? { lambda: view.lambda } : { url: view.url, method: view.method };
}
