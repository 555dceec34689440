import { Choice, Group, JsonField, SelectField, TextField, type FieldErrors } from './fields';
import { HTTP_METHODS, INVOCATION_TYPES, type HttpMethod, type InvocationType } from './types';

/** A call as the form holds it: text, as typed. */
export interface CallDraft {
  target: 'http' | 'lambda';
  method: HttpMethod;
  url: string;
  headers: string;
  body: string;
  fn: string;
  qualifier: string;
  invocationType: InvocationType;
  payload: string;
  timeoutMs: string;
  retries: string;
  retryIntervalMs: string;
  retryBackoff: string;
}

/** An empty HTTP call. */
export function emptyCall(method: HttpMethod = 'POST'): CallDraft {
  return {
    target: 'http',
    method,
    url: '',
    headers: '',
    body: '',
    fn: '',
    qualifier: '',
    invocationType: 'RequestResponse',
    payload: '',
    timeoutMs: '',
    retries: '',
    retryIntervalMs: '',
    retryBackoff: '',
  };
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

/** The API's call (and retry fields when asked) from a draft; problems found go to `problems` under `prefix`. */
export function toCall(draft: CallDraft, prefix: string, problems: Problems, withRetry: boolean): Record<string, unknown> {
  const call: Record<string, unknown> = {};
  if (draft.target === 'http') {
    call.url = draft.url.trim();
    call.method = draft.method;
    const headers = parseHeaders(draft.headers, `${prefix}headers`, problems);
    if (headers !== undefined) call.headers = headers;
    const body = parseJson(draft.body, `${prefix}body`, problems);
    if (body !== undefined) call.body = body;
  } else {
    const lambda: Record<string, unknown> = { function: draft.fn.trim(), invocationType: draft.invocationType };
    if (draft.qualifier.trim()) lambda.qualifier = draft.qualifier.trim();
    const payload = parseJson(draft.payload, `${prefix}lambda.payload`, problems);
    if (payload !== undefined) lambda.payload = payload;
    call.lambda = lambda;
  }
  const numbers = withRetry ? (['timeoutMs', 'retries', 'retryIntervalMs', 'retryBackoff'] as const) : (['timeoutMs'] as const);
  for (const key of numbers) {
    const n = parseNumber(draft[key], `${prefix}${key}`, problems);
    if (n !== undefined) call[key] = n;
  }
  return call;
}

/** The messages of the draft's fields while they are typed (bad JSON, not a number). */
export function liveProblems(draft: CallDraft, prefix: string, withRetry: boolean): Problems {
  const problems: Problems = {};
  toCall(draft, prefix, problems, withRetry);
  return problems;
}

const METHODS = HTTP_METHODS.map((m) => [m, m] as const);
const INVOCATIONS = INVOCATION_TYPES.map(
  (t) => [t, t === 'Event' ? 'Event (queue it; succeed on 202)' : 'RequestResponse (wait for the answer)'] as const,
);

/**
 * One call: an HTTP request or a Lambda invocation, its time limit and (when `withRetry`) its
 * retry policy. Fields are named by their API path under `prefix` (`steps[0].`), so the API's
 * 400 messages land next to them.
 */
export function CallEditor(props: {
  legend: string;
  prefix: string;
  draft: CallDraft;
  onChange: (draft: CallDraft) => void;
  errors: FieldErrors;
  withRetry: boolean;
}) {
  const { draft, prefix, errors } = props;
  const set = (change: Partial<CallDraft>) => props.onChange({ ...draft, ...change });
  const name = `target-${prefix || 'call'}`;
  return (
    <Group legend={props.legend} class="call-editor">
      <Choice
        legend="Target"
        name={name}
        value={draft.target}
        options={[
          ['http', 'HTTP request'],
          ['lambda', 'AWS Lambda function'],
        ]}
        onChange={(target) => set({ target })}
      />
      {draft.target === 'http' ? (
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
          <JsonField
            path={`${prefix}body`}
            label="Body (JSON)"
            value={draft.body}
            onInput={(body) => set({ body })}
            errors={errors}
            hint={draft.method === 'GET' ? 'A GET sends no body.' : 'Any JSON value, sent as the request body.'}
          />
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
          <JsonField
            path={`${prefix}lambda.payload`}
            label="Payload (JSON)"
            value={draft.payload}
            onInput={(payload) => set({ payload })}
            errors={errors}
          />
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
    </Group>
  );
}
