import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api';
import { CallEditor, draftOf, liveProblems, parseNumber, toCall, type CallDraft, type Problems } from './call-editor';
import { CallDetails, ErrorNotice, setFlash } from './components';
import { Group } from './fields';
import { fromLocalInput, toLocalInput } from './format';
import {
  FALLBACK,
  FallbackFields,
  FormHead,
  merge,
  NameField,
  SendingForm,
  SubmitRow,
  timing,
  useSubmit,
  WhenFields,
  type WhenDraft,
} from './forms';
import { useTitle } from './hooks';
import { CheckEditor, checkDraftOf, checkLiveProblems, stepDraftOf, StepsEditor, stepsLiveProblems, toCheck, toSteps } from './plan-editor';
import { href, navigate } from './router';
import { callbackDraftOf, CallbackEditor, tagDrafts, TagsEditor, toCallback, toTags, type TagDraft } from './run-extras';
import { MoreFields, TimingFields, toAt, toEveryMs, type MoreDraft, type TimingDraft } from './schedule-fields';
import type { Orchestration, OverlapPolicy, Schedule } from './types';

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
  const [start, setStart] = useState<WhenDraft>({ when: 'at', at: initial.at, delay: '' });
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
    // Now is no delay from now; a time is sent only when it was changed.
    if (start.when === 'now') body.initialDelayMs = 0;
    else if (start.when === 'delay' || start.at !== initial.at) Object.assign(body, timing(start, 'initialDelayMs', problems));
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
    <SendingForm
      submit={submit}
      build={build}
      send={(body) => api.patch<Orchestration>(path, body)}
      done={(saved) => {
        setFlash(`Orchestration saved: ${saved.name ?? saved.id}.`);
        navigate(href.orchestration(saved.id));
      }}
    >
      <FormHead title={`Edit ${o.name ?? 'orchestration'}`} />
      <p class="lead">
        While it is scheduled (it starts <time dateTime={o.runAt}>{initial.at.replace('T', ' ')}</time> in your time zone). Only what you
        change is sent; once it has started, the API refuses the change (409).
      </p>
      {submit.summary(live)}
      <NameField value={name} onInput={setName} errors={errors} />
      <WhenFields draft={start} onChange={setStart} delayKey="initialDelayMs" errors={errors} />
      <TagsEditor path="tags" rows={tags} onChange={setTags} errors={errors} />
      <CallbackEditor prefix="callback." draft={callback} onChange={setCallback} errors={errors} />
      <Group legend="Plan">
        <p class="hint">
          A part you replace is sent whole, as this form holds it: each call starts as the orchestration has it (target, headers, body, time
          limit, retries).
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
    </SendingForm>
  );
}

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
  const [initial] = useState(() => {
    const at = (s.at ?? []).map(toLocalInput);
    const timing: TimingDraft = {
      kind: s.cron !== undefined ? 'cron' : s.everyMs !== undefined ? 'everyMs' : 'at',
      cron: s.cron ?? '',
      timezone: s.timezone,
      everyMs: s.everyMs !== undefined ? String(s.everyMs) : '',
      at: at.length > 0 ? at : [''],
    };
    const more: MoreDraft = {
      startAt: s.startAt ? toLocalInput(s.startAt) : '',
      endAt: s.endAt ? toLocalInput(s.endAt) : '',
      jitterMs: String(s.jitterMs),
      catchupWindowMs: String(s.catchupWindowMs),
    };
    return { timing, more, task: draftOf(s.task) };
  });
  const [timing, setTiming] = useState(initial.timing);
  const [more, setMore] = useState(initial.more);
  const [overlap, setOverlap] = useState<OverlapPolicy>(s.overlap);
  const [tags, setTags] = useState<TagDraft[]>(() => tagDrafts(s.tags));
  const [task, setTask] = useState<CallDraft>(initial.task);
  const submit = useSubmit<Schedule>('change');
  const sqsTask = s.task.sqs !== undefined;
  const live = sqsTask ? {} : liveProblems(task, 'task.', { withRetry: true });
  const errors = submit.errors(live);

  const build = (problems: Problems) => {
    const body: Record<string, unknown> = {};
    const { kind } = timing;
    const moved = kind !== initial.timing.kind;
    if (kind === 'cron' && (moved || timing.cron.trim() !== initial.timing.cron)) body.cron = timing.cron.trim();
    if (kind === 'everyMs' && (moved || timing.everyMs !== initial.timing.everyMs)) body.everyMs = toEveryMs(timing.everyMs, problems);
    if (kind === 'at' && (moved || !same(timing.at, initial.timing.at))) body.at = toAt(timing.at, problems);
    if (timing.timezone.trim() !== s.timezone) body.timezone = timing.timezone.trim();
    // A bound emptied is removed (null).
    for (const key of ['startAt', 'endAt'] as const)
      if (more[key] !== initial.more[key]) body[key] = more[key] ? (fromLocalInput(more[key]) ?? more[key]) : null;
    for (const key of ['jitterMs', 'catchupWindowMs'] as const) {
      if (more[key] === initial.more[key]) continue;
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

  return (
    <SendingForm
      submit={submit}
      build={build}
      send={(body) => api.patch<Schedule>(path, body)}
      done={(saved) => {
        setFlash(`Schedule saved: ${saved.name ?? saved.id}.`);
        navigate(href.schedule(saved.id));
      }}
    >
      <FormHead title={`Edit ${s.name ?? 'schedule'}`} />
      <p class="lead">Only what you change is sent. Runs already started are not changed; later runs follow the new settings.</p>
      {submit.summary(live)}
      <TimingFields draft={timing} onChange={setTiming} errors={errors} />
      <MoreFields
        summary="More: start, end, jitter, overlap, catch-up"
        emptyBound="empty: no bound"
        more={more}
        setMore={setMore}
        overlap={overlap}
        setOverlap={setOverlap}
        errors={errors}
      />
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
    </SendingForm>
  );
}
