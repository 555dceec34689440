/**
 * How a task's call is dispatched ahead of its due time and held until it (README,
 * "Performance"): the activities' input and report, and the sink through which a workflow
 * hands a held call back. Plain types only: this file is bundled into workflow code.
 */
import type { Sinks } from '@temporalio/workflow';
import type { AttemptRecord, CallInput, CallRequestSpec, CallResult } from './call';
import type { CallOutput } from './references';

/** One attempt of a call, numbered by the workflow (which runs the retries). */
export interface AttemptInput<R extends CallRequestSpec = CallRequestSpec> extends CallInput<R> {
  /** 1-based number of this attempt (sent as X-Task-Attempt). */
  attempt: number;
  /** Later calls refer to this one's answer: report it as `output`, its body kept whole up to REFERENCED_BODY_LIMIT_BYTES. */
  keepOutput?: boolean;
  /**
   * Under flow control: a call that cannot go out by then (its worker was late) is not made; the
   * activity reports `late` and the call asks for another turn (see FLOW_LATE_TOLERANCE_MS).
   */
  sendBy?: string;
  /** The longest hold the workflow means: a held call whose `notBefore` is further away on the worker's clock goes at once (the clocks disagree). Absent: none. */
  maxHoldMs?: number;
}

/** Why a held call was handed back without being made. */
export type ReleaseReason =
  /** The workflow asked for it (a cancel or a modify while the call was held). */
  | 'requested'
  /** The worker holding it shuts down: another worker (or this one, back) dispatches it again. */
  | 'shutdown';

/** An attempt that was made: its record and response; whether a retry could help. */
export interface AttemptMade {
  outcome: 'attempted';
  record: AttemptRecord;
  result: CallResult | null;
  /** False when no retry can help. */
  retryable: boolean;
  /**
   * Whether the failure is one `retryOn: transient` retries, when the target knows better than its
   * status code (an SQS throttle answers 400); absent: judged by the status (isTransientFailure).
   */
  transient?: boolean;
  /** What later calls may refer to (asked for with `keepOutput`), when an answer came. */
  output?: CallOutput;
}

/** An attempt under flow control that could not go out in time (its slot passed while it waited for its worker): never made. */
export interface AttemptLate {
  outcome: 'late';
  /** How long after its slot it would have gone out. */
  lateByMs: number;
}

/** What an attempt activity reports: it never throws for a failed call, the workflow decides on retries. */
export type AttemptReport =
  | AttemptMade
  | AttemptLate
  /** A held call handed back before it was made. */
  | { outcome: 'released'; reason: ReleaseReason }
  /**
   * An earlier execution of this held call reached its call and then stopped reporting (its
   * worker died): the call may have been made, so the attempt counts, with no record.
   */
  | { outcome: 'lost' };

/** What a held call's heartbeat says: still holding, or the call has gone out. */
export interface HeldCallProgress {
  phase: 'holding' | 'calling';
}

/** The sink a workflow hands held calls back through; the worker holding the call (if it is this one) lets it go at once. */
export interface HeldCallSinks extends Sinks {
  heldCalls: {
    /** Hands back the held call of this workflow's activity `activityId`, unless it has gone out. */
    release(activityId: string): void;
  };
}
