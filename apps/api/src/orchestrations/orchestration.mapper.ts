import type { OrchestrationState } from '../../../../common';
import type { RunSummary } from '../workflow-runs/workflow-runs.repository';
import type { OrchestrationResponseDto, OrchestrationSummaryDto } from './dto/orchestration-response.dto';

/** The memo an orchestration workflow starts with: what lists show without a query. */
export interface OrchestrationMemo {
  name: string | null;
  stepCount: number;
}

export function toOrchestrationResponse(id: string, state: OrchestrationState): OrchestrationResponseDto {
  return {
    id,
    name: state.name,
    status: state.status,
    stepCount: state.steps.length,
    currentStep: state.currentStep,
    runAt: state.runAt,
    createdAt: state.createdAt,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    steps: state.steps.map((step) => ({
      number: step.number,
      url: step.request.url,
      method: step.request.method,
      status: step.status,
      attempts: step.attempts,
      result: step.result,
      checkAttempts: step.checkAttempts,
      checkResult: step.checkResult,
    })),
    conditionCheck: {
      url: state.conditionCheck.request.url,
      method: state.conditionCheck.request.method,
      delayMs: state.conditionCheck.delayMs,
      retries: state.conditionCheck.retries,
      retryIntervalMs: state.conditionCheck.retryIntervalMs,
    },
    fallback: state.fallback
      ? {
          url: state.fallback.request.url,
          method: state.fallback.request.method,
          status: state.fallback.status,
          attempts: state.fallback.attempts,
          result: state.fallback.result,
        }
      : null,
    failure: state.failure,
  };
}

export function toOrchestrationSummary(run: RunSummary): OrchestrationSummaryDto {
  const memo = run.memo as Partial<OrchestrationMemo>;
  return {
    id: run.id,
    name: memo.name ?? null,
    status: run.status,
    stepCount: memo.stepCount ?? 0,
    runAt: run.runAt,
    createdAt: run.createdAt,
  };
}
