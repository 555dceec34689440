import { workflowInfo } from '@temporalio/workflow';
import { withCallbackBody, type CallbackBody, type RunEnd, type RunExtras, type RunLifecycle } from '../common';
import { attemptHeld, retryUntilDone } from './calls';

/**
 * Makes the run's callback, if it has one for how the run ended: its request with the run's
 * outcome as body, signed like every call, under its own retry policy, each attempt a held
 * regular activity (recorded as it reports). Records how it went on the state.
 */
export async function sendCallback(
  state: RunLifecycle & RunExtras,
  outcome: Omit<CallbackBody, 'id' | 'status' | 'owner' | 'runAt' | 'finishedAt'>,
): Promise<void> {
  const callback = state.callback;
  if (!callback) return;
  const status = state.status as RunEnd;
  if (!callback.on.includes(status)) {
    callback.status = 'skipped';
    return;
  }
  callback.status = 'running';
  const id = workflowInfo().workflowId;
  const body: CallbackBody = { id, status, owner: state.ownerId, runAt: state.runAt, finishedAt: state.finishedAt, ...outcome };
  const request = withCallbackBody(callback.request, body);
  const attempt = async (n: number) => {
    const report = await attemptHeld(
      { request, idempotencyKey: `${id}:callback`, taskId: id, ownerId: state.ownerId, attempt: n },
      new Date().toISOString(),
      `callback:${n}`,
    );
    // Nothing hands a callback back: a released report cannot come; count it as lost if it did.
    return report.outcome === 'attempted' || report.outcome === 'lost' ? report : { outcome: 'lost' as const };
  };
  const error = await retryUntilDone(callback, callback.retry, await attempt(1), attempt);
  callback.status = error === null ? 'completed' : 'failed';
}
