import type { ComponentChildren } from 'preact';
import { Choice, Group, JsonField, SelectField, TextField, type FieldErrors } from './fields';
import {
  HTTP_METHODS,
  INVOCATION_TYPES,
  RETRY_ON_CHOICES,
  type CallView,
  type HttpMethod,
  type InvocationType,
  type RetryOn,
  type RetryPolicy,
} from './types';

/** Where a call goes. */
export type Target = 'http' | 'lambda' | 'sqs';

/** A call as the form holds it: text, as typed. */
export interface CallDraft {
  target: Target;
  /** An orchestration call's id (later calls use its answer). */
  id: string;
  method: HttpMethod;
  url: string;
  headers: string;
  body: string;
  fn: string;
  qualifier: string;
  invocationType: InvocationType;
  payload: string;
  queueUrl: string;
  messageBody: string;
  messageGroupId: string;
  messageDeduplicationId: string;
  delaySeconds: string;
  flowKey: string;
  ratePerSecond: string;
  maxInFlight: string;
  timeoutMs: string;
  retries: string;
  retryIntervalMs: string;
  retryBackoff: string;
  retryOn: RetryOn;
}

/** An empty HTTP call. */
export function emptyCall(method: HttpMethod = 'POST'): CallDraft {
  return {
    target: 'http',
    id: '',
    method,
    url: '',
    headers: '',
    body: '',
    fn: '',
    qualifier: '',
    invocationType: 'RequestResponse',
    payload: '',
    queueUrl: '',
    messageBody: '',
    messageGroupId: '',
    messageDeduplicationId: '',
    delaySeconds: '',
    flowKey: '',
    ratePerSecond: '',
    maxInFlight: '',
    timeoutMs: '',
    retries: '',
    retryIntervalMs: '',
    retryBackoff: '',
    retryOn: 'any',
  };
}

