/**
 * The floor: the least a Temporal workflow can do to call a URL at a time, with none of the
 * product (no API, no state, no search attributes, no signing). The bench starts it straight
 * from a client with the same start delay as the product's tasks, so the product's own
 * overhead over Temporal's stays a number.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

const regular = proxyActivities<FloorActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 3 } });
const local = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 3 } });

/** Calls `url` at `dueAt` (ms since the epoch) from one activity, regular or local. */
export async function floorWorkflow(url: string, dueAt: number, mode: 'regular' | 'local'): Promise<void> {
  await (mode === 'local' ? local : regular).callAt(url, dueAt);
}
