import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AttemptRecord, CallRequestSpec, CallResult, RetrySpec } from './call';
import { callbackState, type CallbackSpec } from './callback';
import { RUN_STATUSES, type RunDescriptor, type RunExtras, type RunInput, type RunLifecycle, type RunStatus } from './runs';
import type { Tags } from './tags';
import { CHANGE_CUTOFF_MS } from './timing';

/** Defaults of the condition check's optional fields. */
export const CONDITION_CHECK_DEFAULTS = {
  delayMs: 0,
  retries: 0,
  retryIntervalMs: 1_000,
} as const;

/** Upper bounds of an orchestration, so that no input can ask for the absurd. */
export const ORCHESTRATION_LIMITS = {
  /** Top-level steps (a call, a parallel group or a wait). */
  maxSteps: 20,
  /** Calls in all: steps' calls, every branch's calls, the condition check and the fallback. */
  maxCalls: 100,
  /** Branches of one parallel group. */
  maxBranches: 20,
  /** Shortest and longest wait of a `waitFor` step. */
  minWaitMs: 1_000,
  maxWaitMs: 30 * 24 * 3_600_000,
} as const;

/** How a call is named for others to refer to it (`{{calls.<id>.body.x}}`). */
export const CALL_ID_PATTERN = '[a-z][a-z0-9_]{0,39}';

/** One call of an orchestration (a step, a branch's call, the fallback): a target under its own retry policy. */
export interface OrchestrationCallSpec {
  /** How later calls refer to its answer; unique in the orchestration. */
  id?: string;
  request: CallRequestSpec;
  retry: RetrySpec;
}

export const JOIN_MODES = ['all', 'any'] as const;
/** `all`: every branch must complete (one failure fails the group); `any`: the first branch that completes wins. */
export type JoinMode = (typeof JOIN_MODES)[number];

/** A parallel group: its branches (each a sequence of calls) run at the same time; one step for the check and the fallback. */
export interface ParallelStepSpec {
  parallel: OrchestrationCallSpec[][];
  join: JoinMode;
  /** At most this many branches run at once; null = all. */
  maxConcurrency: number | null;
}

/** A pause until the outside world resumes the orchestration (its resume URL, or its owner), or the wait times out. */
export interface WaitStepSpec {
  id?: string;
  waitFor: {
    timeoutMs: number;
    /** The secret of its resume URL (>= 128 random bits, made by the API). Never shown but in that URL, to the owner. */
    token: string;
  };
}

/** One step: a call, a parallel group, or a wait for the outside world. */
export type OrchestrationStepSpec = OrchestrationCallSpec | ParallelStepSpec | WaitStepSpec;

export function isParallelStep(step: OrchestrationStepSpec): step is ParallelStepSpec {
  return (step as Partial<ParallelStepSpec>).parallel !== undefined;
}

export function isWaitStep(step: OrchestrationStepSpec): step is WaitStepSpec {
  return (step as Partial<WaitStepSpec>).waitFor !== undefined;
}

/** The call that says whether a step took effect: a 2xx passes (a Lambda: no FunctionError and, if its payload has a numeric statusCode, a 2xx there). */
export interface ConditionCheckSpec {
  /** How later calls refer to the latest check's answer. */
  id?: string;
  request: CallRequestSpec;
  /** Wait after each successful step before the first check, in ms. */
  delayMs: number;
  /** Re-checks after a failed check (so tries = retries + 1). */
  retries: number;
  /** Wait between a failed check and the next, in ms. */
  retryIntervalMs: number;
}

/** The call made when a step fails for good, its checks are exhausted, or a wait times out. */
export type FallbackSpec = OrchestrationCallSpec;

/** The plan of an orchestration: what PATCH may replace while it is scheduled. */
export interface OrchestrationPlan {
  steps: OrchestrationStepSpec[];
  conditionCheck: ConditionCheckSpec;
  fallback: FallbackSpec | null;
}

/** What an orchestration workflow is started with; `runAt` is when the first step is due. */
export interface OrchestrationWorkflowInput extends RunInput, OrchestrationPlan {}