/** JSON as a field holds it: empty for none, indented otherwise. */
function jsonText(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

const text = (value: number | string | null | undefined) => (value === undefined || value === null ? '' : String(value));

/**
 * A draft of a call as a resource shows it, to edit it. What the resource leaves out (an
 * orchestration step's headers, body and retry fields) stays empty: the API's defaults.
 */
export function draftOf(call: CallView & Partial<RetryPolicy> & { id?: string; retryOn?: RetryOn }): CallDraft {
  const draft = emptyCall(call.method ?? 'POST');
  draft.id = call.id ?? '';
  if (call.sqs) {
    Object.assign(draft, {
      target: 'sqs',
      queueUrl: call.sqs.queueUrl,
      messageBody: jsonText(call.sqs.messageBody),
      messageGroupId: call.sqs.messageGroupId ?? '',
      messageDeduplicationId: call.sqs.messageDeduplicationId ?? '',
      delaySeconds: text(call.sqs.delaySeconds),
    });
  } else if (call.lambda) {
    Object.assign(draft, {
      target: 'lambda',
      fn: call.lambda.function,
      qualifier: call.lambda.qualifier ?? '',
      invocationType: call.lambda.invocationType,
      payload: jsonText(call.lambda.payload),
    });
  } else {
    Object.assign(draft, {
      url: call.url ?? '',
      headers: call.headers && Object.keys(call.headers).length > 0 ? JSON.stringify(call.headers) : '',
      body: jsonText(call.body),
    });
  }
  if (call.flowControl) {
    Object.assign(draft, {
      flowKey: call.flowControl.key ?? '',
      ratePerSecond: text(call.flowControl.ratePerSecond),
      maxInFlight: text(call.flowControl.maxInFlight),
    });
  }
  return Object.assign(draft, {
    timeoutMs: text(call.timeoutMs),
    retries: text(call.retries),
    retryIntervalMs: text(call.retryIntervalMs),
    retryBackoff: text(call.retryBackoff),
    retryOn: call.retryOn ?? 'any',
  });
}

/** Which parts of a call an editor offers. */
export interface CallOptions {
  /** Its retry policy (retries, interval, backoff, retryOn). */
  withRetry: boolean;
  /** An id (orchestration calls). */
  withId?: boolean;
  /** A callback: no body, payload or message of its own (the run's outcome is all three). */
  callback?: boolean;
}

/** The form's own findings, by path, added to as a request is built. */
export type Problems = FieldErrors;

/** JSON text as a value; undefined when empty; a problem at `path` when it is not JSON. */
export function parseJson(text: string, path: string, problems: Problems): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    problems[path] = [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`];
    return undefined;
  }
}

/** Headers JSON: an object whose values are all strings. */
export function parseHeaders(text: string, path: string, problems: Problems): Record<string, string> | undefined {
  const value = parseJson(text, path, problems);
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems[path] = ['must be a JSON object of header names to values, like {"x-api-key": "k-123"}'];
    return undefined;
  }
  const notText = Object.entries(value).filter(([, v]) => typeof v !== 'string');
  if (notText.length > 0) {
    problems[path] = [`every value must be a string; not ${notText.map(([k]) => k).join(', ')}`];
    return undefined;
  }
  return value as Record<string, string>;
}

/** A number field's value; undefined when empty; a problem when it is not a number. */
export function parseNumber(text: string, path: string, problems: Problems): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) {
    problems[path] = ['must be a number'];
    return undefined;
  }
  return n;
}

/**
 * The API's call (and retry fields when asked) from a draft; problems found go to `problems`
 * under `prefix`. `options` may be a boolean: withRetry.
 */
export function toCall(draft: CallDraft, prefix: string, problems: Problems, options: boolean | CallOptions): Record<string, unknown> {
  const { withRetry, withId, callback } = typeof options === 'boolean' ? { withRetry: options } : options;
  const call: Record<string, unknown> = {};
  if (withId && draft.id.trim()) call.id = draft.id.trim();
  if (draft.target === 'http') {
    call.url = draft.url.trim();
    call.method = draft.method;
    const headers = parseHeaders(draft.headers, `${prefix}headers`, problems);
    if (headers !== undefined) call.headers = headers;
    const body = callback ? undefined : parseJson(draft.body, `${prefix}body`, problems);
    if (body !== undefined) call.body = body;
  } else if (draft.target === 'lambda') {
    const lambda: Record<string, unknown> = { function: draft.fn.trim(), invocationType: draft.invocationType };
    if (draft.qualifier.trim()) lambda.qualifier = draft.qualifier.trim();
    const payload = callback ? undefined : parseJson(draft.payload, `${prefix}lambda.payload`, problems);
    if (payload !== undefined) lambda.payload = payload;
    call.lambda = lambda;
  } else {
    const sqs: Record<string, unknown> = { queueUrl: draft.queueUrl.trim() };
    if (!callback) {
      const body = parseJson(draft.messageBody, `${prefix}sqs.messageBody`, problems);
      // The message body is required: the API names it when it is missing.
      if (body !== undefined) sqs.messageBody = body;
    }
    if (draft.messageGroupId.trim()) sqs.messageGroupId = draft.messageGroupId.trim();
    if (draft.messageDeduplicationId.trim()) sqs.messageDeduplicationId = draft.messageDeduplicationId.trim();
    const delay = parseNumber(draft.delaySeconds, `${prefix}sqs.delaySeconds`, problems);
    if (delay !== undefined) sqs.delaySeconds = delay;
    call.sqs = sqs;
  }
  const numbers = withRetry ? (['timeoutMs', 'retries', 'retryIntervalMs', 'retryBackoff'] as const) : (['timeoutMs'] as const);
  for (const key of numbers) {
    const n = parseNumber(draft[key], `${prefix}${key}`, problems);
    if (n !== undefined) call[key] = n;
  }
  if (withRetry && draft.retryOn !== 'any') call.retryOn = draft.retryOn;
  const flowControl: Record<string, unknown> = {};
  if (draft.flowKey.trim()) flowControl.key = draft.flowKey.trim();
  for (const key of ['ratePerSecond', 'maxInFlight'] as const) {
    const n = parseNumber(draft[key], `${prefix}flowControl.${key}`, problems);
    if (n !== undefined) flowControl[key] = n;
  }
  if (Object.keys(flowControl).length > 0) call.flowControl = flowControl;
  return call;
}

/** The messages of the draft's fields while they are typed (bad JSON, not a number). */
export function liveProblems(draft: CallDraft, prefix: string, options: boolean | CallOptions): Problems {
  const problems: Problems = {};
  toCall(draft, prefix, problems, options);
  return problems;
}

const METHODS = HTTP_METHODS.map((m) => [m, m] as const);
const RETRY_ON_WORDS = RETRY_ON_CHOICES.map(
  (r) => [r, r === 'any' ? 'any failure' : 'only transient failures: network errors, timeouts, 408, 425, 429, 5xx'] as const,
);
const TARGETS: Record<Target, string> = { http: 'HTTP request', lambda: 'AWS Lambda function', sqs: 'Amazon SQS message' };
const INVOCATIONS = INVOCATION_TYPES.map(
  (t) => [t, t === 'Event' ? 'Event (queue it; succeed on 202)' : 'RequestResponse (wait for the answer)'] as const,
);

/**
 * One call: an HTTP request, a Lambda invocation or an SQS message, its time limit, flow control
 * and (when `withRetry`) its retry policy; an id when `withId`. Fields are named by their API
 * path under `prefix` (`steps[0].`), so the API's 400 messages land next to them.
 */
export function CallEditor(props: {
  legend: string;
  prefix: string;
  draft: CallDraft;
  onChange: (draft: CallDraft) => void;
  errors: FieldErrors;
  withRetry: boolean;
  withId?: boolean;
  callback?: boolean;
  /** The targets offered (default all three). */
  targets?: readonly Target[];
  /** Flow control and retryOn (default on; a schedule's PATCH does not change them). */
  withFlow?: boolean;
  /** Fields before the call's own, inside its group (a step's kind). */
  before?: ComponentChildren;
}) {
  const { draft, prefix, errors } = props;
  const set = (change: Partial<CallDraft>) => props.onChange({ ...draft, ...change });
  const name = `target-${prefix || 'call'}`;
  const targets = props.targets ?? (['http', 'lambda', 'sqs'] as const);
  const more = [
    `${prefix}flowControl`,
    `${prefix}flowControl.key`,
    `${prefix}flowControl.ratePerSecond`,
    `${prefix}flowControl.maxInFlight`,
    `${prefix}retryOn`,
  ];
  const moreOpen =
    more.some((path) => errors[path]) || !!(draft.flowKey || draft.ratePerSecond || draft.maxInFlight) || draft.retryOn !== 'any';
  return (
    <Group legend={props.legend} class="call-editor">
      {props.before}
      {props.withId && (
        <TextField
          path={`${prefix}id`}
          label="Call id (optional)"
          value={draft.id}
          onInput={(id) => set({ id })}
          errors={errors}
          placeholder="reserve"
          hint="Later calls use its answer as {{calls.<id>.status}} or {{calls.<id>.body.<path>}}."
        />
      )}
      <Choice
        legend="Target"
        name={name}
        value={draft.target}
        options={targets.map((t) => [t, TARGETS[t]] as const)}
        onChange={(target) => set({ target })}
      />
      {draft.target === 'sqs' ? (
        <>
          <TextField
            path={`${prefix}sqs.queueUrl`}
            label="Queue URL"
            value={draft.queueUrl}
            onInput={(queueUrl) => set({ queueUrl })}
            errors={errors}
            type="url"
            placeholder="https://sqs.eu-central-1.amazonaws.com/123456789012/orders"
          />
          {!props.callback && (
            <JsonField
              path={`${prefix}sqs.messageBody`}
              label="Message body (JSON)"
              value={draft.messageBody}
              onInput={(messageBody) => set({ messageBody })}
              errors={errors}
              hint="Any JSON value; the message is its JSON text."
            />
          )}
          <div class="row">
            <TextField
              path={`${prefix}sqs.messageGroupId`}
              label="Message group (FIFO, optional)"
              value={draft.messageGroupId}
              onInput={(messageGroupId) => set({ messageGroupId })}
              errors={errors}
            />
            <TextField
              path={`${prefix}sqs.messageDeduplicationId`}
              label="Deduplication id (FIFO, optional)"
              value={draft.messageDeduplicationId}
              onInput={(messageDeduplicationId) => set({ messageDeduplicationId })}
              errors={errors}
            />
            <TextField
              path={`${prefix}sqs.delaySeconds`}
              label="Deliver after (s, optional)"
              value={draft.delaySeconds}
              onInput={(delaySeconds) => set({ delaySeconds })}
              errors={errors}
              numeric
              placeholder="0"
            />
          </div>
        </>
      ) : draft.target === 'http' ? (
        <>
          <div class="row">
            <SelectField
              path={`${prefix}method`}
              label="Method"
              value={draft.method}
              options={METHODS}
              onChange={(method) => set({ method })}
              errors={errors}
            />
            <TextField
              path={`${prefix}url`}
              label="URL"
              value={draft.url}
              onInput={(url) => set({ url })}
              errors={errors}
              type="url"
              placeholder="https://abc123.lambda-url.eu-central-1.on.aws/jobs/report"
            />
          </div>
          <JsonField
            path={`${prefix}headers`}
            label="Headers (JSON object)"
            value={draft.headers}
            onInput={(headers) => set({ headers })}
            errors={errors}
            hint='For example {"x-api-key": "k-123"}. Idempotency-Key, X-Task-* and webhook-* are set by the scheduler.'
          />
          {props.callback ? (
            <p class="hint">Its body is the run's outcome: id, kind, status, owner, runAt, finishedAt, attempts, result, error.</p>
          ) : (
            <JsonField
              path={`${prefix}body`}
              label="Body (JSON)"
              value={draft.body}
              onInput={(body) => set({ body })}
              errors={errors}
              hint={draft.method === 'GET' ? 'A GET sends no body.' : 'Any JSON value, sent as the request body.'}
            />
          )}
        </>
      ) : (
        <>
          <div class="row">
            <TextField
              path={`${prefix}lambda.function`}
              label="Function"
              value={draft.fn}
              onInput={(fn) => set({ fn })}
              errors={errors}
              hint="A name, name:alias, or a full or partial ARN."
            />
            <TextField
              path={`${prefix}lambda.qualifier`}
              label="Qualifier (optional)"
              value={draft.qualifier}
              onInput={(qualifier) => set({ qualifier })}
              errors={errors}
            />
          </div>
          <SelectField
            path={`${prefix}lambda.invocationType`}
            label="Invocation"
            value={draft.invocationType}
            options={INVOCATIONS}
            onChange={(invocationType) => set({ invocationType })}
            errors={errors}
          />
          {!props.callback && (
            <JsonField
              path={`${prefix}lambda.payload`}
              label="Payload (JSON)"
              value={draft.payload}
              onInput={(payload) => set({ payload })}
              errors={errors}
            />
          )}
        </>
      )}
      <div class="row numbers">
        <TextField
          path={`${prefix}timeoutMs`}
          label="Timeout per attempt (ms)"
          value={draft.timeoutMs}
          onInput={(timeoutMs) => set({ timeoutMs })}
          errors={errors}
          numeric
          placeholder="10000"
        />
        {props.withRetry && (
          <>
            <TextField
              path={`${prefix}retries`}
              label="Retries"
              value={draft.retries}
              onInput={(retries) => set({ retries })}
              errors={errors}
              numeric
              placeholder="0"
            />
            <TextField
              path={`${prefix}retryIntervalMs`}
              label="First retry after (ms)"
              value={draft.retryIntervalMs}
              onInput={(retryIntervalMs) => set({ retryIntervalMs })}
              errors={errors}
              numeric
              placeholder="1000"
            />
            <TextField
              path={`${prefix}retryBackoff`}
              label="Backoff (× per retry)"
              value={draft.retryBackoff}
              onInput={(retryBackoff) => set({ retryBackoff })}
              errors={errors}
              numeric
              placeholder="1"
            />
          </>
        )}
      </div>
      {props.withFlow !== false && (
        <details class="more" open={moreOpen}>
          <summary>Flow control{props.withRetry ? ' and which failures are retried' : ''} (optional)</summary>
          <div class="row numbers">
            <TextField
              path={`${prefix}flowControl.ratePerSecond`}
              label="At most, calls a second"
              value={draft.ratePerSecond}
              onInput={(ratePerSecond) => set({ ratePerSecond })}
              errors={errors}
              numeric
              placeholder="5"
            />
            <TextField
              path={`${prefix}flowControl.maxInFlight`}
              label="At most, calls at once"
              value={draft.maxInFlight}
              onInput={(maxInFlight) => set({ maxInFlight })}
              errors={errors}
              numeric
              placeholder="2"
            />
            <TextField
              path={`${prefix}flowControl.key`}
              label="Shared by the key (optional)"
              value={draft.flowKey}
              onInput={(flowKey) => set({ flowKey })}
              errors={errors}
              placeholder="partner-api"
              hint="Your calls with the same key share the limits; default: the destination."
            />
          </div>
          {errors[`${prefix}flowControl`] && <p class="field-error">{errors[`${prefix}flowControl`].join('; ')}</p>}
          {props.withRetry && (
            <SelectField
              path={`${prefix}retryOn`}
              label="Retry on"
              value={draft.retryOn}
              options={RETRY_ON_WORDS}
              onChange={(retryOn) => set({ retryOn })}
              errors={errors}
            />
          )}
        </details>
      )}
    </Group>
  );
}
