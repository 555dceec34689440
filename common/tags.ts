/**
 * Tags: the user's own `{ key: value }` labels on a run or a schedule (a schedule's go on each of
 * its runs), kept in the `TaskTags` search attribute as `key:value` so that lists filter by them.
 * Plain values and pure functions only: this file is bundled into workflow code.
 */

/** Tags of a run or a schedule. */
export type Tags = Record<string, string>;

export const TAG_LIMITS = { maxTags: 10, maxValueChars: 100 } as const;
/** A tag's key. */
export const TAG_KEY_PATTERN = '[a-z0-9_.-]{1,40}';
/** A tag's value: up to 100 printable characters (no control characters). */
export const TAG_VALUE_PATTERN = '[^\\x00-\\x1f\\x7f]{0,100}';

/** The search attribute's values: `key:value`, sorted. */
export function tagValues(tags: Tags | undefined): string[] {
  return Object.entries(tags ?? {})
    .map(([key, value]) => `${key}:${value}`)
    .sort();
}
