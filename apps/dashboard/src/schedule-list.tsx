import { api } from './api';
import { ErrorNotice, Notice, RefreshNote, StatusBadge, Time, useFlash, useHeadingFocus } from './components';
import { usePolling, useTitle } from './hooks';
import { ColumnHeads, NameCell, OwnerSwitch, Pager, TagFilter, useCursors, useListParams, whose } from './lists';
import { href, queryObject } from './router';
import type { Page, ScheduleSummary } from './types';
import { scheduleInWords } from './words';

/** Schedules: their timing in words and next run, a tag filter, paged, refreshed. */
export function ScheduleListPage() {
  const { query, limit, allUsers, owner, admin, tags } = useListParams();
  const filter = JSON.stringify([owner, limit, tags]);
  const { cursor, page, older, newer } = useCursors(filter);
  useTitle('Schedules');
  const heading = useHeadingFocus(['schedules']);
  const flash = useFlash();
  const list = usePolling(`${filter}|${cursor}`, () => api.get<Page<ScheduleSummary>>('/schedules', { limit, cursor, owner, tag: tags }));
  const items = list.data?.items;
  const withTag = (tag: string) => href.list('schedules', { ...queryObject(query), tag: [...new Set([...tags, tag])] });
  const tagged = tags.length > 0 ? ` tagged ${tags.join(' and ')}` : '';
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
      <TagFilter tags={tags} />
      <ErrorNotice error={list.error} />
      <div class="table-wrap" aria-busy={list.data === undefined || list.stale}>
        <table class={`list ${list.stale ? 'stale' : ''}`}>
          <caption class="sr-only">
            Schedules{tagged ? `,${tagged}` : ''}
            {whose(owner)}
          </caption>
          <thead>
            <tr>
              <ColumnHeads
                columns={[
                  ['name', 'Schedule'],
                  ['status', 'State'],
                  ['call', 'When'],
                  ['time', 'Next run'],
                  ...(allUsers ? ([['owner', 'Owner']] as const) : []),
                ]}
              />
            </tr>
          </thead>
          <tbody>
            {items?.map((s) => (
              <tr key={s.id}>
                <NameCell label="Schedule" to={href.schedule(s.id)} item={s} tagTo={withTag} />
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
            No schedules{tagged} {page > 1 ? 'on this page' : 'yet'}. <a href="/ui/schedules/new">Create one</a>.
          </p>
        )}
      </div>
      <Pager page={page} nextCursor={list.data?.nextCursor} older={older} newer={newer} limit={limit} />
      <RefreshNote updatedAt={list.updatedAt} live />
    </>
  );
}
