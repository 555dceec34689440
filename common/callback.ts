/**
 * Callbacks: a call made once a run ends (completed or failed, and cancelled when asked), with
 * its own retries, carrying what became of the run. Plain types and pure functions only: this file
 * is bundled into workflow code.
 */
import { isLambdaRequest, isSqsRequest, type AttemptRecord, type CallRequestSpec, type CallResult, type RetrySpec } from './call';
import type { RunKind } from './runs';

export const RUN_ENDS = ['completed', 'failed', 'cancelled'] as const;
/** How a run ended, for a callback to be made on. */
export type RunEnd = (typeof RUN_ENDS)[number];

/** Default of a callback's `on`: a run that ran. */
export const DEFAULT_CALLBACK_ON: readonly RunEnd[] = ['completed', 'failed'];

/** A callback as given: its target (its body is the run's outcome), retry policy, and the ends it is made on. */
export interface CallbackSpec {
  request: CallRequestSpec;
  retry: RetrySpec;
  on: RunEnd[];
}

export const CALLBACK_STATUSES = ['waiting', 'running', 'completed', 'failed', 'skipped'] as const;
/** waiting (the run has not ended), running, completed, failed (after its retries), skipped (the run ended otherwise than `on`). */
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];

/** A callback and how it went. */
export interface CallbackState extends CallbackSpec {
  status: CallbackStatus;
  attempts: AttemptRecord[];
  result: CallResult | null;
}

/** What a callback carries: what became of the run. */
export interface CallbackBody {
  id: string;
  kind: RunKind;
  status: RunEnd;
  owner: string;
  runAt: string;
  finishedAt: string | null;
  /** How many call attempts the run made. */
  attempts: number;
  /** The run's last answer (a task's result; an orchestration's last step's), or null. */
  result: CallResult | null;
  /** Why it failed, or null. */
  error: string | null;
}

/** The callback's state before the run ends. */
export function callbackState(spec: CallbackSpec | undefined): CallbackState | undefined {
  return spec ? { ...spec, status: 'waiting', attempts: [], result: null } : undefined;
}

/** The callback's request with the run's outcome as its body (an HTTP body, a Lambda payload, an SQS message). */
export function withCallbackBody(request: CallRequestSpec, body: CallbackBody): CallRequestSpec {
  if (isLambdaRequest(request)) return { ...request, lambda: { ...request.lambda, payload: body } };
  if (isSqsRequest(request)) return { ...request, sqs: { ...request.sqs, messageBody: body } };
  return { ...request, body };
}
