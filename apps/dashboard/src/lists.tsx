import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { CallLine, ErrorNotice, Notice, RefreshNote, StatusBadge, Time, useFlash, useHeadingFocus } from './components';
import { capitalize, plural } from './format';
import { usePolling, useTitle } from './hooks';
import { href, setQuery, useLocation } from './router';
import { useSession } from './session';
import { RUN_STATUSES, type Counts, type OrchestrationSummary, type Page, type ScheduleSummary, type TaskSummary } from './types';
import { scheduleInWords } from './words';

const PAGE_SIZES = [10, 20, 50, 100];

/**
 * The list parameters every list page reads from its address: page size and, for admins, whose
 * (`owner=all`, or one user's sub). Anyone else's lists are their own, whatever the address says.
 */
function useListParams() {
  const { query } = useLocation();
  const { me } = useSession();
  // Any page size the API takes may come in the address; the menu offers the usual ones.
  const asked = Number(query.get('limit'));
  const limit = Number.isInteger(asked) && asked >= 1 && asked <= 100 ? asked : 20;
  const admin = me?.admin === true;
  const owner = admin ? (query.get('owner') ?? undefined) : undefined;
  return { query, limit, owner, allUsers: owner !== undefined, admin };
}

/**
 * Paging by the API's cursors: a stack of the cursors of the pages seen, so "newer" goes back.
 * Starts over when `filter` changes.
 */
function useCursors(filter: string) {
  const [pager, setPager] = useState<{ filter: string; cursors: Array<string | null> }>({ filter, cursors: [null] });
  const cursors = pager.filter === filter ? pager.cursors : [null];
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    older: (next: string) => setPager({ filter, cursors: [...cursors, next] }),
    newer: () => setPager({ filter, cursors: cursors.slice(0, -1) }),
  };
}

/** Controls under a list: page size, and newer/older pages. */
function Pager(props: {
  page: number;
  nextCursor: string | null | undefined;
  older: (c: string) => void;
  newer: () => void;
  limit: number;
}) {
  return (
    <div class="pager">
      <label>
        Per page{' '}
        <select value={String(props.limit)} onChange={(e) => setQuery({ limit: (e.target as HTMLSelectElement).value })}>
          {[...new Set([...PAGE_SIZES, props.limit])]
            .sort((a, b) => a - b)
            .map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
        </select>
      </label>
      <span class="muted" aria-live="polite">
        Page {props.page}
      </span>
      <button type="button" disabled={props.page === 1} onClick={props.newer}>
        ← Newer
      </button>
      <button type="button" disabled={!props.nextCursor} onClick={() => props.nextCursor && props.older(props.nextCursor)}>
        Older →
      </button>
    </div>
  );
}

/** The admin's switch between their own resources and every user's, or one user's. */
function OwnerSwitch({ owner }: { owner: string | undefined }) {
  const [user, setUser] = useState(owner === 'all' ? '' : (owner ?? ''));
  return (
    <div class="owner-switch">
      <label class="switch">
        <input
          type="checkbox"
          checked={owner !== undefined}
          onChange={(e) => setQuery({ owner: e.currentTarget.checked ? 'all' : undefined })}
        />{' '}
        All users
      </label>
      {owner !== undefined && (
        <form
          class="user-filter"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery({ owner: user.trim() || 'all' });
          }}
        >
          <label for="owner-filter">Only the user</label>
          <input id="owner-filter" value={user} spellcheck={false} placeholder="sub" onInput={(e) => setUser(e.currentTarget.value)} />
          <button type="submit">Show</button>
        </form>
      )}
    </div>
  );
}

/**
 * Status filters as links (the address says which one is shown), each with its count. Count
 * changes after the first are announced.
 */
