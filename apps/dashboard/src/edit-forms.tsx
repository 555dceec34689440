import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api';
import { CallEditor, draftOf, liveProblems, parseNumber, toCall, type CallDraft, type Problems } from './call-editor';
import { CallDetails, ErrorNotice, setFlash } from './components';
import { Choice, Field, Group, TextField } from './fields';
import { fromLocalInput, localZone, toLocalInput } from './format';
import { FALLBACK, FallbackFields, FormHead, merge, NameField, SubmitRow, useSubmit, WhenFields, type When } from './forms';
import { useTitle } from './hooks';
import { CheckEditor, checkDraftOf, checkLiveProblems, stepDraftOf, StepsEditor, stepsLiveProblems, toCheck, toSteps } from './plan-editor';
import { href, navigate } from './router';
import { callbackDraftOf, CallbackEditor, tagDrafts, TagsEditor, toCallback, toTags, type TagDraft } from './run-extras';
import type { Orchestration, OverlapPolicy, Schedule } from './types';
import { cronInWords, everyInWords, OVERLAP_IN_WORDS } from './words';

/** Reads a resource once, for a form to start from (a form is not refreshed under the typing). */
function useResource<T>(path: string) {
  const [state, setState] = useState<{ data?: T; error?: ApiError }>({});
  useEffect(() => {
    api.get<T>(path).then(
      (data) => setState({ data }),
      (error: unknown) =>
        setState({ error: error instanceof ApiError ? error : new ApiError(0, { statusCode: 0, error: 'Error', message: String(error) }) }),
    );
  }, [path]);
  return state;
}

