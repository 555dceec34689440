import { SearchAttr, ScheduleRunAttr, type BulkFilter, type RunKind, type RunStatus } from '../../../../common';
import { quote, statusClause, tagClauses } from '../runs/runs.repository';

/**
 * The visibility query of the runs a bulk job acts on: of this kind and owner (null: everyone's),
 * in `status` as users see it at `at`, and created before `at` whatever the filter says, so that
 * the runs the job itself creates (retries) and any made meanwhile never match.
 */
export function bulkQuery(kind: RunKind, owner: string | null, status: RunStatus, filter: BulkFilter, at: Date): string {
  const createdBefore = filter.createdBefore && Date.parse(filter.createdBefore) < at.getTime() ? new Date(filter.createdBefore) : at;
  return [
    `${SearchAttr.kind.name} = ${quote(kind)}`,
    ...(owner !== null ? [`${SearchAttr.owner.name} = ${quote(owner)}`] : []),
    statusClause(status, at),
    ...(filter.scheduleId ? [`${ScheduleRunAttr.scheduledById.name} = ${quote(filter.scheduleId)}`] : []),
    ...tagClauses(filter.tag ?? []),
    ...(filter.createdAfter ? [`StartTime >= ${quote(new Date(filter.createdAfter).toISOString())}`] : []),
    `StartTime < ${quote(createdBefore.toISOString())}`,
    ...(filter.ids && filter.ids.length > 0 ? [`WorkflowId IN (${filter.ids.map(quote).join(', ')})`] : []),
  ].join(' AND ');
}
