import { useRef, useState } from 'preact/hooks';
import { api, ApiError, newIdempotencyKey } from './api';
import { CallEditor, emptyCall, liveProblems, parseNumber, toCall, type CallDraft, type Problems } from './call-editor';
import { setFlash, useHeadingFocus } from './components';
import type { Action } from './errors';
import { Choice, ErrorSummary, Field, Group, TextField, type FieldErrors } from './fields';
import { fromLocalInput, localZone } from './format';
import { useTitle } from './hooks';
import { CheckEditor, checkLiveProblems, emptyCheck, emptyStep, StepsEditor, stepsLiveProblems, toCheck, toSteps } from './plan-editor';
import { href, navigate } from './router';
import { CallbackEditor, emptyCallback, toCallback, toTags, TagsEditor, type TagDraft } from './run-extras';
import type { Orchestration, OverlapPolicy, Schedule, Task } from './types';
import { cronInWords, everyInWords, OVERLAP_IN_WORDS } from './words';

/**
 * Sending a form: the form's own checks first (nothing is sent while one fails), then the API;
 * its 400 names the fields, shown next to them and in the summary. One Idempotency-Key per
 * creation, kept when no answer came (so a retry cannot create twice), new after any answer.
 */
export function useSubmit<T>(action: Action = 'create') {
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [ownErrors, setOwnErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [shown, setShown] = useState(0);
  const [busy, setBusy] = useState(false);
  const key = useRef<string | null>(null);

  const send = async (
    build: (problems: Problems) => unknown,
    post: (body: unknown, key: string) => Promise<T>,
    done: (created: T) => void,
  ) => {
    const problems: Problems = {};
    const body = build(problems);
    setServerErrors({});
    setError(null);
    setOwnErrors(problems);
    if (Object.keys(problems).length > 0) {
      setShown((n) => n + 1);
      return;
    }
    setBusy(true);
    key.current ??= newIdempotencyKey();
    try {
      const created = await post(body, key.current);
      key.current = null;
      done(created);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status !== 0) key.current = null;
      setError(err);
      setServerErrors(err.fieldErrors);
      setShown((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };
  /** Every message to show: the form's live checks, its checks at the last submit, the API's. */
  const errors = (live: Problems): FieldErrors => merge(live, ownErrors, serverErrors);
  const summary = (live: Problems) => <ErrorSummary error={error} errors={shown > 0 ? errors(live) : {}} shown={shown} action={action} />;
  return { send, errors, summary, busy };
}

export function merge(...sources: FieldErrors[]): FieldErrors {
  const merged: FieldErrors = {};
  for (const source of sources)
    for (const [path, messages] of Object.entries(source)) merged[path] = [...new Set([...(merged[path] ?? []), ...messages])];
  return merged;
}

export type When = 'now' | 'at' | 'delay';

/** When a run starts: now, at a time (in the browser's zone), or after a delay. */
export function WhenFields(props: {
  when: When;
  setWhen: (w: When) => void;
  at: string;
  setAt: (v: string) => void;
  delay: string;
  setDelay: (v: string) => void;
  /** The API's path of the time (default runAt). */
  atPath?: string;
  delayPath: string;
  errors: FieldErrors;
}) {
  return (
    <Group legend="When">
      <Choice
        legend="Start"
        name="when"
        value={props.when}
        options={[
          ['now', 'Now'],
          ['at', 'At a time'],
          ['delay', 'After a delay'],
        ]}
        onChange={props.setWhen}
      />
      {props.when === 'at' && (
        <TextField
          path={props.atPath ?? 'runAt'}
          label="Time"
          type="datetime-local"
          step="1"
          value={props.at}
          onInput={props.setAt}
          errors={props.errors}
          hint={`In your time zone, ${localZone()}.`}
        />
      )}
      {props.when === 'delay' && (
        <TextField
          path={props.delayPath}
          label="Delay (ms)"
          value={props.delay}
          onInput={props.setDelay}
          errors={props.errors}
          numeric
          placeholder="90000"
        />
      )}
    </Group>
  );
}

/** The timing fields of a request; a problem when the chosen one is empty or not a time. */
export function timing(when: When, at: string, delay: string, delayPath: string, problems: Problems): Record<string, unknown> {
  if (when === 'at') {
    const runAt = fromLocalInput(at);
    if (!runAt) problems.runAt = ['give a date and time'];
    return runAt ? { runAt } : {};
  }
  if (when === 'delay') {
    const ms = parseNumber(delay, delayPath, problems);
    if (ms === undefined && !problems[delayPath]) problems[delayPath] = ['give the delay in ms'];
    return ms === undefined ? {} : { [delayPath]: ms };
  }
  return {};
}

export function NameField({
  value,
  onInput,
  errors,
  hint,
}: {
  value: string;
  onInput: (v: string) => void;
  errors: FieldErrors;
  hint?: string;
}) {
  return (
    <TextField path="name" label="Name (optional)" value={value} onInput={onInput} errors={errors} hint={hint ?? 'A label of your own.'} />
  );
}

export function FormHead({ title }: { title: string }) {
  useTitle(title);
  const heading = useHeadingFocus([title]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {title}
    </h1>
  );
}

export function SubmitRow({
  busy,
  label,
  cancelTo,
  back = 'Back to the list',
}: {
  busy: boolean;
  label: string;
  cancelTo: string;
  back?: string;
}) {
  return (
    <div class="submit-row">
      <button type="submit" class="primary" disabled={busy} aria-disabled={busy}>
        {busy ? 'Sending…' : label}
      </button>
      <a href={cancelTo}>{back}</a>
    </div>
  );
}

/** `POST /tasks` from a form. */
export function NewTaskPage() {
  const [name, setName] = useState('');
  const [call, setCall] = useState<CallDraft>(emptyCall());
  const [when, setWhen] = useState<When>('now');
  const [at, setAt] = useState('');
  const [delay, setDelay] = useState('');
  const [tags, setTags] = useState<TagDraft[]>([]);
  const [callback, setCallback] = useState(emptyCallback());
  const submit = useSubmit<Task>();
  const live = merge(
    liveProblems(call, '', true),
    callback.enabled ? liveProblems(callback.call, 'callback.', { withRetry: true, callback: true }) : {},
  );
  const errors = submit.errors(live);

  const build = (problems: Problems) => {
    const given = toTags(tags, 'tags', problems);
    const made = toCallback(callback, 'callback.', problems);
    return {
      ...(name.trim() ? { name: name.trim() } : {}),
      ...toCall(call, '', problems, true),
      ...timing(when, at, delay, 'delayMs', problems),
      ...(Object.keys(given).length > 0 ? { tags: given } : {}),
      ...(made ? { callback: made } : {}),
    };
  };
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit.send(
          build,
          (body, key) => api.post<Task>('/tasks', body, { 'idempotency-key': key }),
          (task) => {
            setFlash(`Task created: ${task.name ?? task.id}.`);
            navigate(href.task(task.id));
          },
        );
      }}
    >
      <FormHead title="New task" />
      {submit.summary(live)}
      <NameField value={name} onInput={setName} errors={errors} />
      <CallEditor legend="Call" prefix="" draft={call} onChange={setCall} errors={errors} withRetry />
      <WhenFields
        when={when}
        setWhen={setWhen}
        at={at}
        setAt={setAt}
        delay={delay}
        setDelay={setDelay}
        delayPath="delayMs"
        errors={errors}
      />
      <TagsEditor path="tags" rows={tags} onChange={setTags} errors={errors} />
      <CallbackEditor prefix="callback." draft={callback} onChange={setCallback} errors={errors} />
      <SubmitRow busy={submit.busy} label="Create task" cancelTo="/ui/tasks" />
    </form>
  );
}