export const STEP_STATUSES = ['pending', 'running', 'checking', 'waiting', 'passed', 'failed', 'skipped'] as const;
/**
 * pending (not reached) → running (its calls) → checking (the condition check) → passed | failed;
 * a wait step: pending → waiting → passed | failed; skipped after a failure or a cancel.
 */
export type StepStatus = (typeof STEP_STATUSES)[number];

export const CALL_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled', 'skipped'] as const;
/** A branch, or a call in a branch: cancelled when the group no longer needed it (a call cut off mid-flight), skipped when never made. */
export type CallStatus = (typeof CALL_STATUSES)[number];

export const FALLBACK_STATUSES = ['not_run', 'running', 'completed', 'failed'] as const;
export type FallbackStatus = (typeof FALLBACK_STATUSES)[number];

export const ORCHESTRATION_FAILURE_REASONS = ['step_failed', 'checks_exhausted', 'wait_timed_out'] as const;
export type OrchestrationFailureReason = (typeof ORCHESTRATION_FAILURE_REASONS)[number];

/**
 * What every step's state carries, whatever its kind: its own call's attempts and answer (a group
 * makes no call of its own; a wait's answer is the JSON it was resumed with), and every condition
 * check try (none after a wait).
 */
interface StepStateBase {
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

/** One call step as it runs: its call's attempts and result, and every condition check try. */
export interface OrchestrationCallStepState extends OrchestrationCallSpec, StepStateBase {}

/** One call of a branch as it runs. */
export interface BranchCallState extends OrchestrationCallSpec {
  /** 1-based, in its branch. */
  number: number;
  status: CallStatus;
  attempts: AttemptRecord[];
  result: CallResult | null;
}

export interface BranchState {
  /** 1-based, in its group. */
  number: number;
  status: CallStatus;
  calls: BranchCallState[];
}

/** A parallel group as it runs. */
export interface ParallelStepState extends StepStateBase {
  join: JoinMode;
  maxConcurrency: number | null;
  branches: BranchState[];
}

/** A wait step as it runs; once resumed, its `result` is `{ statusCode: 200, body: <the JSON it was resumed with> }`. */
export interface WaitStepState extends WaitStepSpec, StepStateBase {
  /** When it started waiting, and when it times out. */
  waitingSince: string | null;
  expiresAt: string | null;
  resumedAt: string | null;
}

export type OrchestrationStepState = OrchestrationCallStepState | ParallelStepState | WaitStepState;

export function isParallelStepState(step: OrchestrationStepState): step is ParallelStepState {
  return (step as Partial<ParallelStepState>).branches !== undefined;
}

export function isWaitStepState(step: OrchestrationStepState): step is WaitStepState {
  return (step as Partial<WaitStepState>).waitFor !== undefined;
}

export interface FallbackState extends FallbackSpec {
  status: FallbackStatus;
  attempts: AttemptRecord[];
  result: CallResult | null;
}

/** Why an orchestration failed. */
export interface OrchestrationFailure {
  reason: OrchestrationFailureReason;
  /** 1-based number of the step that failed, whose checks were exhausted, or whose wait timed out. */
  step: number;
  message: string;
}

/** The full, current state of an orchestration: what queries return and the workflow ends with. */
export interface OrchestrationState extends RunLifecycle, RunExtras {
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
  /** How it was started (orchestrations v2 only): the API plans a run's wake from it, as for tasks. */
  dispatchLeadMs?: number;
}

/** The state of a step that has not started. */
export function initialStepState(step: OrchestrationStepSpec, i: number): OrchestrationStepState {
  const number = i + 1;
  if (isWaitStep(step)) {
    return { ...step, ...noCalls(), number, status: 'pending', waitingSince: null, expiresAt: null, resumedAt: null };
  }
  if (isParallelStep(step)) {
    return {
      ...noCalls(),
      number,
      status: 'pending',
      join: step.join,
      maxConcurrency: step.maxConcurrency,
      branches: step.parallel.map((calls, b) => ({
        number: b + 1,
        status: 'pending',
        calls: calls.map((call, c) => ({ ...call, number: c + 1, status: 'pending', attempts: [], result: null })),
      })),
    };
  }
  return { ...step, ...noCalls(), number, status: 'pending' };
}

/** A step's records before anything ran. */
function noCalls(): Pick<StepStateBase, 'attempts' | 'result' | 'checkAttempts' | 'checkResult'> {
  return { attempts: [], result: null, checkAttempts: [], checkResult: null };
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
    steps: input.steps.map(initialStepState),
    conditionCheck: input.conditionCheck,
    fallback: input.fallback ? { ...input.fallback, status: 'not_run', attempts: [], result: null } : null,
    failure: null,
    ...(input.dispatchLeadMs !== undefined ? { dispatchLeadMs: input.dispatchLeadMs } : {}),
    ...(input.tags ? { tags: input.tags } : {}),
    ...(input.callback ? { callback: callbackState(input.callback) } : {}),
    ...(input.retryOf ? { retryOf: input.retryOf } : {}),
  };
}

