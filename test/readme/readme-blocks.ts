/**
 * The README's runnable examples (README, "Tests"): its shell blocks whose fence says `bash test`,
 * in order, with the answers they show. Pure: reading and matching, no running.
 */

/** The word in a fence's info string that makes a shell block runnable: ```` ```bash test ````. */
export const RUNNABLE_MARK = 'test';
/** The languages a runnable block may be written in. */
const SHELLS = new Set(['bash', 'sh', 'shell']);

/** An answer a block shows: `# -> 201 {"status": "scheduled"}` after a curl. */
export interface Expectation {
  /** 1-based line of the README where it is written. */
  line: number;
  /** The HTTP status the curl before it must answer. */
  status: number;
  /** The fields its JSON body must have (see matchShown); undefined: the status alone. */
  body?: unknown;
  /** As written, for messages. */
  text: string;
}

/** One runnable block. */
export interface ReadmeBlock {
  /** 1-based number among the runnable blocks. */
  number: number;
  /** 1-based line of the README where its code starts. */
  line: number;
  /** The heading it stands under ("Tasks"). */
  heading: string;
  /** Its code as written. */
  code: string;
  /** Its code as run: each expectation replaced by `__readme_expect <index into expectations>`. */
  script: string;
  expectations: Expectation[];
}

/** A README that breaks the convention (an expectation that does not parse, a fence never closed). */
export class ReadmeConventionError extends Error {
  constructor(line: number, message: string) {
    super(`README.md:${line}: ${message}`);
    this.name = 'ReadmeConventionError';
  }
}

/** The command that records an expectation where it stands in a block (see test/readme/shell.ts). */
export const EXPECT_COMMAND = '__readme_expect';

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;
const HEADING = /^#{1,6}\s+(.*?)\s*#*\s*$/;
/** `# -> 201 ...` on a line of its own. */
const EXPECTATION_LINE = /^\s*# -> (\d{3})\b\s*(.*)$/;
/** `command   # -> 201 ...` at the end of a command's last line. */
const TRAILING_EXPECTATION = /^(.*?\S)\s+# -> (\d{3})\b\s*(.*)$/;
/** How many comment lines an expectation's JSON may run on for. */
const MAX_EXPECTATION_LINES = 40;

/** The runnable blocks of a README's text, in order. */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const fence = FENCE.exec(lines[i]);
    if (!fence) {
      const title = HEADING.exec(lines[i]);
      if (title) heading = title[1];
      continue;
    }
    const [, , marker, info] = fence;
    const close = new RegExp(`^\\s*${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
    const start = i + 1;
    let end = start;
    while (end < lines.length && !close.test(lines[end])) end++;
    if (end >= lines.length) throw new ReadmeConventionError(i + 1, `the code block opened here is never closed`);
    const words = info.trim().split(/\s+/);
    if (SHELLS.has(words[0]) && words.slice(1).includes(RUNNABLE_MARK)) {
      blocks.push(runnableBlock(blocks.length + 1, heading, lines.slice(start, end), start + 1));
    }
    i = end;
  }
  return blocks;
}

/** A runnable block from its code lines (`firstLine`: the README line of the first). */
function runnableBlock(number: number, heading: string, code: string[], firstLine: number): ReadmeBlock {
  const script: string[] = [];
  const expectations: Expectation[] = [];
  for (let i = 0; i < code.length; i++) {
    const line = firstLine + i;
    const own = EXPECTATION_LINE.exec(code[i]);
    const trailing = own ? null : TRAILING_EXPECTATION.exec(code[i]);
    if (!own && !trailing) {
      script.push(code[i]);
      continue;
    }
    const [status, rest] = own ? [own[1], own[2]] : [trailing![2], trailing![3]];
    if (trailing) script.push(trailing[1]);
    const { body, consumed } = expectationBody(rest, code.slice(i + 1), line);
    const text = [code[i].trim(), ...code.slice(i + 1, i + 1 + consumed).map((l) => l.replace(/^\s*#\s*/, ''))].join(' ');
    expectations.push({ line, status: Number(status), ...(body === undefined ? {} : { body }), text });
    script.push(`${EXPECT_COMMAND} ${expectations.length - 1}`);
    i += consumed;
  }
  return { number, line: firstLine, heading, code: code.join('\n'), script: script.join('\n'), expectations };
}

/**
 * The JSON of an expectation: `first` (the rest of its line), continued on the comment lines
 * after it until it parses. Nothing there: only the status is shown.
 */
function expectationBody(first: string, after: string[], line: number): { body: unknown; consumed: number } {
  if (first.trim() === '') return { body: undefined, consumed: 0 };
  let text = first;
  for (let consumed = 0; consumed <= Math.min(after.length, MAX_EXPECTATION_LINES); consumed++) {
    try {
      return { body: JSON.parse(text) as unknown, consumed };
    } catch {
      const next = /^\s*#(.*)$/.exec(after[consumed] ?? '');
      if (!next) break;
      text += `\n${next[1]}`;
    }
  }
  throw new ReadmeConventionError(line, `the answer shown after "# -> " is not JSON (continued on "#" lines): ${first}`);
}

/** Stands for any value: `"..."`. As an array's last element: any further elements. */
export const ANY = '...';

/**
 * How `actual` differs from what the README shows (`shown`), one line per difference, each naming
 * the field by its path; none when it matches. The README shows only the fields it cares about:
 * - an object matches an object that has at least its fields, each matching (`"...": "..."`
 *   among them says so to the reader, and matches nothing);
 * - an array matches an array of the same length whose elements match in order; one ending with
 *   `"..."` matches an array that starts with the elements before it;
 * - `"..."` matches anything; a string ending with `...` ("task-...") any string starting so;
 * - anything else must be equal.
 */
export function matchShown(shown: unknown, actual: unknown, path = '$'): string[] {
  if (shown === ANY) return [];
  if (typeof shown === 'string' && shown.endsWith(ANY)) {
    const prefix = shown.slice(0, -ANY.length);
    return typeof actual === 'string' && actual.startsWith(prefix)
      ? []
      : [`${path}: expected a string starting "${prefix}", got ${brief(actual)}`];
  }
  if (Array.isArray(shown)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${brief(actual)}`];
    const open = shown.at(-1) === ANY;
    const items = open ? shown.slice(0, -1) : shown;
    if (open ? actual.length < items.length : actual.length !== items.length) {
      return [`${path}: expected ${open ? 'at least ' : ''}${items.length} elements, got ${actual.length}: ${brief(actual)}`];
    }
    return items.flatMap((item, i) => matchShown(item, actual[i], `${path}[${i}]`));
  }
  if (shown !== null && typeof shown === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return [`${path}: expected an object, got ${brief(actual)}`];
    return Object.entries(shown).flatMap(([key, value]) =>
      key === ANY
        ? []
        : key in actual
          ? matchShown(value, (actual as Record<string, unknown>)[key], `${path}.${key}`)
          : [`${path}.${key}: missing`],
    );
  }
  return Object.is(shown, actual) ? [] : [`${path}: expected ${JSON.stringify(shown)}, got ${brief(actual)}`];
}

/** A value, cut short for a message. */
function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
