import { makeContinueAsNewFunc, proxyActivities, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  apiTaskQueue,
  BULK_LIMITS,
  SearchAttr,
  type BulkActivities,
  type BulkJobInput,
  type BulkJobState,
  type BulkProgress,
} from '../common';

/** A job continues as new well before its history gets heavy: a page costs about 6 events. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 5_000;

/**
 * Cancels or retries every run its query matches, a page at a time. Each page is acted on by the
 * API's processes (see common/bulk.ts), and its outcome added to the job's progress, which the
 * job keeps in its memo for `GET /bulk/{id}`. A page whose activity is retried (an API process
 * died) is resumed from its heartbeat, and each action is idempotent for the job (an Update id,
 * a retry key), so each run is acted on once.
 */
export async function bulkJobWorkflow(input: BulkJobInput): Promise<BulkJobState> {
  const { actOnBulkPage } = proxyActivities<BulkActivities>({
    taskQueue: apiTaskQueue(workflowInfo().taskQueue),
    // A page is 100 runs, a few Temporal calls each: seconds. It heartbeats after each run.
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '30 seconds',
    // No attempt limit: a job waits out an API restart (or its absence) and carries on.
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  });
  const id = workflowInfo().workflowId;
  const progress: BulkProgress = input.resume?.progress ?? { done: 0, failed: 0, failures: [] };
  const state = (): BulkJobState => ({
    kind: input.kind,
    action: input.action,
    filter: input.filter,
    ownerId: input.caller.sub,
    status: 'running',
    matched: input.matched,
    createdAt: input.createdAt,
    finishedAt: null,
    ...progress,
  });

  let pageToken = input.resume?.nextPageToken ?? '';
  do {
    const page = await actOnBulkPage({
      jobId: id,
      kind: input.kind,
      action: input.action,
      caller: input.caller,
      query: input.query,
      pageToken,
    });
    progress.done += page.done;
    progress.failed += page.failed;
    const keep = BULK_LIMITS.keptFailures - progress.failures.length;
    if (keep > 0 && page.failures.length > 0) {
      progress.failures.push(...page.failures.slice(0, keep));
      upsertMemo({ failures: progress.failures });
    }
    upsertMemo({ done: progress.done, failed: progress.failed });
    pageToken = page.nextPageToken;
    if (pageToken !== '' && (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > CONTINUE_AS_NEW_AFTER_EVENTS)) {
      // The next run keeps the job's memo (its progress) and search attributes as they are now.
      const { memo, typedSearchAttributes } = workflowInfo();
      const next = makeContinueAsNewFunc<typeof bulkJobWorkflow>({ memo, typedSearchAttributes });
      await next({ ...input, resume: { nextPageToken: pageToken, progress } });
    }
  } while (pageToken !== '');

  const finished: BulkJobState = { ...state(), status: 'completed', finishedAt: new Date().toISOString() };
  upsertMemo({ status: finished.status, finishedAt: finished.finishedAt });
  upsertSearchAttributes([{ key: SearchAttr.status, value: 'completed' }]);
  return finished;
}