/** What an edit page shows before its resource arrives, or when it cannot. */
function Loading({ error, noun }: { error: ApiError | undefined; noun: string }) {
  useTitle(`Edit ${noun}`);
  return (
    <>
      <h1>Edit {noun}</h1>
      {error?.status === 404 ? <p>It does not exist, or it belongs to another user.</p> : <ErrorNotice error={error} />}
      {!error && <p class="muted">Loading…</p>}
    </>
  );
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The form's own finding when nothing was changed (shown as a message about the whole request). */
const NOTHING_CHANGED = ['nothing was changed: change a field first'];

/** `PATCH /orchestrations/{id}` from a form, while the orchestration is scheduled. */
export function EditOrchestrationPage({ id }: { id: string }) {
  const { data, error } = useResource<Orchestration>(`/orchestrations/${encodeURIComponent(id)}`);
  if (!data) return <Loading error={error} noun="orchestration" />;
  if (data.status !== 'scheduled') {
    return (
      <>
        <FormHead title={`Edit ${data.name ?? 'orchestration'}`} />
        <p class="notice notice-bad" role="alert">
          It is {data.status}: an orchestration can be edited only while it is scheduled.
        </p>
        <p>
          <a href={href.orchestration(id)}>Back to the orchestration</a>
        </p>
      </>
    );
  }
  return <OrchestrationEditor o={data} />;
}

/**
 * The orchestration's name, start, tags and callback as it has them, and its steps, check and
 * fallback to replace. Only what changed is sent; the API validates the plan it would run as at
 * create, and answers 409 once the orchestration has started.
 */
function OrchestrationEditor({ o }: { o: Orchestration }) {
  const path = `/orchestrations/${encodeURIComponent(o.id)}`;
  const [initial] = useState(() => ({
    name: o.name ?? '',
    at: toLocalInput(o.runAt),
    tags: tagDrafts(o.tags),
    callback: callbackDraftOf(o.callback),
  }));
  const [name, setName] = useState(initial.name);
  const [when, setWhen] = useState<When>('at');
  const [at, setAt] = useState(initial.at);
  const [delay, setDelay] = useState('');
  const [tags, setTags] = useState<TagDraft[]>(initial.tags);
  const [callback, setCallback] = useState(initial.callback);
  const [changeSteps, setChangeSteps] = useState(false);
  const [steps, setSteps] = useState(() => o.steps.map(stepDraftOf));
  const [changeCheck, setChangeCheck] = useState(false);
  const [check, setCheck] = useState(() => checkDraftOf(o.conditionCheck));
  const [changeFallback, setChangeFallback] = useState(false);
  const [withFallback, setWithFallback] = useState(o.fallback !== null);
  const [fallback, setFallback] = useState<CallDraft>(() => (o.fallback ? draftOf(o.fallback) : draftOf({ method: 'POST' })));
  const submit = useSubmit<Orchestration>('change');
  const live = merge(
    changeSteps ? stepsLiveProblems(steps) : {},
    changeCheck ? checkLiveProblems(check) : {},
    changeFallback && withFallback ? liveProblems(fallback, 'fallback.', FALLBACK) : {},
    callback.enabled ? liveProblems(callback.call, 'callback.', { withRetry: true, callback: true }) : {},
  );
  const errors = submit.errors(live);

  const build = (problems: Problems) => {
    const body: Record<string, unknown> = {};
    if (name.trim() !== initial.name && name.trim()) body.name = name.trim();
    if (when === 'now') body.initialDelayMs = 0;
    if (when === 'delay') {
      body.initialDelayMs = parseNumber(delay, 'initialDelayMs', problems);
      if (body.initialDelayMs === undefined) problems.initialDelayMs ??= ['give the delay in ms'];
    }
    if (when === 'at' && at !== initial.at) {
      const runAt = fromLocalInput(at);
      if (!runAt) problems.runAt = ['give a date and time'];
      body.runAt = runAt;
    }
    const given = toTags(tags, 'tags', problems);
    if (!same(given, o.tags ?? {})) body.tags = given;
    if (!same(callback, initial.callback)) body.callback = toCallback(callback, 'callback.', problems);
    if (changeSteps) body.steps = toSteps(steps, problems);
    if (changeCheck) body.conditionCheck = toCheck(check, problems);
    if (changeFallback) body.fallback = withFallback ? toCall(fallback, 'fallback.', problems, FALLBACK) : null;
    if (Object.keys(body).length === 0 && Object.keys(problems).length === 0) problems[''] = NOTHING_CHANGED;
    return body;
  };

  const replace = (label: string, on: boolean, set: (on: boolean) => void) => (
    <label class="switch">
      <input type="checkbox" checked={on} onChange={(e) => set(e.currentTarget.checked)} /> {label}
    </label>
  );
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit.send(
          build,
          (body) => api.patch<Orchestration>(path, body),
          (saved) => {
            setFlash(`Orchestration saved: ${saved.name ?? saved.id}.`);
            navigate(href.orchestration(saved.id));
          },
        );
      }}
    >
      <FormHead title={`Edit ${o.name ?? 'orchestration'}`} />
      <p class="lead">
        While it is scheduled (it starts <time dateTime={o.runAt}>{initial.at.replace('T', ' ')}</time> in your time zone). Only what you
        change is sent; once it has started, the API refuses the change (409).
      </p>
      {submit.summary(live)}
      <NameField value={name} onInput={setName} errors={errors} />
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
      <Group legend="Plan">
        <p class="hint">
          The orchestration shows each call's target and id, not its headers, body or retry fields: a part you replace is sent whole, as
          this form holds it, so give those again where it needs them.
        </p>
        {replace('Replace the steps', changeSteps, setChangeSteps)}
        {changeSteps && <StepsEditor steps={steps} onChange={setSteps} errors={errors} />}
        <div>{replace('Replace the condition check', changeCheck, setChangeCheck)}</div>
        {changeCheck && <CheckEditor check={check} onChange={setCheck} errors={errors} />}
        <div>{replace('Replace the fallback', changeFallback, setChangeFallback)}</div>
        {changeFallback && (
          <FallbackFields
            enabled={withFallback}
            setEnabled={setWithFallback}
            fallback={fallback}
            setFallback={setFallback}
            errors={errors}
          />
        )}
      </Group>
      <SubmitRow busy={submit.busy} label="Save changes" cancelTo={href.orchestration(o.id)} back="Back to the orchestration" />
    </form>
  );
}

type Kind = 'cron' | 'everyMs' | 'at';
const OVERLAPS = (Object.keys(OVERLAP_IN_WORDS) as OverlapPolicy[]).map((p) => [p, `${p}: ${OVERLAP_IN_WORDS[p]}`] as const);
/** The fields of a schedule's task a PATCH changes (the rest is fixed at creation). */
const TASK_FIELDS = ['url', 'method', 'headers', 'body', 'lambda', 'timeoutMs', 'retries', 'retryIntervalMs', 'retryBackoff'] as const;