/** `POST /orchestrations` from a form: steps (calls, parallel groups, waits), the condition check, an optional fallback. */
export function NewOrchestrationPage() {
  const [name, setName] = useState('');
  const [steps, setSteps] = useState([emptyStep()]);
  const [check, setCheck] = useState(emptyCheck());
  const [withFallback, setWithFallback] = useState(false);
  const [fallback, setFallback] = useState<CallDraft>(emptyCall());
  const [when, setWhen] = useState<When>('now');
  const [at, setAt] = useState('');
  const [delay, setDelay] = useState('');
  const [tags, setTags] = useState<TagDraft[]>([]);
  const [callback, setCallback] = useState(emptyCallback());
  const submit = useSubmit<Orchestration>();
  const live = merge(
    stepsLiveProblems(steps),
    checkLiveProblems(check),
    withFallback ? liveProblems(fallback, 'fallback.', FALLBACK) : {},
    callback.enabled ? liveProblems(callback.call, 'callback.', { withRetry: true, callback: true }) : {},
  );
  const errors = submit.errors(live);

  const build = (problems: Problems) => {
    const given = toTags(tags, 'tags', problems);
    const made = toCallback(callback, 'callback.', problems);
    return {
      ...(name.trim() ? { name: name.trim() } : {}),
      steps: toSteps(steps, problems),
      conditionCheck: toCheck(check, problems),
      ...(withFallback ? { fallback: toCall(fallback, 'fallback.', problems, FALLBACK) } : {}),
      ...timing(when, at, delay, 'initialDelayMs', problems),
      ...(Object.keys(given).length > 0 ? { tags: given } : {}),
      ...(made ? { callback: made } : {}),
    };
  };
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit.send(
          build,
          (body, key) => api.post<Orchestration>('/orchestrations', body, { 'idempotency-key': key }),
          (o) => {
            setFlash(`Orchestration created: ${o.name ?? o.id}.`);
            navigate(href.orchestration(o.id));
          },
        );
      }}
    >
      <FormHead title="New orchestration" />
      <p class="lead">
        Makes each step in order: a call, parallel branches, or a wait to be resumed. After each call or group the condition check is called
        until it answers 2xx; if a step fails, its checks run out or a wait times out, the fallback is called and the orchestration ends
        failed.
      </p>
      {submit.summary(live)}
      <NameField value={name} onInput={setName} errors={errors} />
      <StepsEditor steps={steps} onChange={setSteps} errors={errors} />
      <CheckEditor check={check} onChange={setCheck} errors={errors} />
      <FallbackFields enabled={withFallback} setEnabled={setWithFallback} fallback={fallback} setFallback={setFallback} errors={errors} />
      <WhenFields
        when={when}
        setWhen={setWhen}
        at={at}
        setAt={setAt}
        delay={delay}
        setDelay={setDelay}
        delayPath="initialDelayMs"
        errors={errors}
      />
      <TagsEditor path="tags" rows={tags} onChange={setTags} errors={errors} />
      <CallbackEditor prefix="callback." draft={callback} onChange={setCallback} errors={errors} />
      <SubmitRow busy={submit.busy} label="Create orchestration" cancelTo="/ui/orchestrations" />
    </form>
  );
}

