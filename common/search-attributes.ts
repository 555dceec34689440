import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes: lists by status and owner come from Temporal visibility.
 * The dev server registers them at start (scripts/start.ts); docker-compose registers them
 * with `temporal operator search-attribute create`. Names and types live only here.
 */
export const SearchAttr = {
  /** scheduled | running | completed | failed | cancelled; kept current by the workflow. */
  status: defineSearchAttributeKey('TaskStatus', SearchAttributeType.KEYWORD),
  /** task | orchestration */
  kind: defineSearchAttributeKey('TaskKind', SearchAttributeType.KEYWORD),
  /** The user who owns the resource. */
  owner: defineSearchAttributeKey('TaskOwner', SearchAttributeType.KEYWORD),
  /** When it is due to run (moved by modify). */
  runAt: defineSearchAttributeKey('TaskRunAt', SearchAttributeType.DATETIME),
  /** The recurring schedule that started it, if any. */
  scheduleId: defineSearchAttributeKey('TaskScheduleId', SearchAttributeType.KEYWORD),
} as const;

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
