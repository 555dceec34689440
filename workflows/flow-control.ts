import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CallActivities } from '../activities';
import { attemptLocally, sleepUntilWake } from './calls';
import {
  ACTIVITY_GRACE_MS,
  FLOW_LATE_TOLERANCE_MS,
  FLOW_MAX_ASKS,
  START_LEAD_MS,
  type AttemptInput,
  type AttemptLate,
  type AttemptMade,
  type AttemptReport,
  flowKeyOf,
  flowPermitSignal,
  flowReleaseSignal,
  type AttemptRecord,
  type CallRequestSpec,
  type FlowControlSpec,
} from '../common';

/** A call's turn under flow control: when it may go out, and how to give the turn back. */
export interface FlowTurn {
  /** Epoch ms. */
  slotAt: number;
  /** How long the call waited for its turn beyond its due time, for its attempt's record. */
  waitedMs: number;
  /**
   * Frees its place in flight (with maxInFlight; a no-op otherwise). Await it: a signal a workflow
   * sends in the task that completes it is never delivered (measured: the limiter then waited for
   * the lease to run out, 20 s, before the next call).
   */
  release(): Promise<void>;
}

const { flowAcquire } = proxyLocalActivities<CallActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 5, initialInterval: '200ms' },
});

/**
 * Where a run's calls under flow control wait for their turns: it asks the limiter of the call's
 * owner and key (see flowLimiterWorkflow) and waits for the permit it signals back. One per run.
 */
export class FlowGate {
  private readonly permits = new Map<string, number>();

  constructor(private readonly ownerId: string) {
    setHandler(flowPermitSignal, ({ requestId, slotAt }) => void this.permits.set(requestId, slotAt));
  }

  /**
   * Asks for a turn for the call `request` due at `dueAt` and waits for it, unless `interrupted`
   * turns true first (a cancel or a change of the run): then it gives the request back.
   * @param requestId unique per ask
   * @param lateByMs this call's last permit came this late: the limiter gives its permits more lead
   * @returns the turn, or null when interrupted.
   */
  async turn(
    request: CallRequestSpec,
    flow: FlowControlSpec,
    requestId: string,
    dueAt: number,
    interrupted?: () => boolean,
    lateByMs?: number,
  ): Promise<FlowTurn | null> {
    const { limiterId } = await flowAcquire({
      ownerId: this.ownerId,
      key: flowKeyOf(request, flow),
      request: {
        requestId,
        workflowId: workflowInfo().workflowId,
        dueAt,
        ...(flow.ratePerSecond !== undefined ? { ratePerSecond: flow.ratePerSecond } : {}),
        ...(flow.maxInFlight !== undefined ? { maxInFlight: flow.maxInFlight } : {}),
        leaseMs: request.timeoutMs + 2 * ACTIVITY_GRACE_MS,
        ...(lateByMs !== undefined ? { lateByMs } : {}),
      },
    });
    // Given back even from a cancelled scope (a parallel branch no longer needed), so the turn is not held for nothing.
    const giveBack = () =>
      CancellationScope.nonCancellable(() => getExternalWorkflowHandle(limiterId).signal(flowReleaseSignal, { requestId })).catch(
        () => undefined,
      );
    try {
      await condition(() => this.permits.has(requestId) || interrupted?.() === true);
    } catch (err) {
      if (isCancellation(err)) void giveBack();
      throw err;
    }
    const slotAt = this.permits.get(requestId);
    if (slotAt === undefined) {
      await giveBack();
      return null;
    }
    this.permits.delete(requestId);
    // Whole ms, as the resource documents it: a rate's slots are 1000 / ratePerSecond apart (333.33... at 3 a second).
    return {
      slotAt,
      waitedMs: Math.max(0, Math.round(slotAt - dueAt)),
      release: flow.maxInFlight !== undefined ? giveBack : () => Promise.resolve(),
    };
  }
}

/** Sends one attempt at `callAt`, not after `sendBy` (absent: whenever it can). */
export type SendInTurn = (callAt: string, sendBy: string | undefined) => Promise<AttemptReport>;

/**
 * Makes one attempt under flow control: waits for its turn, sends it at its slot (`send`) and
 * gives the turn back. A permit that reached this run too late, or an attempt its worker could not
 * send in time (`late`), asks again, first in line (it is due earliest), saying how late it was,
 * so that no call goes out closer than its turn allows; after FLOW_MAX_ASKS it goes out anyway.
 * @returns the attempt (its record's waitedMs set), a hand-back, or null when interrupted while waiting.
 */
export async function attemptInTurn(
  gate: FlowGate,
  call: { request: CallRequestSpec; flow: FlowControlSpec; requestId: string; dueAt: number },
  send: SendInTurn,
  interrupted?: () => boolean,
): Promise<Exclude<AttemptReport, AttemptLate> | null> {
  let lateByMs: number | undefined;
  // Only a rate is broken by a late call; maxInFlight alone is kept by the releases.
  const paced = call.flow.ratePerSecond !== undefined;
  for (let ask = 1; ; ask++) {
    const turn = await gate.turn(call.request, call.flow, `${call.requestId}:${ask}`, call.dueAt, interrupted, lateByMs);
    if (!turn) return null;
    const last = ask >= FLOW_MAX_ASKS || !paced;
    const permitLateBy = Date.now() - turn.slotAt;
    if (permitLateBy > FLOW_LATE_TOLERANCE_MS && !last) {
      await turn.release();
      lateByMs = permitLateBy;
      continue;
    }
    const report = await send(
      new Date(turn.slotAt).toISOString(),
      last ? undefined : new Date(turn.slotAt + FLOW_LATE_TOLERANCE_MS).toISOString(),
    );
    await turn.release();
    if (report.outcome === 'late') {
      lateByMs = report.lateByMs;
      continue;
    }
    return report.outcome === 'attempted' ? { ...report, record: withWait(report.record, turn) } : report;
  }
}

/** A retry's attempt under flow control: now, in its turn, held in a local activity until its slot. */
export async function retryInTurn(gate: FlowGate, input: AttemptInput, flow: FlowControlSpec): Promise<AttemptMade> {
  const report = await attemptInTurn(
    gate,
    { request: input.request, flow, requestId: `${input.idempotencyKey}:attempt-${input.attempt}`, dueAt: Date.now() },
    async (callAt, sendBy) => {
      await sleepUntilWake(
        () => Date.parse(callAt) - START_LEAD_MS,
        () => 0,
        () => false,
      );
      return attemptLocally({ ...input, notBefore: callAt, ...(sendBy ? { sendBy } : {}) });
    },
  );
  return report as AttemptMade;
}

/** An attempt's record with how long it waited for its turn. */
export function withWait(record: AttemptRecord, turn: FlowTurn | null): AttemptRecord {
  return turn && turn.waitedMs > 0 ? { ...record, waitedMs: turn.waitedMs } : record;
}
