import {
  CONDITION_CHECK_DEFAULTS,
  isParallelStepState,
  isWaitStepState,
  type BranchCallState,
  type ConditionCheckSpec,
  type OrchestrationCallSpec,
  type OrchestrationMemo,
  type OrchestrationModification,
  type OrchestrationPlan,
  type OrchestrationState,
  type OrchestrationStepSpec,
  type OrchestrationStepState,
  type OrchestrationWorkflowInput,
} from '../../../../common';
import { resolveRunAt, toCallView, toRequestSpec, toRetryView, toRetryingCallSpec } from '../calls/call.mapper';
import { toCallbackSpec, toRunExtras, toRunExtrasView } from '../calls/run-extras.mapper';
import { InvalidRequestError } from '../core/errors';
import type { RunSummary } from '../runs/runs.repository';
import {
  ParallelStepDto,
  WaitStepDto,
  type ConditionCheckDto,
  type CreateOrchestrationDto,
  type OrchestrationCallDto,
  type OrchestrationStepDto,
} from './dto/create-orchestration.dto';
import type { ModifyOrchestrationDto } from './dto/modify-orchestration.dto';
import type { OrchestrationResponseDto, OrchestrationStepDto as StepView, OrchestrationSummaryDto } from './dto/orchestration-response.dto';

/** Makes the secret of each wait step's resume URL. */
export type IssueResumeToken = () => string;

/** What an orchestration's workflow starts with, from `POST /orchestrations`. */
export function toOrchestrationInput(
  dto: CreateOrchestrationDto,
  owner: string,
  now: Date,
  issueToken: IssueResumeToken,
): OrchestrationWorkflowInput {
  return {
    ownerId: owner,
    name: dto.name ?? null,
    ...toPlan(dto, issueToken),
    runAt: resolveRunAt(dto.runAt, dto.initialDelayMs, now),
    createdAt: now.toISOString(),
    ...toRunExtras(dto),
  };
}

/** The plan a request gives: its steps, check and fallback, defaults filled in. */
function toPlan(
  dto: Pick<CreateOrchestrationDto, 'steps' | 'conditionCheck' | 'fallback'>,
  issueToken: IssueResumeToken,
): OrchestrationPlan {
  return {
    steps: dto.steps.map((step) => toStepSpec(step, issueToken)),
    conditionCheck: toConditionCheck(dto.conditionCheck),
    fallback: dto.fallback ? toCallSpec(dto.fallback) : null,
  };
}

function toStepSpec(step: OrchestrationStepDto, issueToken: IssueResumeToken): OrchestrationStepSpec {
  if (step instanceof WaitStepDto) {
    return { ...(step.id ? { id: step.id } : {}), waitFor: { timeoutMs: step.waitFor.timeoutMs, token: issueToken() } };
  }
  if (step instanceof ParallelStepDto) {
    return {
      parallel: step.parallel.map((branch) => branch.map(toCallSpec)),
      join: step.join ?? 'all',
      maxConcurrency: step.maxConcurrency ?? null,
    };
  }
  return toCallSpec(step);
}

function toCallSpec(dto: OrchestrationCallDto): OrchestrationCallSpec {
  return { ...(dto.id ? { id: dto.id } : {}), ...toRetryingCallSpec(dto) };
}

function toConditionCheck(check: ConditionCheckDto): ConditionCheckSpec {
  return {
    ...(check.id ? { id: check.id } : {}),
    request: toRequestSpec(check),
    delayMs: check.delayMs ?? CONDITION_CHECK_DEFAULTS.delayMs,
    retries: check.retries ?? CONDITION_CHECK_DEFAULTS.retries,
    retryIntervalMs: check.retryIntervalMs ?? CONDITION_CHECK_DEFAULTS.retryIntervalMs,
  };
}

/**
 * The modify Update's argument, from `PATCH /orchestrations/{id}`: a new start, and any part of
 * the plan given (each replaces the one the orchestration has; `fallback: null` removes it).
 * @throws InvalidRequestError when nothing is given.
 */
export function toOrchestrationModification(
  dto: ModifyOrchestrationDto,
  now: Date,
  issueToken: IssueResumeToken,
): OrchestrationModification {
  const change: OrchestrationModification = {};
  if (dto.runAt !== undefined || dto.initialDelayMs !== undefined) change.runAt = resolveRunAt(dto.runAt, dto.initialDelayMs, now);
  if (dto.name !== undefined) change.name = dto.name;
  if (dto.steps !== undefined) change.steps = dto.steps.map((step) => toStepSpec(step, issueToken));
  if (dto.conditionCheck !== undefined) change.conditionCheck = toConditionCheck(dto.conditionCheck);
  if (dto.fallback !== undefined) change.fallback = dto.fallback === null ? null : toCallSpec(dto.fallback);
  if (dto.tags !== undefined) change.tags = dto.tags;
  if (dto.callback !== undefined) change.callback = dto.callback === null ? null : toCallbackSpec(dto.callback);
  if (Object.keys(change).length === 0) {
    throw new InvalidRequestError(
      'nothing to change: give runAt or initialDelayMs, name, steps, conditionCheck, fallback, tags or callback',
    );
  }
  return change;
}

/** True when a modification changes more than the start (orchestrations created before the pending-run model take only that). */
export function changesPlan(change: OrchestrationModification): boolean {
  return Object.keys(change).some((key) => key !== 'runAt' && key !== 'dispatchLeadMs');
}

