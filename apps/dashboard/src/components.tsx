import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from './api';
import { describeError, type Action } from './errors';
import { formatDuration, formatJson, formatRelative, formatTime, plural } from './format';
import { REFRESH_MS } from './hooks';
import { useSession } from './session';
import type { Attempt, CallResult, CallView } from './types';

const ICONS: Record<string, string> = {
  scheduled: '◷',
  running: '▶',
  checking: '⟳',
  completed: '✓',
  passed: '✓',
  failed: '✕',
  cancelled: '⊘',
  skipped: '↷',
  pending: '○',
  waiting: '◔',
  not_run: '–',
  active: '●',
  paused: '❚❚',
};

/** A status as a labelled badge: the word is always there, the colour and icon only help. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <span class={`badge badge-${status}`}>
      <span aria-hidden="true">{ICONS[status] ?? '•'}</span> {label ?? status.replace('_', ' ')}
    </span>
  );
}

/** A time as `2026-11-24 14:05:00` (browser's zone unless given), with `in 5 min` when asked. */
export function Time({
  iso,
  timeZone,
  ms,
  relative,
}: {
  iso: string | null | undefined;
  timeZone?: string;
  ms?: boolean;
  relative?: boolean;
}) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {formatTime(iso, { timeZone, ms })}
      {relative && (
        <span class="muted relative">
          <span class="sep"> · </span>
          {formatRelative(iso)}
        </span>
      )}
    </time>
  );
}

/** A JSON value, indented, in a scrollable block. */
export function Json({ value, label }: { value: unknown; label: string }) {
  if (value === undefined || value === null || value === '') return <span class="muted">none</span>;
  return (
    <pre class="json" tabIndex={0} aria-label={label}>
      {formatJson(value)}
    </pre>
  );
}

/** The target of a call on one line: `POST https://…`, `λ report:live` or `SQS https://sqs…/orders`. */
export function CallLine({ call }: { call: CallView }) {
  const queue = call.sqs?.queueUrl ?? call.queue;
  if (queue !== undefined) {
    return (
      <span class="call">
        <span class="method" title="Amazon SQS queue">
          SQS
        </span>{' '}
        <span class="target">{queue}</span>
      </span>
    );
  }
  const fn = call.lambda?.function ?? call.function;
  if (fn !== undefined) {
    const qualifier = call.lambda?.qualifier;
    return (
      <span class="call">
        <span class="method" title="AWS Lambda function">
          λ
        </span>{' '}
        <span class="target">{qualifier ? `${fn} (${qualifier})` : fn}</span>
      </span>
    );
  }
  return (
    <span class="call">
      <span class="method">{call.method ?? 'POST'}</span> <span class="target">{call.url}</span>
    </span>
  );
}

/** A call's flow control in words: `at most 5 a second and 2 at once, key partner-api`. */
export function flowControlInWords(flow: NonNullable<CallView['flowControl']>): string {
  const limits = [
    flow.ratePerSecond !== undefined ? `${flow.ratePerSecond} a second` : null,
    flow.maxInFlight !== undefined ? `${flow.maxInFlight} at once` : null,
  ].filter(Boolean);
  return `at most ${limits.join(' and ')}, shared by your calls with key ${flow.key ?? 'the destination (its origin, function or queue)'}`;
}

