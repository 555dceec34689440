/**
 * Times, durations and values as the dashboard writes them: ISO-like dates in 24-hour time
 * (`2026-11-24 14:05:00`), in the browser's zone unless a zone is given.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(key, f);
  }
  return f;
}

/** Options of {@link formatTime}. */
export interface TimeFormat {
  /** IANA zone; the browser's when absent. */
  timeZone?: string;
  /** Leave out the seconds (when they are always 0). */
  minutes?: boolean;
  /** Add milliseconds (attempts). */
  ms?: boolean;
}

/** `2026-11-24 14:05:00` (or `14:05`, or `14:05:00.123`). */
export function formatTime(iso: string, options: TimeFormat = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = Object.fromEntries(
    formatter(options.timeZone)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const time = options.minutes ? `${parts.hour}:${parts.minute}` : `${parts.hour}:${parts.minute}:${parts.second}`;
  const ms = options.ms ? `.${String(date.getUTCMilliseconds()).padStart(3, '0')}` : '';
  return `${parts.year}-${parts.month}-${parts.day} ${time}${ms}`;
}

/** The browser's own zone (`Europe/Berlin`). */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** A duration in the largest units that matter: `38 ms`, `1.2 s`, `2 min 5 s`, `3 h 10 min`, `2 d 4 h`. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  if (abs < 10_000) return `${(abs / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  const s = Math.round(abs / 1000);
  if (s < 60) return `${s} s`;
  const [d, h, m, sec] = [Math.floor(s / 86_400), Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60];
  if (d > 0) return h ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m ? `${h} h ${m} min` : `${h} h`;
  return sec ? `${m} min ${sec} s` : `${m} min`;
}

/** `in 5 min`, `3 s ago`, `now`: from `now` (ms). */
export function formatRelative(iso: string, now = Date.now()): string {
  const diff = Date.parse(iso) - now;
  if (Number.isNaN(diff)) return '';
  if (Math.abs(diff) < 1000) return 'now';
  const text = formatDuration(Math.abs(diff) < 60_000 ? Math.round(diff / 1000) * 1000 : diff);
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** A JSON value as people read it: indented, strings as they are. */
export function formatJson(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** `1 attempt`, `3 attempts`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A datetime-local input's value (`2026-11-24T14:05:00`) for an ISO time, in the browser's zone. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** An ISO time with offset for a datetime-local input's value (read in the browser's zone); null when empty or not a time. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** `scheduled` → `Scheduled`. */
export function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
