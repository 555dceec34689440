/**
 * Flow control: the calls of one owner with the same key go out at most `ratePerSecond` a second
 * and at most `maxInFlight` at once, across every worker. One limiter workflow per owner and key
 * hands out turns (a slot time for each call) in due-time order; a call over the limit waits its
 * turn, never dropped. Plain types and pure functions only: this file is bundled into workflow code.
 */
import { defineSignal } from '@temporalio/workflow';
import { isLambdaRequest, isSqsRequest, type CallRequestSpec, type FlowControlSpec } from './call';
import { sqsQueueArn } from './sqs';

/** A call asking for its turn. */
export interface FlowRequest {
  /** Unique per attempt: `<workflowId>:<call>:<attempt>`. */
  requestId: string;
  /** The workflow that waits for the turn (it is signalled the permit). */
  workflowId: string;
  /** When the call is due (epoch ms): turns go in this order. */
  dueAt: number;
  ratePerSecond?: number;
  maxInFlight?: number;
  /** How long a turn counts as in flight unless released sooner (a caller that died frees it then). */
  leaseMs: number;
  /** Asked again because the last permit reached the caller this long after its slot: the limiter gives its permits more lead. */
  lateByMs?: number;
}

/** A turn: the call may go out at `slotAt` (epoch ms). */
export interface FlowPermit {
  requestId: string;
  slotAt: number;
}

/** A turn that was used, or no longer wanted (a cancelled call): frees its place in flight, or in the queue. */
export interface FlowRelease {
  requestId: string;
}

/** What a limiter carries from one run to the next (continue-as-new). */
export interface FlowLimiterInput {
  ownerId: string;
  key: string;
  queue?: Array<FlowRequest & { seq: number }>;
  inFlight?: Array<[string, number]>;
  nextSlotAt?: number;
  seq?: number;
  limits?: { ratePerSecond?: number; maxInFlight?: number };
  permitLeadMs?: number;
}

export const flowAcquireSignal = defineSignal<[FlowRequest]>('flowAcquire');
export const flowReleaseSignal = defineSignal<[FlowRelease]>('flowRelease');
export const flowPermitSignal = defineSignal<[FlowPermit]>('flowPermit');

/** Workflow type of the limiter (one per owner and key). */
export const FLOW_LIMITER_WORKFLOW = 'flowLimiterWorkflow';
/** The `TaskKind` of a limiter: lists of runs never show it; Temporal's UI finds it by this. */
export const FLOW_LIMITER_KIND = 'limiter';

/**
 * Turns are handed out at most this far ahead of their slot: the permit reaches its caller before
 * the slot, and a call due earlier that asks within this window still goes first.
 */
export const FLOW_GRANT_HORIZON_MS = 3_000;

/**
 * A turn is never given for sooner than this from the limiter's now: its permit has to reach its
 * caller first (a permit that arrives after its slot sends the call at once, closer to the one
 * before). Measured on a loaded 2-core machine: permits reached their callers up to 0.85 s after
 * they were sent, and with 250 ms seven calls of a 10/s limit went out within 80 ms.
 */
export const FLOW_PERMIT_LEAD_MS = 1_000;

/**
 * A permit that reaches its caller more than this after its slot is not used: the call asks again
 * (first in line, since it is due earliest) saying how late it was, and the limiter gives later
 * permits that much more lead. So a slow system makes calls wait longer, never go out bunched.
 */
export const FLOW_LATE_TOLERANCE_MS = 50;
/** The most lead the limiter learns to give its permits. */
export const FLOW_MAX_PERMIT_LEAD_MS = 10_000;
/** Times a call asks again after late permits before it goes out late anyway (the system is that slow). */
export const FLOW_MAX_ASKS = 4;

/**
 * Slots are spaced 2 % wider than 1 / ratePerSecond, so that the few ms by which a call may go out
 * after its slot cannot put one call too many in any second.
 */
export const FLOW_SPACING_MARGIN = 1.02;

/**
 * The lowest `ratePerSecond`: one call every 10,000 s (2 h 47 min), a timer Temporal takes. Any rate
 * above 0 was taken before, and a rate as small as 2e-311 (what a fuzzer sends) made the spacing
 * Infinity: the limiter's workflow task then failed on every attempt, and every call of its key waited.
 */
export const FLOW_MIN_RATE_PER_SECOND = 0.0001;

/** A limiter with nothing queued or in flight for this long ends (the next call starts it again). */
export const FLOW_LIMITER_IDLE_MS = 60_000;

/** The key calls share their limits under: the one given, else the destination's origin, the function, or the queue. */
export function flowKeyOf(request: CallRequestSpec, flow: FlowControlSpec): string {
  if (flow.key) return flow.key;
  if (isLambdaRequest(request)) return request.lambda.function;
  if (isSqsRequest(request)) return sqsQueueArn(request.sqs.queueUrl) ?? request.sqs.queueUrl;
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(request.url);
  return match ? match[1].toLowerCase() : request.url;
}

/** Time between two slots at `ratePerSecond` (see FLOW_SPACING_MARGIN). */
export function slotSpacingMs(ratePerSecond: number): number {
  return (1_000 / ratePerSecond) * FLOW_SPACING_MARGIN;
}
