import cronstrue from 'cronstrue';
import { CRON_SHORTHANDS } from '../../../common/cron';
import { formatDuration, formatTime, plural } from './format';
import type { OverlapPolicy, ScheduleSummary } from './types';

/**
 * A cron expression in words (`At 09:00, Monday through Friday`).
 * @throws Error when cronstrue cannot read it (its message says why).
 */
export function cronInWords(cron: string): string {
  const expression = CRON_SHORTHANDS[cron.trim().toLowerCase()] ?? cron;
  return cronstrue.toString(expression, { use24HourTimeFormat: true, verbose: false, throwExceptionOnParseError: true });
}

/** An interval in words: `Every 30 seconds`, `Every 2 hours 30 minutes`, `Every day`. */
export function everyInWords(everyMs: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  let rest = everyMs;
  const parts: string[] = [];
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(n === 1 && parts.length === 0 && rest === 0 ? name : plural(n, name));
  }
  if (rest > 0 || parts.length === 0) return `Every ${formatDuration(everyMs)}`;
  return `Every ${parts.join(' ')}`;
}

/** A list of times in words, in the schedule's zone: `Once, at 2026-12-24 18:00` or `At 3 times: ...`. */
export function atInWords(at: string[], timeZone: string): string {
  const times = at.map((t) => formatTime(t, { timeZone, minutes: new Date(t).getUTCSeconds() === 0 }));
  if (times.length === 0) return 'Never (no times left)';
  if (times.length === 1) return `Once, at ${times[0]}`;
  return `At ${times.length} times: ${times.join(', ')}`;
}

/** A schedule's timing in words, with its zone: `At 09:00, Monday through Friday (Europe/Berlin)`. */
export function scheduleInWords(schedule: Pick<ScheduleSummary, 'cron' | 'everyMs' | 'at' | 'timezone'>): string {
  if (schedule.cron !== undefined) {
    try {
      return `${cronInWords(schedule.cron)} (${schedule.timezone})`;
    } catch {
      return `Cron ${schedule.cron} (${schedule.timezone})`;
    }
  }
  if (schedule.everyMs !== undefined) return everyInWords(schedule.everyMs);
  if (schedule.at !== undefined) return `${atInWords(schedule.at, schedule.timezone)} (${schedule.timezone})`;
  return 'No timing';
}

/** What happens to a run due while the previous one still runs. */
export const OVERLAP_IN_WORDS: Record<OverlapPolicy, string> = {
  skip: 'skip it',
  bufferOne: 'start it once the previous one ends (at most one waits)',
  allowAll: 'start it anyway',
};
