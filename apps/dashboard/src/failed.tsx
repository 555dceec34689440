import { useState } from 'preact/hooks';
import { api, ApiError, newIdempotencyKey } from './api';
import { CallLine, ErrorNotice, RefreshNote, Time, useHeadingFocus } from './components';
import { capitalize, plural } from './format';
import { usePolling, useTitle } from './hooks';
import { ColumnHeads, NameCell, OwnerSwitch, TagFilter, useListParams } from './lists';
import { href } from './router';
import type { OrchestrationSummary, Page, TaskSummary } from './types';

/** How many of each kind the page shows (those that ended last); the lists page through all of them. */
const SHOWN = 20;

/** Failed tasks and orchestrations, the latest to end first, each with when it ended and Retry (a new run, linked once made). */
export function FailedRunsPage() {
  const { tags, owner, admin } = useListParams();
  useTitle('Failed runs');
  const heading = useHeadingFocus(['failed']);
  return (
    <>
      <div class="page-head">
        <h1 ref={heading} tabIndex={-1}>
          Failed runs
        </h1>
      </div>
      <p class="lead">
        Retry makes a new run of the same calls, due now, that names the one it retries; an orchestration's from the step you pick (by
        default the one that failed). To retry or cancel many at once, select them on the task or orchestration list.
      </p>
      <div class="list-controls">
        <TagFilter tags={tags} />
        {admin && <OwnerSwitch owner={owner} />}
      </div>
      <FailedList collection="tasks" tags={tags} owner={owner} />
      <FailedList collection="orchestrations" tags={tags} owner={owner} />
    </>
  );
}

/**
 * The runs by when they ended, the latest first; one still ending (failed, its callback still
 * running) before them. Lists come from visibility in about this order already; sorted here so
 * the page says it exactly.
 */
function latestEndedFirst<T extends { finishedAt: string | null }>(items: T[]): T[] {
  const end = (item: T) => (item.finishedAt === null ? Infinity : Date.parse(item.finishedAt));
  return [...items].sort((a, b) => end(b) - end(a) || 0);
}

/** What became of a Retry pressed on this page: the new run, or the refusal. */
type Outcome = { id: string } | { error: ApiError };

function FailedList({ collection, tags, owner }: { collection: 'tasks' | 'orchestrations'; tags: string[]; owner: string | undefined }) {
  const noun = collection === 'tasks' ? 'task' : 'orchestration';
  const title = `Failed ${collection}`;
  const list = usePolling(`failed|${collection}|${owner}|${tags.join('|')}`, () =>
    api.get<Page<TaskSummary | OrchestrationSummary>>(`/${collection}`, { status: 'failed', limit: SHOWN, owner, tag: tags }),
  );
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [fromSteps, setFromSteps] = useState<Record<string, string>>({});
  const retry = async (id: string) => {
    setBusy(id);
    const from = Number(fromSteps[id]);
    const body = collection === 'orchestrations' && fromSteps[id] ? { fromStep: from } : {};
    try {
      const created = await api.post<{ id: string }>(`/${collection}/${encodeURIComponent(id)}/retry`, body, {
        'idempotency-key': newIdempotencyKey(),
      });
      setOutcomes((all) => ({ ...all, [id]: { id: created.id } }));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setOutcomes((all) => ({ ...all, [id]: { error: err } }));
    } finally {
      setBusy(null);
    }
  };
  const items = list.data && latestEndedFirst(list.data.items);
  const headingId = `h-failed-${collection}`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <ErrorNotice error={list.error} />
      <div class="table-wrap" aria-busy={list.data === undefined || list.stale}>
        <table class={`list failed-list ${list.stale ? 'stale' : ''}`} data-collection={collection}>
          <caption class="sr-only">
            {title}, the latest to end first{tags.length > 0 ? `, tagged ${tags.join(' and ')}` : ''}
          </caption>
          <thead>
            <tr>
              <ColumnHeads
                columns={[
                  ['name', capitalize(noun)],
                  ['call', collection === 'tasks' ? 'Call' : 'Steps'],
                  ['time', 'Was due'],
                  ['time', 'Ended'],
                  ['retry', 'Retry'],
                ]}
              />
            </tr>
          </thead>
          <tbody>
            {items?.map((item) => {
              const outcome = outcomes[item.id];
              const label = item.name ?? item.id;
              return (
                <tr key={item.id}>
                  <NameCell label={capitalize(noun)} to={href.run(item.id)} item={item} />
                  <td data-label={collection === 'tasks' ? 'Call' : 'Steps'} class="col-call">
                    {'stepCount' in item ? plural(item.stepCount, 'step') : <CallLine call={item} />}
                  </td>
                  <td data-label="Was due">
                    <Time iso={item.runAt} />
                  </td>
                  <td data-label="Ended">
                    {item.finishedAt ? <Time iso={item.finishedAt} relative /> : <span class="muted">ending…</span>}
                  </td>
                  <td data-label="Retry" class="col-retry">
                    {outcome && 'id' in outcome ? (
                      <span class="retried" role="status">
                        Retried as <a href={href.run(outcome.id)}>{outcome.id}</a>
                      </span>
                    ) : (
                      <div class="retry-cell">
                        {collection === 'orchestrations' && (
                          <input
                            class="from-step"
                            inputMode="numeric"
                            placeholder="step"
                            aria-label={`From step (empty: the one that failed), ${label}`}
                            value={fromSteps[item.id] ?? ''}
                            onInput={(e) => setFromSteps({ ...fromSteps, [item.id]: e.currentTarget.value })}
                          />
                        )}
                        <button type="button" disabled={busy === item.id} aria-label={`Retry ${label}`} onClick={() => void retry(item.id)}>
                          Retry
                        </button>
                        {outcome && 'error' in outcome && <ErrorNotice error={outcome.error} action="retry" />}
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {items?.length === 0 && (
          <p class="empty">
            No failed {collection}
            {tags.length > 0 ? ` tagged ${tags.join(' and ')}` : ''}.
          </p>
        )}
      </div>
      {list.data?.nextCursor && (
        <p>
          The {SHOWN} that ended last are shown: <a href={href.list(collection, { status: 'failed', tag: tags })}>every failed {noun}</a>.
        </p>
      )}
      <RefreshNote updatedAt={list.updatedAt} live />
    </section>
  );
}
