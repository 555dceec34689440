import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { api, ApiError, newIdempotencyKey } from './api';
import { CallEditor, emptyCall, liveProblems, parseNumber, toCall, type CallDraft, type Problems } from './call-editor';
import { setFlash, useHeadingFocus } from './components';
import type { Action } from './errors';
import { Choice, ErrorSummary, Group, TextField, type FieldErrors } from './fields';
import { fromLocalInput, localZone } from './format';
import { useTitle } from './hooks';
import { CheckEditor, checkLiveProblems, emptyCheck, emptyStep, StepsEditor, stepsLiveProblems, toCheck, toSteps } from './plan-editor';
import { href, navigate } from './router';
import { CallbackEditor, emptyCallback, toCallback, toTags, TagsEditor, type TagDraft } from './run-extras';
import { MoreFields, TimingFields, toAt, toEveryMs, type MoreDraft, type TimingDraft } from './schedule-fields';
import type { Orchestration, OverlapPolicy, Schedule, Task } from './types';

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
    // A build may read a file first (a deployment package): it may answer later.
    build: (problems: Problems) => unknown,
    post: (body: unknown, key: string) => Promise<T>,
    done: (created: T) => void,
  ) => {
    const problems: Problems = {};
    const body: unknown = await build(problems);
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

export type Submit<T> = ReturnType<typeof useSubmit<T>>;

export function merge(...sources: FieldErrors[]): FieldErrors {
  const merged: FieldErrors = {};
  for (const source of sources)
    for (const [path, messages] of Object.entries(source)) merged[path] = [...new Set([...(merged[path] ?? []), ...messages])];
  return merged;
}

export type When = 'now' | 'at' | 'delay';

/** When a run starts, as typed: now, at a time (in the browser's zone), or after a delay. */
export interface WhenDraft {
  when: When;
  at: string;
  delay: string;
}

export const START_NOW: WhenDraft = { when: 'now', at: '', delay: '' };

/**
 * When a run starts: now, at a time (in the browser's zone), or after a delay. The API's paths
 * of its fields: `${prefix}runAt` and `${prefix}${delayKey}`.
 */
export function WhenFields(props: {
  draft: WhenDraft;
  onChange: (draft: WhenDraft) => void;
  delayKey: string;
  prefix?: string;
  errors: FieldErrors;
}) {
  const { draft, prefix = '' } = props;
  const set = (change: Partial<WhenDraft>) => props.onChange({ ...draft, ...change });
  return (
    <Group legend="When">
      <Choice
        legend="Start"
        name="when"
        value={draft.when}
        options={[
          ['now', 'Now'],
          ['at', 'At a time'],
          ['delay', 'After a delay'],
        ]}
        onChange={(when) => set({ when })}
      />
      {draft.when === 'at' && (
        <TextField
          path={`${prefix}runAt`}
          label="Time"
          type="datetime-local"
          step="1"
          value={draft.at}
          onInput={(at) => set({ at })}
          errors={props.errors}
          hint={`In your time zone, ${localZone()}.`}
        />
      )}
      {draft.when === 'delay' && (
        <TextField
          path={`${prefix}${props.delayKey}`}
          label="Delay (ms)"
          value={draft.delay}
          onInput={(delay) => set({ delay })}
          errors={props.errors}
          numeric
          placeholder="90000"
        />
      )}
    </Group>
  );
}

/**
 * The timing fields of a request (`runAt`, or the delay as `delayKey`; none for now); a problem,
 * under `prefix`, when the chosen one is empty or not a time.
 */
export function timing({ when, at, delay }: WhenDraft, delayKey: string, problems: Problems, prefix = ''): Record<string, unknown> {
  if (when === 'at') {
    const runAt = fromLocalInput(at);
    if (!runAt) problems[`${prefix}runAt`] = ['give a date and time'];
    return runAt ? { runAt } : {};
  }
  if (when === 'delay') {
    const path = `${prefix}${delayKey}`;
    const ms = parseNumber(delay, path, problems);
    if (ms === undefined) problems[path] ??= ['give the delay in ms'];
    return ms === undefined ? {} : { [delayKey]: ms };
  }
  return {};
}

/**
 * A form of the dashboard: submitted, it builds its request and sends it through `submit`
 * (the browser's own validation is off: the form's checks and the API's are shown instead).
 */
export function SendingForm<T>(props: {
  submit: Submit<T>;
  build: (problems: Problems) => unknown;
  send: (body: unknown, key: string) => Promise<T>;
  done: (saved: T) => void;
  children: ComponentChildren;
}) {
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void props.submit.send(props.build, props.send, props.done);
      }}
    >
      {props.children}
    </form>
  );
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
  const [start, setStart] = useState(START_NOW);
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
      ...timing(start, 'delayMs', problems),
      ...(Object.keys(given).length > 0 ? { tags: given } : {}),
      ...(made ? { callback: made } : {}),
    };
  };
  return (
    <SendingForm
      submit={submit}
      build={build}
      send={(body, key) => api.post<Task>('/tasks', body, { 'idempotency-key': key })}
      done={(task) => {
        setFlash(`Task created: ${task.name ?? task.id}.`);
        navigate(href.task(task.id));
      }}
    >
      <FormHead title="New task" />
      {submit.summary(live)}
      <NameField value={name} onInput={setName} errors={errors} />
      <CallEditor legend="Call" prefix="" draft={call} onChange={setCall} errors={errors} withRetry />
      <WhenFields draft={start} onChange={setStart} delayKey="delayMs" errors={errors} />
      <TagsEditor path="tags" rows={tags} onChange={setTags} errors={errors} />
      <CallbackEditor prefix="callback." draft={callback} onChange={setCallback} errors={errors} />
      <SubmitRow busy={submit.busy} label="Create task" cancelTo="/ui/tasks" />
    </SendingForm>
  );
}

