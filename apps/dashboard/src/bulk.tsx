import { useEffect } from 'preact/hooks';
import { api, newIdempotencyKey } from './api';
import { ErrorNotice, StatusBadge } from './components';
import { capitalize, plural } from './format';
import { usePolling } from './hooks';
import { href } from './router';
import type { BulkJob, RunStatus } from './types';

/** How often a running bulk job is read: a progress bar should move more often than a list refreshes. */
export const BULK_POLL_MS = 1000;

/** What a bulk job acts on, by action: the status its runs must have (the API's filter.status). */
export const BULK_ELIGIBLE: Record<BulkJob['action'], readonly RunStatus[]> = {
  cancel: ['scheduled'],
  retry: ['failed', 'cancelled'],
};

/**
 * Starts the bulk jobs that act on `ids` (each run's status as the list showed it): one job per
 * status the action takes, each with its own Idempotency-Key. Runs in no such status are left out.
 * @throws ApiError when the API refuses one (the jobs started before it stay started).
 */
export async function startBulkJobs(
  collection: 'tasks' | 'orchestrations',
  action: BulkJob['action'],
  ids: ReadonlyMap<string, RunStatus>,
): Promise<BulkJob[]> {
  const jobs: BulkJob[] = [];
  for (const status of BULK_ELIGIBLE[action]) {
    const chosen = [...ids].filter(([, s]) => s === status).map(([id]) => id);
    if (chosen.length === 0) continue;
    const body = { action, filter: { ids: chosen, status } };
    jobs.push(await api.post<BulkJob>(`/${collection}/bulk`, body, { 'idempotency-key': newIdempotencyKey() }));
  }
  return jobs;
}

/**
 * A bulk job's progress, read every second until it is no longer running: a bar of the runs
 * handled (done, failed or skipped) out of those matched, the counts, and the refusals with the
 * single-run call's answer.
 */
export function BulkProgress(props: { job: BulkJob; onFinished: () => void; onDismiss: () => void }) {
  const polled = usePolling(
    `bulk|${props.job.id}`,
    () => api.get<BulkJob>(`/bulk/${encodeURIComponent(props.job.id)}`),
    true,
    BULK_POLL_MS,
  );
  const job = polled.data ?? props.job;
  const running = job.status === 'running';
  useEffect(() => {
    if (!running) props.onFinished();
  }, [running]);
  const noun = job.kind === 'task' ? 'task' : 'orchestration';
  const handled = job.done + job.failed + job.skipped;
  const what = `${capitalize(job.action)} ${plural(job.matched, noun)}`;
  return (
    <section class="bulk-job" aria-label={`Bulk job: ${what}`} data-job={job.id}>
      <div class="bulk-head">
        <strong>{what}</strong> <StatusBadge status={job.status} />
        {!running && (
          <button type="button" class="link" onClick={props.onDismiss}>
            Dismiss
          </button>
        )}
      </div>
      <progress max={Math.max(job.matched, 1)} value={job.matched === 0 && !running ? 1 : handled} aria-label={`${what}: progress`} />
      <p class="bulk-counts" role="status">
        done {job.done} · failed {job.failed} · skipped {job.skipped} · of {job.matched} matched
      </p>
      {!running && job.matched === 0 && (
        <p class="muted">None of them could still be {job.action === 'cancel' ? 'cancelled' : 'retried'}.</p>
      )}
      {!running && job.skipped > 0 && <p class="muted">Skipped: they had changed before the job reached them.</p>}
      {job.failures.length > 0 && (
        <ul class="bulk-failures" aria-label="Refused">
          {job.failures.map((f) => (
            <li key={f.id}>
              <a href={href.run(f.id)}>{f.id}</a>: {f.statusCode} {f.message}
            </li>
          ))}
        </ul>
      )}
      {!running && job.action === 'retry' && job.done > 0 && (
        <p class="muted">Each retry is a new {noun}, in the list now, that names the one it retries.</p>
      )}
      <ErrorNotice error={polled.error} />
    </section>
  );
}
