/**
 * The syntax of every constrained string the API takes, written once: the validators test input
 * with these patterns and the OpenAPI document publishes the very same ones, so a client (or a
 * contract test) that follows the document is never refused for syntax, and anything the document
 * calls invalid is refused.
 *
 * Written for three regex engines at once (JavaScript here, Rust in JSON Schema validators, Python
 * in generators): ASCII classes only, never `\d`, `\w` or `\s`, whose meaning differs between them.
 */

/** `[Gg][Ee][Tt]` for `get`: a case-insensitive spelling without a flag, which JSON Schema patterns lack. */
export function caseInsensitive(text: string): string {
  return [...text]
    .map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
}

/** A pattern matching the whole string. */
export function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

const DEC_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `${DEC_OCTET}(?:\\.${DEC_OCTET}){3}`;
const H16 = '[0-9A-Fa-f]{1,4}';
const LS32 = `(?:${H16}:${H16}|${IPV4})`;
/** RFC 3986's IPv6address, which the WHATWG URL parser reads the same way. */
const IPV6 = [
  `(?:${H16}:){6}${LS32}`,
  `::(?:${H16}:){5}${LS32}`,
  `(?:${H16})?::(?:${H16}:){4}${LS32}`,
  `(?:(?:${H16}:){0,1}${H16})?::(?:${H16}:){3}${LS32}`,
  `(?:(?:${H16}:){0,2}${H16})?::(?:${H16}:){2}${LS32}`,
  `(?:(?:${H16}:){0,3}${H16})?::${H16}:${LS32}`,
  `(?:(?:${H16}:){0,4}${H16})?::${LS32}`,
  `(?:(?:${H16}:){0,5}${H16})?::${H16}`,
  `(?:(?:${H16}:){0,6}${H16})?::`,
].join('|');
const LABEL_CHAR = '[A-Za-z0-9_-]';
/**
 * The rest of a host label after its first character `first`, such that the label never starts
 * with `xn--`: URL parsers decode such labels as punycode and refuse most of them.
 */
const labelFrom = (first: string) =>
  `(?:${first}${LABEL_CHAR}*|[Xx](?:[A-MO-Za-mo-z0-9_-]${LABEL_CHAR}*|[Nn](?:[A-Za-z0-9_]${LABEL_CHAR}*|-(?:[A-Za-z0-9_]${LABEL_CHAR}*)?)?)?)`;
/** A DNS name whose last label starts with a letter: a URL parser would read a numeric one as an IPv4 address. */
const HOST_NAME = `(?:${labelFrom('[A-WYZa-wyz0-9_-]')}\\.)*${labelFrom('[A-WYZa-wyz]')}`;
const PORT = '(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)';

/**
 * An absolute http or https URL of printable ASCII: a host name (ASCII; no `xn--` labels), a
 * dotted-quad IPv4 address or a bracketed IPv6 address, an optional port, then anything printable
 * after `/`, `?` or `#`. No credentials (fetch refuses URLs with them). Every URL it matches parses
 * as a WHATWG URL.
 */
export const HTTP_URL_PATTERN = `[Hh][Tt][Tt][Pp][Ss]?://(?:${HOST_NAME}|${IPV4}|\\[(?:${IPV6})\\])(?::${PORT})?(?:[/?#][\\x21-\\x7e]*)?`;

/**
 * Years 1000 to 9998: any offset keeps the instant within four-digit years, which is what
 * Temporal's timestamps (and ISO strings without a sign) can carry.
 */
const YEAR = '(?:[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])';
const LEAP_YEAR = '(?:[1-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:1[26]|[2468][048]|[3579][26])00)';
/** A calendar date that exists: Date.parse would silently move 2026-02-30 to March 2. */
const dateOf = (year: string, leapYear: string) =>
  `(?:${year}-(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|${year}-(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|${year}-02-(?:0[1-9]|1[0-9]|2[0-8])|${leapYear}-02-29)`;
const OFFSET = '(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])';
const HOUR_MINUTE = 'T(?:[01][0-9]|2[0-3]):[0-5][0-9]';

/**
 * ISO 8601 date-time with an offset (`Z` or `+hh:mm`), seconds and up to 9 fraction digits
 * optional, in the years 1000 to 9998: one instant.
 */
export const DATE_TIME_PATTERN = `${dateOf(YEAR, LEAP_YEAR)}${HOUR_MINUTE}(?::[0-5][0-9](?:\\.[0-9]{1,9})?)?${OFFSET}`;

/**
 * A date-time as above on a whole second, in 2000 to 2099: what one time of an `at` schedule may
 * be (Temporal Schedules have one-second resolution and calendars of the years 2000 to 2100).
 */
export const SCHEDULE_TIME_PATTERN = `${dateOf('20[0-9]{2}', '20(?:0[48]|[2468][048]|[13579][26])')}${HOUR_MINUTE}(?::[0-5][0-9](?:\\.0{1,9})?)?${OFFSET}`;

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME_PATTERN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/** An HTTP header value: tab, printable ASCII and Latin-1 (no control characters, no line breaks). */
export const HEADER_VALUE_PATTERN = '[\\t\\x20-\\x7e\\x80-\\xff]*';

/** The `Idempotency-Key` header: 1 to 200 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = '[\\x21-\\x7e]{1,200}';

/** A list's `cursor`: the base64url `nextCursor` of a previous page. */
export const CURSOR_PATTERN = '[A-Za-z0-9_-]+';

/** A list's `owner`: a user's `sub` (or `all`), without control characters. */
export const OWNER_PATTERN = '[^\\x00-\\x1f\\x7f]+';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** A schedule id. */
export const SCHEDULE_ID_PATTERN = `sched-${UUID}`;
/** A task id: `task-<uuid>`, or a schedule's run `task-sched-<uuid>-<its nominal time, UTC>`. */
export const TASK_ID_PATTERN = `task-(?:${UUID}|sched-${UUID}-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)`;
/** An orchestration id. */
export const ORCHESTRATION_ID_PATTERN = `orch-${UUID}`;