/** `POST /orchestrations` from a form: steps (calls, parallel groups, waits), the condition check, an optional fallback. */
export function NewOrchestrationPage() {
  const [name, setName] = useState('');
  const [steps, setSteps] = useState([emptyStep()]);
  const [check, setCheck] = useState(emptyCheck());
  const [withFallback, setWithFallback] = useState(false);
  const [fallback, setFallback] = useState<CallDraft>(emptyCall());
  const [start, setStart] = useState(START_NOW);
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
      ...timing(start, 'initialDelayMs', problems),
      ...(Object.keys(given).length > 0 ? { tags: given } : {}),
      ...(made ? { callback: made } : {}),
    };
  };
  return (
    <SendingForm
      submit={submit}
      build={build}
      send={(body, key) => api.post<Orchestration>('/orchestrations', body, { 'idempotency-key': key })}
      done={(o) => {
        setFlash(`Orchestration created: ${o.name ?? o.id}.`);
        navigate(href.orchestration(o.id));
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
      <WhenFields draft={start} onChange={setStart} delayKey="initialDelayMs" errors={errors} />
      <TagsEditor path="tags" rows={tags} onChange={setTags} errors={errors} />
      <CallbackEditor prefix="callback." draft={callback} onChange={setCallback} errors={errors} />
      <SubmitRow busy={submit.busy} label="Create orchestration" cancelTo="/ui/orchestrations" />
    </SendingForm>
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

/** `POST /schedules` from a form: a task, and a cron, an interval or a list of times. */
export function NewSchedulePage() {
  const [name, setName] = useState('');
  const [timing, setTiming] = useState<TimingDraft>({ kind: 'cron', cron: '', timezone: localZone(), everyMs: '', at: [''] });
  const [more, setMore] = useState<MoreDraft>({ startAt: '', endAt: '', jitterMs: '', catchupWindowMs: '' });
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

  const build = (problems: Problems) => {
    const made = toCallback(callback, 'task.callback.', problems);
    const given = toTags(tags, 'tags', problems);
    const body: Record<string, unknown> = {
      ...(name.trim() ? { name: name.trim() } : {}),
      task: { ...toCall(task, 'task.', problems, true), ...(made ? { callback: made } : {}) },
      timezone: timing.timezone.trim(),
      ...(Object.keys(given).length > 0 ? { tags: given } : {}),
    };
    if (timing.kind === 'cron') body.cron = timing.cron.trim();
    if (timing.kind === 'everyMs') body.everyMs = toEveryMs(timing.everyMs, problems);
    if (timing.kind === 'at') body.at = toAt(timing.at, problems);
    for (const key of ['startAt', 'endAt'] as const) if (more[key]) body[key] = fromLocalInput(more[key]) ?? more[key];
    for (const key of ['jitterMs', 'catchupWindowMs'] as const) {
      const n = parseNumber(more[key], key, problems);
      if (n !== undefined) body[key] = n;
    }
    if (overlap !== 'skip') body.overlap = overlap;
    if (paused) body.paused = true;
    return body;
  };

  return (
    <SendingForm
      submit={submit}
      build={build}
      send={(body, key) => api.post<Schedule>('/schedules', body, { 'idempotency-key': key })}
      done={(s) => {
        setFlash(`Schedule created: ${s.name ?? s.id}.`);
        navigate(href.schedule(s.id));
      }}
    >
      <FormHead title="New schedule" />
      <p class="lead">Each run is a task, listed under Tasks with this schedule.</p>
      {submit.summary(live)}
      <NameField value={name} onInput={setName} errors={errors} hint="A label of your own; also the name of every run." />
      <TimingFields draft={timing} onChange={setTiming} errors={errors} />
      <MoreFields
        summary="More options: start, end, jitter, overlap, catch-up, paused"
        emptyBound="optional"
        more={more}
        setMore={setMore}
        overlap={overlap}
        setOverlap={setOverlap}
        errors={errors}
      >
        <label class="switch">
          <input type="checkbox" checked={paused} onChange={(e) => setPaused(e.currentTarget.checked)} /> Create it paused
        </label>
      </MoreFields>
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
    </SendingForm>
  );
}