/** A fallback's call: its retry policy and an id. */
export const FALLBACK = { withRetry: true, withId: true } as const;

/** Whether there is a fallback, and its call. */
export function FallbackFields(props: {
  enabled: boolean;
  setEnabled: (on: boolean) => void;
  fallback: CallDraft;
  setFallback: (call: CallDraft) => void;
  errors: FieldErrors;
}) {
  return (
    <>
      <label class="switch">
        <input type="checkbox" checked={props.enabled} onChange={(e) => props.setEnabled(e.currentTarget.checked)} /> Call a fallback when a
        step or its checks fail
      </label>
      {props.enabled && (
        <CallEditor
          legend="Fallback"
          prefix="fallback."
          draft={props.fallback}
          onChange={props.setFallback}
          errors={props.errors}
          withRetry
          withId
        />
      )}
    </>
  );
}

type Kind = 'cron' | 'everyMs' | 'at';
const OVERLAPS = (Object.keys(OVERLAP_IN_WORDS) as OverlapPolicy[]).map((p) => [p, `${p}: ${OVERLAP_IN_WORDS[p]}`] as const);

/** `POST /schedules` from a form: a task, and a cron, an interval or a list of times. */
export function NewSchedulePage() {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('cron');
  const [cron, setCron] = useState('');
  const [timezone, setTimezone] = useState(localZone());
  const [everyMs, setEveryMs] = useState('');
  const [at, setAt] = useState<string[]>(['']);
  const [more, setMore] = useState({ startAt: '', endAt: '', jitterMs: '', catchupWindowMs: '' });
  const [overlap, setOverlap] = useState<OverlapPolicy>('skip');
  const [paused, setPaused] = useState(false);
  const [task, setTask] = useState<CallDraft>(emptyCall());
  const [tags, setTags] = useState<TagDraft[]>([]);
  const [callback, setCallback] = useState(emptyCallback());
  const submit = useSubmit<Schedule>();
  const live = merge(
    liveProblems(task, 'task.', true),
    callback.enabled ? liveProblems(callback.call, 'task.callback.', { withRetry: true, callback: true }) : {},
  );
  const errors = submit.errors(live);
  const moreHasErrors = ['startAt', 'endAt', 'jitterMs', 'catchupWindowMs', 'overlap', 'paused'].some((p) => errors[p]);

  const build = (problems: Problems) => {
    const made = toCallback(callback, 'task.callback.', problems);
    const given = toTags(tags, 'tags', problems);
    const body: Record<string, unknown> = {
      ...(name.trim() ? { name: name.trim() } : {}),
      task: { ...toCall(task, 'task.', problems, true), ...(made ? { callback: made } : {}) },
      timezone: timezone.trim(),
      ...(Object.keys(given).length > 0 ? { tags: given } : {}),
    };
    if (kind === 'cron') body.cron = cron.trim();
    if (kind === 'everyMs') {
      body.everyMs = parseNumber(everyMs, 'everyMs', problems);
      if (body.everyMs === undefined) problems.everyMs ??= ['give the interval in ms'];
    }
    if (kind === 'at') {
      body.at = at.map((value, i) => {
        const iso = fromLocalInput(value);
        if (!iso) problems[`at[${i}]`] = ['give a date and time, or remove this one'];
        return iso;
      });
    }
    for (const key of ['startAt', 'endAt'] as const) if (more[key]) body[key] = fromLocalInput(more[key]) ?? more[key];
    for (const key of ['jitterMs', 'catchupWindowMs'] as const) {
      const n = parseNumber(more[key], key, problems);
      if (n !== undefined) body[key] = n;
    }
    if (overlap !== 'skip') body.overlap = overlap;
    if (paused) body.paused = true;
    return body;
  };

  let preview: string | null = null;
  let previewProblem: string | null = null;
  if (kind === 'cron' && cron.trim()) {
    try {
      preview = `${cronInWords(cron)} (${timezone || 'UTC'})`;
    } catch (err) {
      previewProblem = `Not a cron expression this page can read: ${String(err).replace(/^Error: /, '')}`;
    }
  }
  if (kind === 'everyMs' && Number(everyMs) > 0) preview = everyInWords(Number(everyMs));

  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit.send(
          build,
          (body, key) => api.post<Schedule>('/schedules', body, { 'idempotency-key': key }),
          (s) => {
            setFlash(`Schedule created: ${s.name ?? s.id}.`);
            navigate(href.schedule(s.id));
          },
        );
      }}
    >
      <FormHead title="New schedule" />
      <p class="lead">Each run is a task, listed under Tasks with this schedule.</p>
      {submit.summary(live)}
      <NameField value={name} onInput={setName} errors={errors} hint="A label of your own; also the name of every run." />
      <Group legend="When">
        <Choice
          legend="Timing"
          name="kind"
          value={kind}
          options={[
            ['cron', 'Cron expression'],
            ['everyMs', 'Every interval'],
            ['at', 'At listed times'],
          ]}
          onChange={setKind}
        />
        {kind === 'cron' && (
          <>
            <TextField
              path="cron"
              label="Cron"
              value={cron}
              onInput={setCron}
              errors={errors}
              placeholder="0 9 * * 1-5"
              hint="Minute hour day-of-month month day-of-week, or @daily, @hourly…"
            />
            <TextField
              path="timezone"
              label="Time zone"
              value={timezone}
              onInput={setTimezone}
              errors={errors}
              list="zones"
              hint="The zone the cron is read in (IANA name)."
            />
            <datalist id="zones">
              {Intl.supportedValuesOf('timeZone').map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </>
        )}
        {kind === 'everyMs' && (
          <TextField
            path="everyMs"
            label="Every (ms)"
            value={everyMs}
            onInput={setEveryMs}
            errors={errors}
            numeric
            placeholder="30000"
            hint="Whole seconds, at least 1000; aligned to the Unix epoch."
          />
        )}
        {kind === 'at' && (
          <Field path="at" label="Times" errors={errors} hint={`In your time zone, ${localZone()}.`}>
            {(wiring) => (
              <ol class="at-list" id={wiring.id} aria-describedby={wiring['aria-describedby']}>
                {at.map((value, i) => (
                  <li key={i}>
                    <TextField
                      path={`at[${i}]`}
                      label={`Time ${i + 1}`}
                      type="datetime-local"
                      step="1"
                      value={value}
                      onInput={(v) => setAt(at.map((x, j) => (j === i ? v : x)))}
                      errors={errors}
                    />
                    {at.length > 1 && (
                      <button type="button" class="link" onClick={() => setAt(at.filter((_, j) => j !== i))}>
                        Remove time {i + 1}
                      </button>
                    )}
                  </li>
                ))}
                <li>
                  <button type="button" onClick={() => setAt([...at, ''])}>
                    Add a time
                  </button>
                </li>
              </ol>
            )}
          </Field>
        )}
        <p class="preview" aria-live="polite">
          {preview ?? previewProblem ?? ''}
        </p>
      </Group>
      <details class="more" open={moreHasErrors}>
        <summary>More options: start, end, jitter, overlap, catch-up, paused</summary>
        <div class="row">
          <TextField
            path="startAt"
            label="No run before (optional)"
            type="datetime-local"
            step="1"
            value={more.startAt}
            onInput={(startAt) => setMore({ ...more, startAt })}
            errors={errors}
          />
          <TextField
            path="endAt"
            label="No run after (optional)"
            type="datetime-local"
            step="1"
            value={more.endAt}
            onInput={(endAt) => setMore({ ...more, endAt })}
            errors={errors}
          />
        </div>
        <div class="row numbers">
          <TextField
            path="jitterMs"
            label="Random delay up to (ms)"
            value={more.jitterMs}
            onInput={(jitterMs) => setMore({ ...more, jitterMs })}
            errors={errors}
            numeric
            placeholder="0"
          />
          <TextField
            path="catchupWindowMs"
            label="Catch-up window (ms)"
            value={more.catchupWindowMs}
            onInput={(catchupWindowMs) => setMore({ ...more, catchupWindowMs })}
            errors={errors}
            numeric
            placeholder="60000"
            hint="After an outage, runs missed by at most this much are made up."
          />
        </div>
        <Field path="overlap" label="A run due while the previous one still runs" errors={errors}>
          {(wiring) => (
            <select {...wiring} value={overlap} onChange={(e) => setOverlap(e.currentTarget.value as OverlapPolicy)}>
              {OVERLAPS.map(([value, text]) => (
                <option key={value} value={value}>
                  {text}
                </option>
              ))}
            </select>
          )}
        </Field>
        <label class="switch">
          <input type="checkbox" checked={paused} onChange={(e) => setPaused(e.currentTarget.checked)} /> Create it paused
        </label>
      </details>
      <CallEditor legend="Each run calls" prefix="task." draft={task} onChange={setTask} errors={errors} withRetry />
      <TagsEditor
        path="tags"
        rows={tags}
        onChange={setTags}
        errors={errors}
        hint="Your own labels, also put on each run: task lists filter by them (key:value)."
      />
      <CallbackEditor prefix="task.callback." draft={callback} onChange={setCallback} errors={errors} />
      <SubmitRow busy={submit.busy} label="Create schedule" cancelTo="/ui/schedules" />
    </form>
  );
}