/** Everything a call sends: method, URL, headers and body, the function and its payload, or the queue and its message. */
export function CallDetails({ call }: { call: CallView }) {
  const flow = call.flowControl && (
    <>
      <dt>Flow control</dt>
      <dd class="flow-control">{flowControlInWords(call.flowControl)}</dd>
    </>
  );
  if (call.sqs) {
    return (
      <dl class="facts">
        <dt>SQS queue</dt>
        <dd class="target">{call.sqs.queueUrl}</dd>
        <dt>Message body</dt>
        <dd>
          <Json value={call.sqs.messageBody} label="Message body" />
        </dd>
        {call.sqs.messageGroupId !== undefined && (
          <>
            <dt>Message group</dt>
            <dd>{call.sqs.messageGroupId}</dd>
          </>
        )}
        {call.sqs.messageDeduplicationId !== undefined && (
          <>
            <dt>Deduplication id</dt>
            <dd>{call.sqs.messageDeduplicationId}</dd>
          </>
        )}
        {call.sqs.delaySeconds !== undefined && (
          <>
            <dt>Delivery delay</dt>
            <dd>{formatDuration(call.sqs.delaySeconds * 1000)}</dd>
          </>
        )}
        {flow}
      </dl>
    );
  }
  if (call.lambda) {
    return (
      <dl class="facts">
        <dt>Lambda function</dt>
        <dd class="target">{call.lambda.function}</dd>
        <dt>Qualifier</dt>
        <dd>{call.lambda.qualifier ?? <span class="muted">none ($LATEST)</span>}</dd>
        <dt>Invocation</dt>
        <dd>{call.lambda.invocationType === 'Event' ? 'Event (queued; succeeds on 202)' : 'RequestResponse (waits for the answer)'}</dd>
        <dt>Payload</dt>
        <dd>
          <Json value={call.lambda.payload} label="Payload" />
        </dd>
        {flow}
      </dl>
    );
  }
  const headers = Object.entries(call.headers ?? {});
  return (
    <dl class="facts">
      <dt>Request</dt>
      <dd>
        <CallLine call={call} />
      </dd>
      <dt>Headers</dt>
      <dd>
        {headers.length === 0 ? (
          <span class="muted">none of your own</span>
        ) : (
          <ul class="headers">
            {headers.map(([name, value]) => (
              <li key={name}>
                <code>{name}</code>: <code>{value}</code>
              </li>
            ))}
          </ul>
        )}
      </dd>
      <dt>Body</dt>
      <dd>
        <Json value={call.body} label="Request body" />
      </dd>
      {flow}
    </dl>
  );
}

/**
 * Every attempt on a timeline: when it started (from `origin`, the due time), how long it took,
 * what came back; the bars place them on one time axis, retry waits as gaps.
 */
