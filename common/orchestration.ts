import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AttemptRecord, CallRequestSpec, CallResult, RetrySpec } from './call';
import type { RunDescriptor, RunInput, RunLifecycle, RunStatus } from './runs';

/** Defaults of the condition check's optional fields. */
export const CONDITION_CHECK_DEFAULTS = {
  delayMs: 0,
  retries: 0,
  retryIntervalMs: 1_000,
} as const;

/** Upper bounds of an orchestration, so that no input can ask for the absurd. */
export const ORCHESTRATION_LIMITS = {
  maxSteps: 20,
} as const;

/** One step: a call under its own retry policy. */
export interface OrchestrationStepSpec {
  request: CallRequestSpec;
  retry: RetrySpec;
}

/** The call that says whether a step took effect: a 2xx passes (a Lambda: no FunctionError and, if its payload has a numeric statusCode, a 2xx there). */
export interface ConditionCheckSpec {
  request: CallRequestSpec;
  /** Wait after each successful step before the first check, in ms. */
  delayMs: number;
  /** Re-checks after a failed check (so tries = retries + 1). */
  retries: number;
  /** Wait between a failed check and the next, in ms. */
  retryIntervalMs: number;
}

/** The call made when a step fails for good or its checks are exhausted. */
export interface FallbackSpec {
  request: CallRequestSpec;
  retry: RetrySpec;
}

/** What an orchestration workflow is started with; `runAt` is when the first step is due. */
export interface OrchestrationWorkflowInput extends RunInput {
  steps: OrchestrationStepSpec[];
  conditionCheck: ConditionCheckSpec;
  fallback: FallbackSpec | null;
}

export const STEP_STATUSES = ['pending', 'running', 'checking', 'passed', 'failed', 'skipped'] as const;
/** pending (not reached) → running (its call) → checking (the condition check) → passed | failed; skipped after a failure. */
export type StepStatus = (typeof STEP_STATUSES)[number];

export const FALLBACK_STATUSES = ['not_run', 'running', 'completed', 'failed'] as const;
export type FallbackStatus = (typeof FALLBACK_STATUSES)[number];

export const ORCHESTRATION_FAILURE_REASONS = ['step_failed', 'checks_exhausted'] as const;
export type OrchestrationFailureReason = (typeof ORCHESTRATION_FAILURE_REASONS)[number];

/** One step as it runs: its call's attempts and result, and every condition check try. */
export interface OrchestrationStepState extends OrchestrationStepSpec {
  /** 1-based. */
  number: number;
  status: StepStatus;
  attempts: AttemptRecord[];
  result: CallResult | null;
  /** One record per check try, numbered 1..k. */
  checkAttempts: AttemptRecord[];
  /** The last check try's response, or null. */
  checkResult: CallResult | null;
}

export interface FallbackState extends FallbackSpec {
  status: FallbackStatus;
  attempts: AttemptRecord[];
  result: CallResult | null;
}

/** Why an orchestration failed. */
export interface OrchestrationFailure {
  reason: OrchestrationFailureReason;
  /** 1-based number of the step that failed or whose checks were exhausted. */
  step: number;
  message: string;
}

/** The full, current state of an orchestration: what queries return and the workflow ends with. */
export interface OrchestrationState extends RunLifecycle {
  name: string | null;
  status: RunStatus;
  /** 1-based number of the step being worked on (the last one reached once finished); null before start. */
  currentStep: number | null;
  runAt: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  steps: OrchestrationStepState[];
  conditionCheck: ConditionCheckSpec;
  fallback: FallbackState | null;
  failure: OrchestrationFailure | null;
}

/** The state of an orchestration that has not started: the workflow's first state, and what the API answers on create. */
export function initialOrchestrationState(input: OrchestrationWorkflowInput): OrchestrationState {
  return {
    ownerId: input.ownerId,
    name: input.name,
    status: 'scheduled',
    currentStep: null,
    runAt: input.runAt,
    createdAt: input.createdAt,
    startedAt: null,
    finishedAt: null,
    steps: input.steps.map((step, i) => ({
      ...step,
      number: i + 1,
      status: 'pending',
      attempts: [],
      result: null,
      checkAttempts: [],
      checkResult: null,
    })),
    conditionCheck: input.conditionCheck,
    fallback: input.fallback ? { ...input.fallback, status: 'not_run', attempts: [], result: null } : null,
    failure: null,
  };
}

/** A new start time for an orchestration that is still scheduled. */
export interface OrchestrationModification {
  runAt: string;
}

/** What lists show of an orchestration without asking a worker. */
export interface OrchestrationMemo {
  name: string | null;
  stepCount: number;
}

/** Move the start of an orchestration while it sleeps; rejected once it is no longer scheduled. */
export const modifyOrchestrationUpdate = defineUpdate<OrchestrationState, [OrchestrationModification]>('modifyOrchestration');
/** Cancel an orchestration while it sleeps; rejected once it is no longer scheduled. */
export const cancelOrchestrationUpdate = defineUpdate<OrchestrationState, []>('cancelOrchestration');
/** The orchestration's current state. */
export const orchestrationStateQuery = defineQuery<OrchestrationState>('orchestrationState');

/** Failure type an orchestration workflow ends with when it failed (state in the details). */
export const ORCHESTRATION_FAILED_FAILURE = 'OrchestrationFailed';

/** An orchestration: steps confirmed by a condition check, with a fallback. */
export const ORCHESTRATION_RUN: RunDescriptor<
  OrchestrationWorkflowInput,
  OrchestrationState,
  OrchestrationModification,
  OrchestrationMemo
> = {
  kind: 'orchestration',
  workflowType: 'orchestrationWorkflow',
  idPrefix: 'orch-',
  stateQuery: orchestrationStateQuery,
  modifyUpdate: modifyOrchestrationUpdate,
  cancelUpdate: cancelOrchestrationUpdate,
  initialState: (input) => initialOrchestrationState(input),
  memo: (input) => ({ name: input.name, stepCount: input.steps.length }),
};
