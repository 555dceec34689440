import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  metricMeter,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  FLOW_GRANT_HORIZON_MS,
  FLOW_LIMITER_IDLE_MS,
  FLOW_MAX_PERMIT_LEAD_MS,
  FLOW_PERMIT_LEAD_MS,
  flowAcquireSignal,
  flowPermitSignal,
  flowReleaseSignal,
  slotSpacingMs,
  type FlowLimiterInput,
  type FlowRequest,
} from '../common';

/** Past this many events, the limiter goes on in a new run (continue-as-new), carrying its queue. */
const HISTORY_LIMIT = 10_000;

/**
 * The turns of one owner's calls with one flow-control key, across every worker: a queue in
 * due-time order from which each call is given a slot, at most `ratePerSecond` slots a second
 * (spaced evenly) and at most `maxInFlight` calls between their slot and their release. A call
 * asks with `flowAcquire` (started on first use by signal-with-start), is told its slot with
 * `flowPermit`, and gives its turn back with `flowRelease`. The limits are the latest asked for.
 * Turns are granted at most FLOW_GRANT_HORIZON_MS before their slot. Idle for a minute, it ends.
 */
export async function flowLimiterWorkflow(input: FlowLimiterInput): Promise<void> {
  const waitingGauge = metricMeter.createGauge(
    'scheduler_flow_waiting',
    'int',
    '1',
    'Calls waiting their turn under flow control, by owner and key.',
  );
  const tag = { key: `${input.ownerId}/${input.key}` };
  const queue: Array<FlowRequest & { seq: number }> = input.queue ?? [];
  const inFlight = new Map<string, number>(input.inFlight ?? []);
  let nextSlotAt = input.nextSlotAt ?? 0;
  let seq = input.seq ?? 0;
  let limits = input.limits ?? {};
  // Learned from calls whose permits came late (see FLOW_LATE_TOLERANCE_MS), and eased back as time passes.
  let permitLeadMs = input.permitLeadMs ?? FLOW_PERMIT_LEAD_MS;
  let leadSetAt = Date.now();
  let changed = false;
  const signalling = new Set<Promise<void>>();

  setHandler(flowAcquireSignal, (request) => {
    limits = { ratePerSecond: request.ratePerSecond, maxInFlight: request.maxInFlight };
    if (request.lateByMs !== undefined) {
      // Enough lead for a permit as late as this one, with half of it again to spare.
      permitLeadMs = Math.min(FLOW_MAX_PERMIT_LEAD_MS, Math.max(permitLeadMs, FLOW_PERMIT_LEAD_MS + 1.5 * request.lateByMs));
      leadSetAt = Date.now();
    }
    if (queue.some((q) => q.requestId === request.requestId) || inFlight.has(request.requestId)) return;
    const entry = { ...request, seq: seq++ };
    // In due-time order; among calls due at the same time, in the order they asked.
    const at = queue.findIndex((q) => q.dueAt > entry.dueAt);
    queue.splice(at < 0 ? queue.length : at, 0, entry);
    changed = true;
  });
  setHandler(flowReleaseSignal, ({ requestId }) => {
    const i = queue.findIndex((q) => q.requestId === requestId);
    if (i >= 0) queue.splice(i, 1);
    inFlight.delete(requestId);
    changed = true;
  });

  /** Gives every call that may have its turn now its slot. @returns when to look again (epoch ms), or null when only a signal can help. */
  const grant = (): number | null => {
    const now = Date.now();
    // Halve the learned extra lead every minute without late permits.
    const eased = FLOW_PERMIT_LEAD_MS + (permitLeadMs - FLOW_PERMIT_LEAD_MS) * Math.pow(0.5, (now - leadSetAt) / 60_000);
    for (const [id, until] of inFlight) if (until <= now) inFlight.delete(id);
    while (queue.length > 0) {
      if (limits.maxInFlight !== undefined && inFlight.size >= limits.maxInFlight) break;
      const head = queue[0];
      // Only a rate needs the lead (its spacing must hold at the target); maxInFlight alone goes at once.
      const paced = limits.ratePerSecond !== undefined;
      const slot = Math.max(head.dueAt, now + (paced ? eased : 0), paced ? nextSlotAt : 0);
      const horizon = Math.max(FLOW_GRANT_HORIZON_MS, eased + FLOW_PERMIT_LEAD_MS);
      if (slot > now + horizon) return slot - horizon;
      queue.shift();
      if (limits.ratePerSecond !== undefined) nextSlotAt = slot + slotSpacingMs(limits.ratePerSecond);
      if (limits.maxInFlight !== undefined) inFlight.set(head.requestId, slot + head.leaseMs);
      const sent = getExternalWorkflowHandle(head.workflowId)
        .signal(flowPermitSignal, { requestId: head.requestId, slotAt: slot })
        // Its caller is gone (finished, terminated): its turn is free again.
        .catch(() => {
          inFlight.delete(head.requestId);
          changed = true;
        })
        .finally(() => signalling.delete(sent));
      signalling.add(sent);
    }
    // A full house waits for a release, or for the first lease to run out.
    const leases = [...inFlight.values()];
    return queue.length > 0 && leases.length > 0 ? Math.min(...leases) : null;
  };

  let idleSince = Date.now();
  for (;;) {
    const lookAgainAt = grant();
    waitingGauge.set(queue.length, tag);
    if (queue.length > 0 || inFlight.size > 0) idleSince = Date.now();
    else if (Date.now() - idleSince >= FLOW_LIMITER_IDLE_MS && signalling.size === 0 && allHandlersFinished()) return;
    if (workflowInfo().historyLength > HISTORY_LIMIT || workflowInfo().continueAsNewSuggested) {
      await Promise.all(signalling);
      await condition(allHandlersFinished);
      await continueAsNew<typeof flowLimiterWorkflow>({
        ...input,
        queue,
        inFlight: [...inFlight],
        nextSlotAt,
        seq,
        limits,
        permitLeadMs,
      });
    }
    const idleAt = queue.length === 0 && inFlight.size === 0 ? idleSince + FLOW_LIMITER_IDLE_MS : null;
    const wakes = [lookAgainAt, idleAt].filter((t): t is number => t !== null);
    changed = false;
    if (wakes.length === 0) await condition(() => changed);
    else await condition(() => changed, Math.max(1, Math.min(...wakes) - Date.now()));
  }
}
