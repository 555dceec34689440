import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api';
import { BULK_ELIGIBLE, BulkProgress, startBulkJobs } from './bulk';
import {
  CallLine,
  ConfirmButton,
  ErrorNotice,
  Notice,
  RefreshNote,
  StatusBadge,
  TagChips,
  Time,
  useFlash,
  useHeadingFocus,
} from './components';
import { capitalize, plural } from './format';
import { usePolling, useTitle } from './hooks';
import { PAGES, preload } from './lazy';
import { href, queryObject, setQuery, useLocation } from './router';
import { useSession } from './session';
import {
  RUN_STATUSES,
  TASK_STATUSES,
  type BulkJob,
  type Counts,
  type OrchestrationSummary,
  type Page,
  type RunStatus,
  type TaskSummary,
} from './types';

const PAGE_SIZES = [10, 20, 50, 100];

/** A tag filter as the API takes it: `key:value` (key a-z 0-9 _ . -, up to 40; value up to 100 printable characters). */
// eslint-disable-next-line no-control-regex -- control characters are what a tag value may not hold
const TAG_FILTER = /^[a-z0-9_.-]{1,40}:[^\x00-\x1f\x7f]{0,100}$/;

/**
 * The list parameters every list page reads from its address: page size and, for admins, whose
 * (`owner=all`, or one user's sub). Anyone else's lists are their own, whatever the address says.
 */
export function useListParams() {
  const { query } = useLocation();
  const { me } = useSession();
  // Any page size the API takes may come in the address; the menu offers the usual ones.
  const asked = Number(query.get('limit'));
  const limit = Number.isInteger(asked) && asked >= 1 && asked <= 100 ? asked : 20;
  const admin = me?.admin === true;
  const owner = admin ? (query.get('owner') ?? undefined) : undefined;
  const tags = query.getAll('tag');
  return { query, limit, owner, allUsers: owner !== undefined, admin, tags };
}

/**
 * Paging by the API's cursors: a stack of the cursors of the pages seen, so "newer" goes back.
 * Starts over when `filter` changes.
 */