export function Attempts({ attempts, origin, label }: { attempts: Attempt[]; origin?: string | null; label: string }) {
  if (attempts.length === 0) return <p class="muted">No attempts yet.</p>;
  const times = attempts.flatMap((a) => [Date.parse(a.scheduledAt), Date.parse(a.startedAt)]);
  const start = Math.min(...times, origin ? Date.parse(origin) : Infinity);
  const end = Math.max(...attempts.map((a) => Date.parse(a.finishedAt)));
  const span = Math.max(end - start, 1);
  return (
    <ol class="timeline" aria-label={label}>
      {attempts.map((a, i) => {
        const started = Date.parse(a.startedAt);
        const wait = i > 0 ? started - Date.parse(attempts[i - 1].finishedAt) : null;
        return (
          <li key={a.number} class={a.error === null ? 'ok' : 'bad'}>
            <div class="attempt-head">
              <strong>Attempt {a.number}</strong>
              <span class="code">{a.statusCode === null ? 'no response' : `HTTP ${a.statusCode}`}</span>
              <span>
                {a.error === null ? 'succeeded' : <span class="error-text">{a.error === `HTTP ${a.statusCode}` ? 'failed' : a.error}</span>}
              </span>
            </div>
            <div class="muted">
              started <Time iso={a.startedAt} ms />
              {origin ? ` (${formatOffset(started - Date.parse(origin))} due)` : ''}
              {wait !== null ? ` after a wait of ${formatDuration(wait)}` : ''} · took {formatDuration(a.durationMs)}
              {a.waitedMs !== undefined && (
                <>
                  {' · '}
                  <span class="waited" title={`${a.waitedMs} ms`}>
                    waited its turn {formatDuration(a.waitedMs)} (flow control)
                  </span>
                </>
              )}
              {a.retryAfterMs !== undefined && (
                <>
                  {' · '}
                  <span class="retry-after" title={`${a.retryAfterMs} ms`}>
                    Retry-After {formatDuration(a.retryAfterMs)}: the next attempt waited at least that
                  </span>
                </>
              )}
            </div>
            <div class="bar" aria-hidden="true">
              <span style={{ left: `${((started - start) / span) * 100}%`, width: `${Math.max((a.durationMs / span) * 100, 0.8)}%` }} />
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/** `+2 ms after` / `5 ms before` / `on the ms of`. */
function formatOffset(ms: number): string {
  if (ms === 0) return 'on the ms';
  return ms > 0 ? `${formatDuration(ms)} after` : `${formatDuration(ms)} before`;
}

/** The response of the last attempt. */
export function Result({ result, label = 'Response' }: { result: CallResult | null; label?: string }) {
  if (!result) return <p class="muted">No response yet.</p>;
  return (
    <div>
      <p>
        Status <strong>{result.statusCode}</strong>
        {result.executedVersion ? ` · function version ${result.executedVersion}` : ''}
        {result.bodyTruncated ? ' · body cut to the size the scheduler keeps' : ''}
      </p>
      <Json value={result.body} label={`${label} body`} />
    </div>
  );
}

/** The retry policy in words (with `retryOn: transient`, which failures it retries). */
export function RetryWords({
  p,
}: {
  p: { timeoutMs: number; retries: number; retryIntervalMs: number; retryBackoff: number; retryOn?: 'any' | 'transient' };
}) {
  const retries =
    p.retries === 0
      ? 'no retries'
      : `${plural(p.retries, 'retry', 'retries')}, the first after ${formatDuration(p.retryIntervalMs)}${p.retryBackoff !== 1 ? `, each wait ×${p.retryBackoff}` : ''}`;
  const on =
    p.retries > 0 && p.retryOn === 'transient' ? ' (only network errors, timeouts, 408, 425, 429 and 5xx; any other answer ends it)' : '';
  return (
    <span>
      {formatDuration(p.timeoutMs)} per attempt; {retries}
      {on}
    </span>
  );
}

/**
 * A run's or a schedule's tags as chips, `key:value` (the filter's syntax); with `to`, each one
 * links to a list filtered by it.
 */
export function TagChips({ tags, to }: { tags: Record<string, string> | undefined; to?: (tag: string) => string }) {
  const entries = Object.entries(tags ?? {});
  if (entries.length === 0) return null;
  return (
    <ul class="tags" aria-label="Tags">
      {entries.map(([key, value]) => {
        const tag = `${key}:${value}`;
        return <li key={key}>{to ? <a href={to(tag)}>{tag}</a> : tag}</li>;
      })}
    </ul>
  );
}

/** A refusal of the API in words, for the action that was tried. */
export function ErrorNotice({ error, action }: { error: ApiError | undefined | null; action?: Action }) {
  if (!error) return null;
  return (
    <p class="notice notice-bad" role="alert">
      {describeError(error, action)}
    </p>
  );
}

/** A success message, read out politely. */
export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice notice-ok" role="status">
      {children}
    </p>
  );
}

/** When the page last read the API, and whether it keeps reading (not announced: it changes every few seconds). */
export function RefreshNote({ updatedAt, live }: { updatedAt: Date | undefined; live: boolean }) {
  return (
    <p class="refresh muted" aria-live="off">
      {updatedAt ? `Updated ${formatTime(updatedAt.toISOString()).slice(11)}` : 'Loading…'}
      {' · '}
      {live ? `refreshes every ${REFRESH_MS / 1000} s while this tab is visible` : 'final: no further changes'}
    </p>
  );
}

/** A link to a run's or a schedule's history in the Temporal Web UI, when one is configured. */
export function TemporalLink({ kind, id }: { kind: 'workflows' | 'schedules'; id: string }) {
  const { config } = useSession();
  if (!config?.temporalUiUrl) return null;
  const url = `${config.temporalUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(config.namespace)}/${kind}/${encodeURIComponent(id)}`;
  return (
    <a class="external" href={url} target="_blank" rel="noopener noreferrer">
      History in the Temporal Web UI<span class="sr-only"> (opens in a new tab)</span>
    </a>
  );
}

/**
 * A button that asks before it acts: the first press shows the question and moves focus to
 * "yes"; Escape or "no" takes it back.
 */
export function ConfirmButton(props: { label: string; question: string; yes: string; no: string; onConfirm: () => Promise<void> | void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  const first = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) yes.current?.focus();
    else if (wasAsking.current) first.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" ref={first} class="danger" onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={props.question} onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}>
      <span>{props.question}</span>
      <button
        type="button"
        ref={yes}
        class="danger"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void Promise.resolve(props.onConfirm()).finally(() => {
            setBusy(false);
            setAsking(false);
          });
        }}
      >
        {props.yes}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        {props.no}
      </button>
    </span>
  );
}

/** Moves focus to the page's heading when a page opens by navigation, so screen readers start there. */
export function useHeadingFocus(deps: unknown[]) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (navigated()) heading.current?.focus();
  }, deps);
  return heading;
}

let firstPage = true;
/** False for the page the browser loaded (its focus is the browser's), true after. */
function navigated(): boolean {
  const was = firstPage;
  firstPage = false;
  return !was;
}

let flash: string | null = null;

/** A message for the next page to show (after a creation or a deletion that navigates). */
export function setFlash(message: string): void {
  flash = message;
}

/** The message the previous page left, once. */
export function useFlash(): string | null {
  const [message] = useState(() => {
    const m = flash;
    flash = null;
    return m;
  });
  return message;
}