/**
 * A change to an orchestration that is still scheduled: a new start, and any part of its plan
 * (each replaces the one it has). Orchestrations started before `orchestration-v2` take only `runAt`.
 */
export interface OrchestrationModification extends Partial<OrchestrationPlan> {
  runAt?: string;
  name?: string | null;
  /** Replaces its tags (`{}` removes them). */
  tags?: Tags;
  /** Replaces its callback (null removes it). */
  callback?: CallbackSpec | null;
  /** The dispatch lead the API planned for a new `runAt`. */
  dispatchLeadMs?: number;
}

/** Resumes an orchestration waiting in a `waitFor` step: through its resume URL (`token`), or by its owner (no token). */
export interface OrchestrationResume {
  token?: string;
  /** The JSON the step completes with. */
  body: unknown;
}

/** What lists show of an orchestration without asking a worker. */
export interface OrchestrationMemo {
  name: string | null;
  stepCount: number;
  /** 2 for orchestrations on the pending-run model (orchestration-v2): their whole plan can be changed while scheduled. */
  model?: number;
}

/** The model of orchestrations whose plan PATCH may replace (see OrchestrationMemo.model). */
export const ORCHESTRATION_MODEL = 2;

/** Move or change an orchestration while it sleeps; rejected once it is no longer scheduled. */
export const modifyOrchestrationUpdate = defineUpdate<OrchestrationState, [OrchestrationModification]>('modifyOrchestration');
/** Cancel an orchestration while it sleeps; rejected once it is no longer scheduled. */
export const cancelOrchestrationUpdate = defineUpdate<OrchestrationState, []>('cancelOrchestration');
/** Resume an orchestration waiting in a `waitFor` step; rejected unless it waits (and, with a token, unless it is the step's). */
export const resumeOrchestrationUpdate = defineUpdate<OrchestrationState, [OrchestrationResume]>('resumeOrchestration');
/** The orchestration's current state. */
export const orchestrationStateQuery = defineQuery<OrchestrationState>('orchestrationState');

/** Failure type an orchestration workflow ends with when it failed (state in the details). */
export const ORCHESTRATION_FAILED_FAILURE = 'OrchestrationFailed';
/** Failure type of a resume whose token is not the waiting step's (the API answers 404, as for an unknown URL). */
export const WRONG_RESUME_TOKEN_FAILURE = 'WrongResumeToken';

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
  statuses: RUN_STATUSES,
  stateQuery: orchestrationStateQuery,
  modifyUpdate: modifyOrchestrationUpdate,
  cancelUpdate: cancelOrchestrationUpdate,
  initialState: (input) => initialOrchestrationState(input),
  memo: (input) => ({ name: input.name, stepCount: input.steps.length, model: ORCHESTRATION_MODEL }),
  // Its calls are local activities too: an Update reaching it while one runs must not be sent (see CHANGE_CUTOFF_MS).
  changeCutoffMs: CHANGE_CUTOFF_MS,
};