/** The plan an orchestration will run once `change` applies: what a PATCH is validated against. */
export function planAfter(state: OrchestrationState, change: OrchestrationModification): OrchestrationPlan {
  return {
    steps: change.steps ?? state.steps.map(toStepSpecOf),
    conditionCheck: change.conditionCheck ?? state.conditionCheck,
    fallback: change.fallback !== undefined ? change.fallback : state.fallback,
  };
}

/** The spec a step's state was made from. */
function toStepSpecOf(step: OrchestrationStepState): OrchestrationStepSpec {
  if (isWaitStepState(step)) return { ...(step.id ? { id: step.id } : {}), waitFor: step.waitFor };
  if (isParallelStepState(step))
    return { parallel: step.branches.map((b) => b.calls), join: step.join, maxConcurrency: step.maxConcurrency };
  return step;
}

/** How the resource links to the outside world: a wait step's resume URL, from its token. */
export interface OrchestrationLinks {
  resumeUrl(id: string, token: string): string;
}

export function toOrchestrationResponse(id: string, state: OrchestrationState, links: OrchestrationLinks): OrchestrationResponseDto {
  const waiting = state.steps.find((s) => s.status === 'waiting');
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
    steps: state.steps.map(toStepView),
    conditionCheck: {
      ...(state.conditionCheck.id ? { id: state.conditionCheck.id } : {}),
      ...toCallView(state.conditionCheck.request),
      delayMs: state.conditionCheck.delayMs,
      retries: state.conditionCheck.retries,
      retryIntervalMs: state.conditionCheck.retryIntervalMs,
    },
    fallback: state.fallback
      ? {
          ...(state.fallback.id ? { id: state.fallback.id } : {}),
          ...toCallView(state.fallback.request),
          ...toRetryView(state.fallback.retry),
          status: state.fallback.status,
          attempts: state.fallback.attempts,
          result: state.fallback.result,
        }
      : null,
    failure: state.failure,
    ...toRunExtrasView(state),
    waiting:
      waiting && isWaitStepState(waiting)
        ? { step: waiting.number, resumeUrl: links.resumeUrl(id, waiting.waitFor.token), expiresAt: waiting.expiresAt! }
        : null,
  } as OrchestrationResponseDto;
}

/** A step as the resource shows it: what kind it is, where its calls go, and how each went. */
function toStepView(step: OrchestrationStepState): StepView {
  const common = {
    number: step.number,
    status: step.status,
    attempts: step.attempts,
    result: step.result,
    checkAttempts: step.checkAttempts,
    checkResult: step.checkResult,
  };
  if (isWaitStepState(step)) {
    return {
      ...common,
      kind: 'wait',
      ...(step.id ? { id: step.id } : {}),
      waitFor: { timeoutMs: step.waitFor.timeoutMs },
      waitingSince: step.waitingSince,
      expiresAt: step.expiresAt,
      resumedAt: step.resumedAt,
    };
  }
  if (isParallelStepState(step)) {
    return {
      ...common,
      kind: 'parallel',
      join: step.join,
      maxConcurrency: step.maxConcurrency,
      branches: step.branches.map((branch) => ({
        number: branch.number,
        status: branch.status,
        calls: branch.calls.map(toBranchCallView),
      })),
    } as StepView;
  }
  return {
    ...common,
    kind: 'call',
    ...(step.id ? { id: step.id } : {}),
    ...toCallView(step.request),
    ...toRetryView(step.retry),
  } as StepView;
}

function toBranchCallView(call: BranchCallState) {
  return {
    number: call.number,
    ...(call.id ? { id: call.id } : {}),
    ...toCallView(call.request),
    ...toRetryView(call.retry),
    status: call.status,
    attempts: call.attempts,
    result: call.result,
  };
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
    tags: run.tags,
    finishedAt: run.finishedAt,
  };
}

/** The step a retry starts again from: `fromStep`, else the step that failed (1 when it was cancelled). */
export function retryStartStep(state: OrchestrationState, fromStep: number | undefined): number {
  return fromStep ?? state.failure?.step ?? 1;
}

/**
 * A new orchestration of the steps of `state` from `fromStep` on (default: the step that failed;
 * 1 when it was cancelled), with its check, fallback, tags and callback, due at `runAt`, retrying
 * `id`. Its wait steps get new resume URLs.
 * @throws InvalidRequestError for a step it does not have.
 */
export function toRetryOrchestrationInput(
  id: string,
  state: OrchestrationState,
  fromStep: number | undefined,
  runAt: string,
  now: Date,
  issueToken: IssueResumeToken,
): OrchestrationWorkflowInput {
  const from = retryStartStep(state, fromStep);
  if (from > state.steps.length)
    throw new InvalidRequestError(`fromStep must be a step of the orchestration: 1 to ${state.steps.length}`, 'fromStep');
  return {
    ownerId: state.ownerId,
    name: state.name,
    steps: state.steps.slice(from - 1).map((step) => {
      const spec = toStepSpecOf(step);
      return isWaitStepState(step)
        ? { ...(step.id ? { id: step.id } : {}), waitFor: { timeoutMs: step.waitFor.timeoutMs, token: issueToken() } }
        : spec;
    }),
    conditionCheck: state.conditionCheck,
    fallback: state.fallback
      ? { ...(state.fallback.id ? { id: state.fallback.id } : {}), request: state.fallback.request, retry: state.fallback.retry }
      : null,
    runAt,
    createdAt: now.toISOString(),
    ...(state.tags ? { tags: state.tags } : {}),
    ...(state.callback ? { callback: { request: state.callback.request, retry: state.callback.retry, on: state.callback.on } } : {}),
    retryOf: id,
  };
}