export function useCursors(filter: string) {
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
export function Pager(props: {
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
export function OwnerSwitch({ owner }: { owner: string | undefined }) {
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
function StatusTabs(props: {
  collection: 'tasks' | 'orchestrations';
  statuses: readonly RunStatus[];
  status: string;
  counts: Counts | undefined;
  query: URLSearchParams;
}) {
  const announced = useRef<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const summary = props.counts ? props.statuses.map((s) => `${props.counts?.[s]} ${s}`).join(', ') : null;
  useEffect(() => {
    if (summary === null) return;
    if (announced.current !== null && announced.current !== summary) setAnnouncement(`${capitalize(props.collection)}: ${summary}`);
    announced.current = summary;
  }, [summary, props.collection]);
  const tabs = ['all', ...props.statuses] as const;
  return (
    <nav aria-label={`${capitalize(props.collection)} by status`}>
      <ul class="tabs">
        {tabs.map((s) => {
          const query = queryObject(props.query);
          const to = href.list(props.collection, { ...query, status: s === 'all' ? undefined : s });
          return (
            <li key={s}>
              <a href={to} aria-current={props.status === s ? 'page' : undefined} data-status={s}>
                {capitalize(s)} <span class="count">{props.counts?.[s] ?? '–'}</span>
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

/**
 * The tag filter of a list: `key:value` filters (all must match), in the address as repeated
 * `tag` parameters, each shown with a button that removes it.
 */
export function TagFilter({ tags }: { tags: string[] }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <div class="tag-filter">
      <form
        role="search"
        aria-label="By tag"
        onSubmit={(e) => {
          e.preventDefault();
          const tag = text.trim();
          if (!TAG_FILTER.test(tag)) {
            setProblem('give key:value, e.g. customer:42 (the key: a-z 0-9 _ . -, up to 40)');
            return;
          }
          setProblem(null);
          setText('');
          if (!tags.includes(tag)) setQuery({ tag: [...tags, tag] });
        }}
      >
        <label for="tag-filter">Filter by tag</label>
        <input
          id="tag-filter"
          value={text}
          spellcheck={false}
          autoComplete="off"
          placeholder="customer:42"
          aria-invalid={problem ? 'true' : undefined}
          aria-describedby={problem ? 'tag-filter-error' : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit">Filter</button>
      </form>
      {problem && (
        <p id="tag-filter-error" class="field-error">
          {problem}
        </p>
      )}
      {tags.length > 0 && (
        <ul class="tag-filters" aria-label="Tag filters, all must match">
          {tags.map((tag) => (
            <li key={tag}>
              {tag}{' '}
              <button
                type="button"
                class="link"
                aria-label={`Remove the tag filter ${tag}`}
                onClick={() => setQuery({ tag: tags.filter((t) => t !== tag) })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The runs picked on a list (id → status as the list showed it), forgotten when the list's filter changes. */
function useSelection(filter: string) {
  const [selection, setSelection] = useState<{ filter: string; ids: Map<string, RunStatus> }>({ filter, ids: new Map() });
  const ids = selection.filter === filter ? selection.ids : new Map<string, RunStatus>();
  const change = (update: (ids: Map<string, RunStatus>) => void) => {
    const next = new Map(ids);
    update(next);
    setSelection({ filter, ids: next });
  };
  return {
    ids,
    toggle: (id: string, status: RunStatus, on: boolean) => change((m) => (on ? m.set(id, status) : m.delete(id))),
    setAll: (items: Array<{ id: string; status: RunStatus }>, on: boolean) =>
      change((m) => items.forEach((item) => (on ? m.set(item.id, item.status) : m.delete(item.id)))),
    clear: () => change((m) => m.clear()),
  };
}

/**
 * What can be done with the runs picked: retry (the failed and cancelled ones) or cancel (the
 * scheduled ones), each a bulk job whose progress shows below until it completes.
 */
function SelectionBar(props: {
  collection: 'tasks' | 'orchestrations';
  noun: string;
  selection: ReturnType<typeof useSelection>;
  onStarted: (jobs: BulkJob[]) => void;
}) {
  const { ids } = props.selection;
  const [failure, setFailure] = useState<{ error: ApiError; action: BulkJob['action'] } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const eligible = (action: BulkJob['action']) => [...ids.values()].filter((s) => BULK_ELIGIBLE[action].includes(s)).length;
  const start = async (action: BulkJob['action']) => {
    setFailure(null);
    const acting = eligible(action);
    const left = ids.size - acting;
    try {
      props.onStarted(await startBulkJobs(props.collection, action, ids));
      const why = action === 'cancel' ? 'only a scheduled one can be cancelled' : 'only a failed or cancelled one can be retried';
      setNote(left > 0 ? `${plural(left, `selected ${props.noun}`)} left as ${left === 1 ? 'it is' : 'they are'}: ${why}.` : null);
      props.selection.clear();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setFailure({ error: err, action });
    }
  };
  if (ids.size === 0) {
    return note || failure ? (
      <div class="outcome">
        {note && <Notice>{note}</Notice>}
        <ErrorNotice error={failure?.error} action={failure?.action} />
      </div>
    ) : null;
  }
  const cancellable = eligible('cancel');
  const retryable = eligible('retry');
  return (
    <div class="selection-bar" role="region" aria-label="Selected">
      <span>
        <strong>{ids.size}</strong> selected
      </span>
      <button type="button" disabled={retryable === 0} onClick={() => void start('retry')}>
        Retry selected
      </button>
      {cancellable > 0 ? (
        <ConfirmButton
          label="Cancel selected"
          question={`Cancel ${plural(cancellable, `scheduled ${props.noun}`)}?`}
          yes="Yes, cancel them"
          no="No, keep them"
          onConfirm={() => start('cancel')}
        />
      ) : (
        <button type="button" disabled>
          Cancel selected
        </button>
      )}
      <button type="button" class="link" onClick={props.selection.clear}>
        Clear the selection
      </button>
      <ErrorNotice error={failure?.error} action={failure?.action} />
    </div>
  );
}

/**
 * Tasks or orchestrations: status tabs with counts, a tag filter, the newest first, paged,
 * refreshed; runs can be picked and retried or cancelled in one bulk job.
 */
export function RunListPage({ collection }: { collection: 'tasks' | 'orchestrations' }) {
  const { query, limit, allUsers, owner, admin, tags } = useListParams();
  const statuses = collection === 'tasks' ? TASK_STATUSES : RUN_STATUSES;
  const requested = query.get('status');
  const status = (statuses as readonly string[]).includes(requested ?? '') ? (requested as string) : 'all';
  const scheduleId = collection === 'tasks' ? (query.get('scheduleId') ?? undefined) : undefined;
  const filter = JSON.stringify([collection, status, owner, scheduleId, limit, tags]);
  const { cursor, page, older, newer } = useCursors(filter);
  const title = collection === 'tasks' ? 'Tasks' : 'Orchestrations';
  useTitle(title);
  const heading = useHeadingFocus([collection]);
  const flash = useFlash();
  const selection = useSelection(filter);
  const [jobs, setJobs] = useState<BulkJob[]>([]);

  const list = usePolling(`${filter}|${cursor}`, () =>
    api.get<Page<TaskSummary | OrchestrationSummary>>(`/${collection}`, { status, limit, cursor, owner, scheduleId, tag: tags }),
  );
  // Counts are per owner and tags, not per schedule: with a schedule's runs shown, the tabs go without.
  const counts = usePolling(`${collection}|${owner}|${scheduleId}|${tags.join('|')}`, () =>
    scheduleId ? Promise.resolve(undefined) : api.get<Counts>(`/${collection}/counts`, { owner, tag: tags }),
  );
  const items = list.data?.items;
  const noun = collection === 'tasks' ? 'task' : 'orchestration';
  const allPicked = items !== undefined && items.length > 0 && items.every((item) => selection.ids.has(item.id));
  const withTag = (tag: string) => href.list(collection, { ...queryObject(query), tag: [...new Set([...tags, tag])] });

  return (
    <>
      <div class="page-head">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        <a class="button primary" href={`/ui/${collection}/new`} onPointerEnter={() => void preload(PAGES.forms).catch(() => undefined)}>
          New {noun}
        </a>
      </div>
      {flash && <Notice>{flash}</Notice>}
      {scheduleId && (
        <p class="filter">
          Runs of schedule <a href={href.schedule(scheduleId)}>{scheduleId}</a> ·{' '}
          <a href={href.list('tasks', { ...queryObject(query), scheduleId: undefined })}>show all tasks</a>
        </p>
      )}
      <div class="list-controls">
        <StatusTabs collection={collection} statuses={statuses} status={status} counts={counts.data} query={query} />
        {admin && <OwnerSwitch owner={owner} />}
      </div>
      <TagFilter tags={tags} />
      <SelectionBar collection={collection} noun={noun} selection={selection} onStarted={(started) => setJobs([...started, ...jobs])} />
      {jobs.map((job) => (
        <BulkProgress
          key={job.id}
          job={job}
          onFinished={() => void Promise.all([list.refresh(), counts.refresh()])}
          onDismiss={() => setJobs((all) => all.filter((j) => j.id !== job.id))}
        />
      ))}
      <ErrorNotice error={list.error} />
      <div class="table-wrap" aria-busy={list.data === undefined || list.stale}>
        <table class={`list ${list.stale ? 'stale' : ''}`} onPointerOver={() => void preload(PAGES.details).catch(() => undefined)}>
          <caption class="sr-only">
            {title}, {status === 'all' ? 'every status' : status}
            {tags.length > 0 ? `, tagged ${tags.join(' and ')}` : ''}, newest first{whose(owner)}
          </caption>
          <thead>
            <tr>
              <th scope="col" class="col-select">
                <input
                  type="checkbox"
                  aria-label="Select every one on this page"
                  checked={allPicked}
                  disabled={!items?.length}
                  onChange={(e) => items && selection.setAll(items, e.currentTarget.checked)}
                />
              </th>
              <ColumnHeads
                columns={[
                  ['name', capitalize(noun)],
                  ['status', 'Status'],
                  ['call', collection === 'tasks' ? 'Call' : 'Steps'],
                  ['time', 'Due'],
                  ['time', 'Created'],
                  ...(allUsers ? ([['owner', 'Owner']] as const) : []),
                ]}
              />
            </tr>
          </thead>
          <tbody>
            {items?.map((item) => (
              <tr key={item.id}>
                <td data-label="Select" class="col-select">
                  <input
                    type="checkbox"
                    aria-label={`Select ${item.name ?? item.id}`}
                    checked={selection.ids.has(item.id)}
                    onChange={(e) => selection.toggle(item.id, item.status, e.currentTarget.checked)}
                  />
                </td>
                <NameCell
                  label={capitalize(noun)}
                  to={collection === 'tasks' ? href.task(item.id) : href.orchestration(item.id)}
                  item={item}
                  tagTo={withTag}
                />
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
            {collection}
            {tags.length > 0 ? ` tagged ${tags.join(' and ')}` : ''} {page > 1 ? 'on this page' : 'yet'}.{' '}
            <a href={`/ui/${collection}/new`}>Create one</a>.
          </p>
        )}
      </div>
      <Pager page={page} nextCursor={list.data?.nextCursor} older={older} newer={newer} limit={limit} />
      <RefreshNote updatedAt={list.updatedAt} live />
    </>
  );
}

/** A list's column headings, each `[class col-…, heading]`. */
export function ColumnHeads({ columns }: { columns: ReadonlyArray<readonly [string, string]> }) {
  return (
    <>
      {columns.map(([column, heading], i) => (
        <th key={i} scope="col" class={`col-${column}`}>
          {heading}
        </th>
      ))}
    </>
  );
}

/** The first cell of a list's row: the name (or id) as a link, the id under a name, and the tags. */
export function NameCell(props: {
  label: string;
  to: string;
  item: { id: string; name: string | null; tags: Record<string, string> };
  /** Where a tag links (a list filtered by it); plain chips without. */
  tagTo?: (tag: string) => string;
}) {
  const { item } = props;
  return (
    <td data-label={props.label} class="col-name">
      <div>
        <a href={props.to}>{item.name ?? item.id}</a>
        {item.name && <div class="id muted">{item.id}</div>}
        <TagChips tags={item.tags} to={props.tagTo} />
      </div>
    </td>
  );
}

/** Whose resources a list shows, for its caption. */
export function whose(owner: string | undefined): string {
  if (owner === undefined) return ', yours';
  return owner === 'all' ? ', every user' : `, user ${owner}`;
}