function StatusTabs(props: { collection: 'tasks' | 'orchestrations'; status: string; counts: Counts | undefined; query: URLSearchParams }) {
  const announced = useRef<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const summary = props.counts ? RUN_STATUSES.map((s) => `${props.counts?.[s]} ${s}`).join(', ') : null;
  useEffect(() => {
    if (summary === null) return;
    if (announced.current !== null && announced.current !== summary) setAnnouncement(`${capitalize(props.collection)}: ${summary}`);
    announced.current = summary;
  }, [summary, props.collection]);
  const tabs = ['all', ...RUN_STATUSES] as const;
  return (
    <nav aria-label={`${capitalize(props.collection)} by status`}>
      <ul class="tabs">
        {tabs.map((s) => {
          const query = Object.fromEntries(props.query);
          const to = href.list(props.collection, { ...query, status: s === 'all' ? undefined : s });
          return (
            <li key={s}>
              <a href={to} aria-current={props.status === s ? 'page' : undefined} data-status={s}>
                {capitalize(s)} <span class="count">{props.counts ? props.counts[s] : '–'}</span>
              </a>
            </li>
          );
        })}
      </ul>
      <p class="sr-only" role="status">
        {announcement}
      </p>
    </nav>
  );
}

/** Tasks or orchestrations: status tabs with counts, the newest first, paged, refreshed. */
export function RunListPage({ collection }: { collection: 'tasks' | 'orchestrations' }) {
  const { query, limit, allUsers, owner, admin } = useListParams();
  const requested = query.get('status');
  const status = (RUN_STATUSES as readonly string[]).includes(requested ?? '') ? (requested as string) : 'all';
  const scheduleId = collection === 'tasks' ? (query.get('scheduleId') ?? undefined) : undefined;
  const filter = JSON.stringify([collection, status, owner, scheduleId, limit]);
  const { cursor, page, older, newer } = useCursors(filter);
  const title = collection === 'tasks' ? 'Tasks' : 'Orchestrations';
  useTitle(title);
  const heading = useHeadingFocus([collection]);
  const flash = useFlash();

  const list = usePolling(`${filter}|${cursor}`, () =>
    api.get<Page<TaskSummary | OrchestrationSummary>>(`/${collection}`, { status, limit, cursor, owner, scheduleId }),
  );
  // Counts are per owner, not per schedule: with a schedule's runs shown, the tabs go without.
  const counts = usePolling(`${collection}|${owner}|${scheduleId}`, () =>
    scheduleId ? Promise.resolve(undefined) : api.get<Counts>(`/${collection}/counts`, { owner }),
  );
  const items = list.data?.items;
  const noun = collection === 'tasks' ? 'task' : 'orchestration';

  return (
    <>
      <div class="page-head">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <a class="button primary" href={`/ui/${collection}/new`}>
          New {noun}
        </a>
      </div>
      {flash && <Notice>{flash}</Notice>}
      {scheduleId && (
        <p class="filter">
          Runs of schedule <a href={href.schedule(scheduleId)}>{scheduleId}</a> ·{' '}
          <a href={href.list('tasks', { ...Object.fromEntries(query), scheduleId: undefined })}>show all tasks</a>
        </p>
      )}
      <div class="list-controls">
        <StatusTabs collection={collection} status={status} counts={counts.data} query={query} />
        {admin && <OwnerSwitch owner={owner} />}
      </div>
      <ErrorNotice error={list.error} />
      <div class="table-wrap" aria-busy={list.data === undefined || list.stale}>
        <table class={`list ${list.stale ? 'stale' : ''}`}>
          <caption class="sr-only">
            {title}, {status === 'all' ? 'every status' : status}, newest first{whose(owner)}
          </caption>
          <thead>
            <tr>
              <th scope="col" class="col-name">
                {capitalize(noun)}
              </th>
              <th scope="col" class="col-status">
                Status
              </th>
              <th scope="col" class="col-call">
                {collection === 'tasks' ? 'Call' : 'Steps'}
              </th>
              <th scope="col" class="col-time">
                Due
              </th>
              <th scope="col" class="col-time">
                Created
              </th>
              {allUsers && (
                <th scope="col" class="col-owner">
                  Owner
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {items?.map((item) => (
              <tr key={item.id}>
                <td data-label={capitalize(noun)} class="col-name">
                  <div>
                    <a href={collection === 'tasks' ? href.task(item.id) : href.orchestration(item.id)}>{item.name ?? item.id}</a>
                    {item.name && <div class="id muted">{item.id}</div>}
                  </div>
                </td>
                <td data-label="Status">
                  <StatusBadge status={item.status} />
                </td>
                <td data-label={collection === 'tasks' ? 'Call' : 'Steps'} class="col-call">
                  {'stepCount' in item ? plural(item.stepCount, 'step') : <CallLine call={item} />}
                </td>
                <td data-label="Due">
                  <Time iso={item.runAt} relative />
                </td>
                <td data-label="Created">
                  <Time iso={item.createdAt} />
                </td>
                {allUsers && <td data-label="Owner">{item.owner}</td>}
              </tr>
            ))}
          </tbody>
        </table>
        {items?.length === 0 && (
          <p class="empty">
            No {status === 'all' ? '' : `${status} `}
            {collection} {page > 1 ? 'on this page' : 'yet'}. <a href={`/ui/${collection}/new`}>Create one</a>.
          </p>
        )}
      </div>
      <Pager page={page} nextCursor={list.data?.nextCursor} older={older} newer={newer} limit={limit} />
      <RefreshNote updatedAt={list.updatedAt} live />
    </>
  );
}

/** Schedules: their timing in words and next run, paged, refreshed. */
export function ScheduleListPage() {
  const { limit, allUsers, owner, admin } = useListParams();
  const filter = JSON.stringify([owner, limit]);
  const { cursor, page, older, newer } = useCursors(filter);
  useTitle('Schedules');
  const heading = useHeadingFocus(['schedules']);
  const flash = useFlash();
  const list = usePolling(`${filter}|${cursor}`, () => api.get<Page<ScheduleSummary>>('/schedules', { limit, cursor, owner }));
  const items = list.data?.items;
  return (
    <>
      <div class="page-head">
        <h1 ref={heading} tabIndex={-1}>
          Schedules
        </h1>
        <a class="button primary" href="/ui/schedules/new">
          New schedule
        </a>
      </div>
      {flash && <Notice>{flash}</Notice>}
      <div class="list-controls">{admin && <OwnerSwitch owner={owner} />}</div>
      <ErrorNotice error={list.error} />
      <div class="table-wrap" aria-busy={list.data === undefined || list.stale}>
        <table class={`list ${list.stale ? 'stale' : ''}`}>
          <caption class="sr-only">Schedules{whose(owner)}</caption>
          <thead>
            <tr>
              <th scope="col" class="col-name">
                Schedule
              </th>
              <th scope="col" class="col-status">
                State
              </th>
              <th scope="col" class="col-call">
                When
              </th>
              <th scope="col" class="col-time">
                Next run
              </th>
              {allUsers && (
                <th scope="col" class="col-owner">
                  Owner
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {items?.map((s) => (
              <tr key={s.id}>
                <td data-label="Schedule" class="col-name">
                  <div>
                    <a href={href.schedule(s.id)}>{s.name ?? s.id}</a>
                    {s.name && <div class="id muted">{s.id}</div>}
                  </div>
                </td>
                <td data-label="State">
                  <StatusBadge status={s.state} />
                </td>
                <td data-label="When" class="col-call">
                  {scheduleInWords(s)}
                </td>
                <td data-label="Next run">{s.nextRuns[0] ? <Time iso={s.nextRuns[0]} relative /> : <span class="muted">none</span>}</td>
                {allUsers && <td data-label="Owner">{s.owner}</td>}
              </tr>
            ))}
          </tbody>
        </table>
        {items?.length === 0 && (
          <p class="empty">
            No schedules {page > 1 ? 'on this page' : 'yet'}. <a href="/ui/schedules/new">Create one</a>.
          </p>
        )}
      </div>
      <Pager page={page} nextCursor={list.data?.nextCursor} older={older} newer={newer} limit={limit} />
      <RefreshNote updatedAt={list.updatedAt} live />
    </>
  );
}

/** Whose resources a list shows, for its caption. */
function whose(owner: string | undefined): string {
  if (owner === undefined) return ', yours';
  return owner === 'all' ? ', every user' : `, user ${owner}`;
}
