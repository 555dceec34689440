import { defineSearchAttributeKey, SearchAttributeType, type TypedSearchAttributes } from '@temporalio/common';
import type { ScheduledStart } from './runs';

/**
 * Custom search attributes: lists by status and owner come from Temporal visibility.
 * The dev server registers them at start (libs/runtime/dev-server.ts); docker-compose registers
 * them with `temporal operator search-attribute create`. Names and types live only here.
 */
export const SearchAttr = {
  /** scheduled | running | completed | failed | cancelled; kept current by the workflow. */
  status: defineSearchAttributeKey('TaskStatus', SearchAttributeType.KEYWORD),
  /** task | orchestration | schedule */
  kind: defineSearchAttributeKey('TaskKind', SearchAttributeType.KEYWORD),
  /** The user who owns the resource. */
  owner: defineSearchAttributeKey('TaskOwner', SearchAttributeType.KEYWORD),
  /** When it is due to run (moved by modify). A schedule's runs have none: their due time is their nominal time. */
  runAt: defineSearchAttributeKey('TaskRunAt', SearchAttributeType.DATETIME),
  /** The user's tags, each `key:value` (a run's, or a schedule's given to each of its runs). */
  tags: defineSearchAttributeKey('TaskTags', SearchAttributeType.KEYWORD_LIST),
} as const;

/** Search attributes the Temporal server itself sets on every run a Schedule starts. */
export const ScheduleRunAttr = {
  /** The id of the schedule that started the run. */
  scheduledById: defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD),
  /** The nominal time of the run (before jitter). */
  scheduledStartTime: defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME),
} as const;

/** The schedule and nominal time of a run a Schedule started, from its search attributes; null for a direct start. */
export function scheduledStartOf(attrs: Pick<TypedSearchAttributes, 'get'>): ScheduledStart | null {
  const scheduleId = attrs.get(ScheduleRunAttr.scheduledById);
  const nominal = attrs.get(ScheduleRunAttr.scheduledStartTime);
  return scheduleId && nominal ? { scheduleId, nominalTime: nominal.toISOString() } : null;
}

/** How the `temporal` CLI spells each search attribute type. */
const CLI_TYPE_NAMES: Readonly<Record<SearchAttributeType, string>> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** `name=Type` pairs, as `temporal server start-dev --search-attribute` and the operator CLI take them. */
export const SEARCH_ATTRIBUTE_DEFINITIONS: ReadonlyArray<{ name: string; type: string }> = Object.values(SearchAttr).map(
  ({ name, type }) => ({ name, type: CLI_TYPE_NAMES[type] }),
);