/** `PATCH /schedules/{id}` from a form: its timing, bounds, policies, tags and what each run calls. */
export function EditSchedulePage({ id }: { id: string }) {
  const { data, error } = useResource<Schedule>(`/schedules/${encodeURIComponent(id)}`);
  if (!data) return <Loading error={error} noun="schedule" />;
  return <ScheduleEditor s={data} />;
}

function ScheduleEditor({ s }: { s: Schedule }) {
  const path = `/schedules/${encodeURIComponent(s.id)}`;
  const initialKind: Kind = s.cron !== undefined ? 'cron' : s.everyMs !== undefined ? 'everyMs' : 'at';
  const [initial] = useState(() => ({
    cron: s.cron ?? '',
    everyMs: s.everyMs !== undefined ? String(s.everyMs) : '',
    at: (s.at ?? []).map(toLocalInput),
    startAt: s.startAt ? toLocalInput(s.startAt) : '',
    endAt: s.endAt ? toLocalInput(s.endAt) : '',
    jitterMs: String(s.jitterMs),
    catchupWindowMs: String(s.catchupWindowMs),
    task: draftOf(s.task),
  }));
  const [kind, setKind] = useState<Kind>(initialKind);
  const [cron, setCron] = useState(initial.cron);
  const [timezone, setTimezone] = useState(s.timezone);
  const [everyMs, setEveryMs] = useState(initial.everyMs);
  const [at, setAt] = useState<string[]>(initial.at.length > 0 ? initial.at : ['']);
  const [more, setMore] = useState({
    startAt: initial.startAt,
    endAt: initial.endAt,
    jitterMs: initial.jitterMs,
    catchupWindowMs: initial.catchupWindowMs,
  });
  const [overlap, setOverlap] = useState<OverlapPolicy>(s.overlap);
  const [tags, setTags] = useState<TagDraft[]>(() => tagDrafts(s.tags));
  const [task, setTask] = useState<CallDraft>(initial.task);
  const submit = useSubmit<Schedule>('change');
  const sqsTask = s.task.sqs !== undefined;
  const live = sqsTask ? {} : liveProblems(task, 'task.', { withRetry: true });
  const errors = submit.errors(live);

  const build = (problems: Problems) => {
    const body: Record<string, unknown> = {};
    if (kind === 'cron' && (kind !== initialKind || cron.trim() !== initial.cron)) body.cron = cron.trim();
    if (kind === 'everyMs' && (kind !== initialKind || everyMs !== initial.everyMs)) {
      body.everyMs = parseNumber(everyMs, 'everyMs', problems);
      if (body.everyMs === undefined) problems.everyMs ??= ['give the interval in ms'];
    }
    if (kind === 'at' && (kind !== initialKind || !same(at, initial.at))) {
      body.at = at.map((value, i) => {
        const iso = fromLocalInput(value);
        if (!iso) problems[`at[${i}]`] = ['give a date and time, or remove this one'];
        return iso;
      });
    }
    if (timezone.trim() !== s.timezone) body.timezone = timezone.trim();
    // A bound emptied is removed (null).
    for (const key of ['startAt', 'endAt'] as const)
      if (more[key] !== initial[key]) body[key] = more[key] ? (fromLocalInput(more[key]) ?? more[key]) : null;
    for (const key of ['jitterMs', 'catchupWindowMs'] as const) {
      if (more[key] === initial[key]) continue;
      const n = parseNumber(more[key], key, problems);
      if (n === undefined && !problems[key]) problems[key] = ['give a number of ms'];
      body[key] = n;
    }
    if (overlap !== s.overlap) body.overlap = overlap;
    const given = toTags(tags, 'tags', problems);
    if (!same(given, s.tags ?? {})) body.tags = given;
    if (!sqsTask) {
      const now = toCall(task, 'task.', problems, { withRetry: true });
      const before = toCall(initial.task, 'task.', {}, { withRetry: true });
      // The task's fields are merged into what it has: only those that changed go.
      const change = Object.fromEntries(
        TASK_FIELDS.filter((key) => !same(now[key], before[key]) && now[key] !== undefined).map((key) => [key, now[key]]),
      );
      // Headers emptied are no headers; a body cannot be taken away by a merge.
      if (before.headers !== undefined && now.headers === undefined && now.url !== undefined) change.headers = {};
      if (before.body !== undefined && now.body === undefined && now.url !== undefined) {
        problems['task.body'] = ["a schedule's body can be changed, not removed: give a new body"];
      }
      if (Object.keys(change).length > 0) body.task = change;
    }
    if (Object.keys(body).length === 0 && Object.keys(problems).length === 0) problems[''] = NOTHING_CHANGED;
    return body;
  };

  let preview: string | null = null;
  if (kind === 'cron' && cron.trim()) {
    try {
      preview = `${cronInWords(cron)} (${timezone || 'UTC'})`;
    } catch (err) {
      preview = `Not a cron expression this page can read: ${String(err).replace(/^Error: /, '')}`;
    }
  }
  if (kind === 'everyMs' && Number(everyMs) > 0) preview = everyInWords(Number(everyMs));
  const moreHasErrors = ['startAt', 'endAt', 'jitterMs', 'catchupWindowMs', 'overlap'].some((p) => errors[p]);

  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit.send(
          build,
          (body) => api.patch<Schedule>(path, body),
          (saved) => {
            setFlash(`Schedule saved: ${saved.name ?? saved.id}.`);
            navigate(href.schedule(saved.id));
          },
        );
      }}
    >
      <FormHead title={`Edit ${s.name ?? 'schedule'}`} />
      <p class="lead">Only what you change is sent. Runs already started are not changed; later runs follow the new settings.</p>
      {submit.summary(live)}
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
        {kind === 'cron' && <TextField path="cron" label="Cron" value={cron} onInput={setCron} errors={errors} placeholder="0 9 * * 1-5" />}
        {kind === 'everyMs' && (
          <TextField path="everyMs" label="Every (ms)" value={everyMs} onInput={setEveryMs} errors={errors} numeric placeholder="30000" />
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
        <TextField
          path="timezone"
          label="Time zone"
          value={timezone}
          onInput={setTimezone}
          errors={errors}
          hint="IANA name, e.g. Europe/Berlin."
        />
        <p class="preview" aria-live="polite">
          {preview ?? ''}
        </p>
      </Group>
      <details class="more" open={moreHasErrors}>
        <summary>More: start, end, jitter, overlap, catch-up</summary>
        <div class="row">
          <TextField
            path="startAt"
            label="No run before (empty: no bound)"
            type="datetime-local"
            step="1"
            value={more.startAt}
            onInput={(startAt) => setMore({ ...more, startAt })}
            errors={errors}
          />
          <TextField
            path="endAt"
            label="No run after (empty: no bound)"
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
          />
          <TextField
            path="catchupWindowMs"
            label="Catch-up window (ms)"
            value={more.catchupWindowMs}
            onInput={(catchupWindowMs) => setMore({ ...more, catchupWindowMs })}
            errors={errors}
            numeric
          />
        </div>
        <Field path="overlap" label="A run due while the previous one still runs" errors={errors}>
          {(wiring) => (
            <select {...wiring} value={overlap} onChange={(e) => setOverlap(e.currentTarget.value as OverlapPolicy)}>
              {OVERLAPS.map(([value, words]) => (
                <option key={value} value={value}>
                  {words}
                </option>
              ))}
            </select>
          )}
        </Field>
      </details>
      {sqsTask ? (
        <Group legend="Each run calls">
          <CallDetails call={s.task} />
          <p class="hint">An SQS message of a schedule is fixed at creation.</p>
        </Group>
      ) : (
        <CallEditor
          legend="Each run calls"
          prefix="task."
          draft={task}
          onChange={setTask}
          errors={errors}
          withRetry
          withFlow={false}
          targets={['http', 'lambda']}
        />
      )}
      <p class="hint">Flow control, which failures are retried, and each run's callback are fixed at creation.</p>
      <TagsEditor path="tags" rows={tags} onChange={setTags} errors={errors} hint="Your own labels, also put on each later run." />
      <SubmitRow busy={submit.busy} label="Save changes" cancelTo={href.schedule(s.id)} back="Back to the schedule" />
    </form>
  );
}
