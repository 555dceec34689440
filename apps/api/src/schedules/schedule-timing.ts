import type { CalendarSpec, ScheduleSpec, ScheduleSpecDescription } from '@temporalio/client';
import { DAYS_OF_WEEK, MONTHS, type DayOfWeek } from '@temporalio/client';
import { CRON_SHORTHANDS } from '../../../../common';
import { caseInsensitive } from '../core/patterns';
import { TIME_ZONES } from './time-zones';

/** When a schedule runs, as the API takes and shows it: exactly one of `cron`, `everyMs`, `at`. */
export interface ScheduleTiming {
  /** 5-field cron (minute hour day-of-month month day-of-week) or a shorthand (@daily, @hourly, ...). */
  cron?: string;
  /** A run every this many ms (whole seconds, at least 1 s), aligned to the Unix epoch. */
  everyMs?: number;
  /** Exact instants (ISO 8601 with an offset), at most {@link MAX_AT_TIMES}. */
  at?: string[];
  /** IANA time zone the cron fields are read in (default UTC). */
  timezone: string;
  startAt?: string;
  endAt?: string;
  /** Each run is delayed by a random amount up to this. */
  jitterMs?: number;
}

/** The most instants an `at` schedule may list. */
export const MAX_AT_TIMES = 100;

/** A timing the API refuses; `field` names the bad field. */
export class TimingError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'TimingError';
  }
}

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}
const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  // 7 is Sunday too, as in most crons.
  { name: 'day-of-week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

type NumericRange = { start: number; end: number; step: number };

/** Separates cron fields (and may surround the expression): spaces and tabs only. */
const CRON_BLANK = '[ \\t]';

/** The values of one cron field in decimal (leading zeros allowed), e.g. `(?:[1-5]?[0-9])` for minutes. */
const CRON_VALUES: readonly string[] = ['[1-5]?[0-9]', '1?[0-9]|2[0-3]', '[1-9]|[12][0-9]|3[01]', '[1-9]|1[0-2]', '[0-7]'];

/** One cron field's syntax: `*`, a value or a range, each with an optional `/step`, comma-separated. */
function cronFieldPattern(field: CronField, values: string): string {
  const value = [`0*(?:${values})`, ...(field.names ?? []).map(caseInsensitive)].join('|');
  const item = `(?:\\*|(?:${value})(?:-(?:${value}))?)(?:/0*[1-9][0-9]*)?`;
  return `${item}(?:,${item})*`;
}

/**
 * The syntax {@link cronToCalendars} takes: a shorthand, or five fields of values in range, names,
 * ranges, steps and lists. (It also refuses a range that runs backwards, e.g. `30-10`, which a
 * pattern cannot say.)
 */
export const CRON_PATTERN = `${CRON_BLANK}*(?:${Object.keys(CRON_SHORTHANDS)
  .map(caseInsensitive)
  .join('|')}|${CRON_FIELDS.map((field, i) => cronFieldPattern(field, CRON_VALUES[i])).join(`${CRON_BLANK}+`)})${CRON_BLANK}*`;

/**
 * Parses a 5-field cron expression (or a shorthand) into Temporal calendar specs, each carrying
 * the expression as its comment. As in the usual crons, when both day-of-month and day-of-week
 * are restricted a day matches either (Temporal's calendars match both, so that is two specs).
 * @throws TimingError naming what is wrong.
 */
export function cronToCalendars(expression: string): CalendarSpec[] {
  const trimmed = expression.replace(/^[ \t]+|[ \t]+$/g, '');
  // ASCII only: toLowerCase would also read the Kelvin sign as a k.
  const expanded = (/^@[A-Za-z]+$/.test(trimmed) ? CRON_SHORTHANDS[trimmed.toLowerCase()] : undefined) ?? trimmed;
  const parts = expanded.split(/[ \t]+/);
  if (parts.length !== 5) {
    throw new TimingError(
      'cron',
      `cron must have 5 fields (minute hour day-of-month month day-of-week) or be one of ${Object.keys(CRON_SHORTHANDS).join(', ')}; got "${expression}"`,
    );
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parts.map((part, i) => parseCronField(part, CRON_FIELDS[i]));
  const comment = `cron ${trimmed}`;
  const base = {
    second: [{ start: 0, end: 0 }],
    minute,
    hour,
    month: month.map((r) => ({ start: MONTHS[r.start - 1], end: MONTHS[r.end - 1], step: r.step })),
    comment,
  };
  const days = daysOfWeek(dayOfWeek);
  const domRestricted = !parts[2].startsWith('*');
  const dowRestricted = !parts[4].startsWith('*');
  if (domRestricted && dowRestricted) {
    return [
      { ...base, dayOfMonth, dayOfWeek: '*' },
      { ...base, dayOfMonth: '*', dayOfWeek: days },
    ];
  }
  return [{ ...base, dayOfMonth: domRestricted ? dayOfMonth : '*', dayOfWeek: dowRestricted ? days : '*' }];
}

/** One cron field: `*`, `n`, `a-b`, with an optional `/step`, comma-separated; month and weekday names allowed. */
function parseCronField(text: string, field: CronField): NumericRange[] {
  return text.split(',').map((item) => {
    const match = /^([^/]+)(?:\/(.+))?$/.exec(item);
    if (!match) throw new TimingError('cron', `cron ${field.name} field: "${item}" is not a value, a range or a step`);
    const [, body, stepText] = match;
    const step = stepText === undefined ? 1 : /^[0-9]+$/.test(stepText) ? Number(stepText) : NaN;
    if (!Number.isInteger(step) || step < 1)
      throw new TimingError('cron', `cron ${field.name} field: step "${stepText}" must be a positive integer`);
    let start: number;
    let end: number;
    if (body === '*') {
      start = field.min;
      end = field.name === 'day-of-week' ? 6 : field.max;
    } else {
      const [from, to] = body.split('-');
      start = cronValue(from, field);
      end = to === undefined ? (stepText === undefined ? start : field.max) : cronValue(to, field);
      if (body.split('-').length > 2) throw new TimingError('cron', `cron ${field.name} field: "${body}" is not a range`);
    }
    if (start > end) throw new TimingError('cron', `cron ${field.name} field: range ${start}-${end} runs backwards`);
    return { start, end, step };
  });
}

function cronValue(text: string, field: CronField): number {
  // ASCII only: toUpperCase would also read the long s (ſ) as an S, or the dotless ı as an I.
  const byName = /^[A-Za-z]+$/.test(text) ? (field.names?.indexOf(text.toUpperCase()) ?? -1) : -1;
  if (byName >= 0) return byName + (field.name === 'month' ? 1 : 0);
  if (!/^\d+$/.test(text)) {
    throw new TimingError('cron', `cron ${field.name} field: "${text}" is not a number${field.names ? ' or a name' : ''}`);
  }
  const value = Number(text);
  if (value < field.min || value > field.max) {
    throw new TimingError('cron', `cron ${field.name} field: ${value} is out of range ${field.min}-${field.max}`);
  }
  return value;
}

/** Day-of-week ranges as Temporal takes them (names, SUNDAY..SATURDAY); 7 is Sunday. */
function daysOfWeek(ranges: NumericRange[]): Array<{ start: DayOfWeek; end: DayOfWeek; step?: number }> {
  const days = new Set<number>();
  for (const { start, end, step } of ranges) for (let d = start; d <= end; d += step) days.add(d % 7);
  const sorted = [...days].sort((a, b) => a - b);
  // Runs of consecutive days become ranges: MON-FRI stays one.
  const runs: Array<{ start: DayOfWeek; end: DayOfWeek }> = [];
  for (const day of sorted) {
    const last = runs.at(-1);
    if (last && DAYS_OF_WEEK.indexOf(last.end) === day - 1) last.end = DAYS_OF_WEEK[day];
    else runs.push({ start: DAYS_OF_WEEK[day], end: DAYS_OF_WEEK[day] });
  }
  return runs;
}

const KNOWN_ZONES = new Set(TIME_ZONES);

/**
 * The IANA zone name as ICU spells it canonically (Asia/Kolkata is Asia/Calcutta); throws for a
 * name that is not one of {@link TIME_ZONES}, spelt exactly. (The Temporal server loads zones from
 * its own tzdata, which has every canonical ICU name.)
 */
export function canonicalTimezone(timezone: string): string {
  if (!KNOWN_ZONES.has(timezone)) {
    throw new TimingError('timezone', `timezone "${timezone}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`);
  }
  return new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
}

/** An `at` instant as an exact calendar spec in UTC, so it fires once even on a DST change day. */
function instantToCalendar(iso: string, timezone: string, index: number): CalendarSpec {
  const date = new Date(iso);
  if (date.getUTCMilliseconds() !== 0) {
    throw new TimingError(`at[${index}]`, `at[${index}] must be a whole second (Temporal Schedules have one-second resolution)`);
  }
  const exact = (n: number) => [{ start: n, end: n }];
  return {
    second: exact(date.getUTCSeconds()),
    minute: exact(date.getUTCMinutes()),
    hour: exact(date.getUTCHours()),
    dayOfMonth: exact(date.getUTCDate()),
    month: [{ start: MONTHS[date.getUTCMonth()], end: MONTHS[date.getUTCMonth()] }],
    year: exact(date.getUTCFullYear()),
    dayOfWeek: '*',
    comment: `at ${iso} in ${timezone}`,
  };
}

/**
 * The Temporal spec of a timing. Cron fields are read in the timing's time zone; `at` instants
 * are exact (their calendars are in UTC, whatever the zone); intervals align to the Unix epoch.
 * @throws TimingError naming the bad field.
 */
export function toTemporalSpec(
  timing: ScheduleTiming,
  now: Date,
  options: { checkPastTimes: boolean } = { checkPastTimes: true },
): ScheduleSpec {
  const given = (['cron', 'everyMs', 'at'] as const).filter((k) => timing[k] !== undefined);
  if (given.length !== 1) {
    throw new TimingError(
      given[1] ?? 'cron',
      `give exactly one of cron, everyMs or at${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`,
    );
  }
  const timezone = canonicalTimezone(timing.timezone);
  const startAt = timing.startAt ? new Date(timing.startAt) : undefined;
  const endAt = timing.endAt ? new Date(timing.endAt) : undefined;
  if (startAt && endAt && endAt.getTime() <= startAt.getTime()) throw new TimingError('endAt', 'endAt must be after startAt');
  const common: ScheduleSpec = {
    ...(startAt ? { startAt } : {}),
    ...(endAt ? { endAt } : {}),
    ...(timing.jitterMs ? { jitter: timing.jitterMs } : {}),
  };
  if (timing.cron !== undefined) return { ...common, calendars: cronToCalendars(timing.cron), timezone };
  if (timing.everyMs !== undefined) {
    if (timing.everyMs < 1000 || timing.everyMs % 1000 !== 0) {
      throw new TimingError(
        'everyMs',
        'everyMs must be a whole number of seconds (a multiple of 1000), at least 1000: Temporal Schedules have one-second resolution',
      );
    }
    return { ...common, intervals: [{ every: timing.everyMs }], timezone };
  }
  const at = timing.at ?? [];
  if (at.length === 0 || at.length > MAX_AT_TIMES) throw new TimingError('at', `at must list 1 to ${MAX_AT_TIMES} times`);
  at.forEach((iso, i) => {
    if (options.checkPastTimes && Date.parse(iso) <= now.getTime()) throw new TimingError(`at[${i}]`, `at[${i}] (${iso}) is in the past`);
  });
  return { ...common, calendars: at.map((iso, i) => instantToCalendar(iso, timezone, i)), timezone: 'UTC' };
}

/** The timing a Temporal spec made by {@link toTemporalSpec} stands for (read back from its comments). */
export function fromTemporalSpec(spec: ScheduleSpecDescription & { jitter?: number }): ScheduleTiming {
  const common = {
    ...(spec.startAt ? { startAt: spec.startAt.toISOString() } : {}),
    ...(spec.endAt ? { endAt: spec.endAt.toISOString() } : {}),
    ...(spec.jitter ? { jitterMs: spec.jitter } : {}),
  };
  const comments = (spec.calendars ?? []).map((c) => c.comment ?? '');
  const at = comments.map((c) => /^at (\S+) in (\S+)$/.exec(c)).filter((m): m is RegExpExecArray => m !== null);
  if (at.length > 0) return { ...common, at: at.map((m) => m[1]), timezone: at[0][2] };
  const cron = comments.find((c) => c.startsWith('cron '));
  if (cron) return { ...common, cron: cron.slice('cron '.length), timezone: spec.timezone ?? 'UTC' };
  return { ...common, everyMs: spec.intervals?.[0]?.every ?? 0, timezone: spec.timezone ?? 'UTC' };
}
