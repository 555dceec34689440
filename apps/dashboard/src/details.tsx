import { Fragment, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, newIdempotencyKey } from './api';
import {
  Attempts,
  CallDetails,
  CallLine,
  ConfirmButton,
  ErrorNotice,
  Json,
  Notice,
  RefreshNote,
  Result,
  RetryWords,
  setFlash,
  StatusBadge,
  TagChips,
  TemporalLink,
  Time,
  useFlash,
  useHeadingFocus,
} from './components';
import type { Action } from './errors';
import { capitalize, formatDuration, formatRelative, fromLocalInput, localZone, plural, toLocalInput } from './format';
import { usePolling, useTitle, type Polled } from './hooks';
import { href, navigate } from './router';
import {
  FINAL_STATUSES,
  type Attempt,
  type Branch,
  type Callback,
  type Orchestration,
  type RunStatus,
  type Schedule,
  type Step,
  type Task,
} from './types';
import { OVERLAP_IN_WORDS, scheduleInWords } from './words';

/** What a detail page shows before its resource arrives, or when it cannot. */
function Pending({ polled, noun }: { polled: Polled<unknown>; noun: string }) {
  useTitle(noun);
  if (polled.error?.status === 404) {
    return (
      <>
        <h1>{noun} not found</h1>
        <p>It does not exist, or it belongs to another user.</p>
      </>
    );
  }
  return (
    <>
      <h1>{noun}</h1>
      <ErrorNotice error={polled.error} />
      {!polled.error && <p class="muted">Loading…</p>}
    </>
  );
}

/** The heading of a resource's page, its id, tags, the run it retries, and its links. */
function DetailHead(props: {
  title: string;
  status: string;
  statusLabel?: string;
  id: string;
  tags?: Record<string, string>;
  tagsLink?: (tag: string) => string;
  retryOf?: string | null;
  children?: ComponentChildren;
}) {
  const heading = useHeadingFocus([props.id]);
  useTitle(props.title);
  return (
    <div class="detail-head">
      <h1 ref={heading} tabIndex={-1}>
        {props.title} <StatusBadge status={props.status} label={props.statusLabel} />
      </h1>
      <p class="id">
        <span class="muted">id</span> <code>{props.id}</code>
      </p>
      {props.retryOf && (
        <p class="retry-of">
          Retry of <a href={href.run(props.retryOf)}>{props.retryOf}</a>
        </p>
      )}
      <TagChips tags={props.tags} to={props.tagsLink} />
      <p class="links">
        {props.children}
        <a href="/docs" target="_blank" rel="noopener">
          API reference (Swagger UI)<span class="sr-only"> (opens in a new tab)</span>
        </a>
      </p>
    </div>
  );
}

/** Reads out a run's status when it changes while the page is open ("Task is now completed."). */
function StatusAnnouncer({ status, noun }: { status: string; noun: string }) {
  const first = useRef(status);
  const [text, setText] = useState('');
  useEffect(() => {
    if (status !== first.current) setText(`${noun} is now ${status.replace('_', ' ')}.`);
  }, [status, noun]);
  return (
    <p class="sr-only" role="status">
      {text}
    </p>
  );
}

/** The outcome of the last action on a page: a notice, or the refusal in words. */
function useActions(refresh: () => Promise<void>) {
  const [notice, setNotice] = useState<string | null>(useFlash());
  const [failure, setFailure] = useState<{ error: ApiError; action: Action } | null>(null);
  /** Runs an action, says how it went, and re-reads the page (not after it left the page). */
  const act = async (action: Action, run: () => Promise<unknown>, done: string | null) => {
    setNotice(null);
    setFailure(null);
    try {
      await run();
      if (done === null) return;
      setNotice(done);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setFailure({ error: err, action });
    }
    await refresh();
  };
  const outcome = (
    <div class="outcome">
      {notice && <Notice>{notice}</Notice>}
      <ErrorNotice error={failure?.error} action={failure?.action} />
    </div>
  );
  return { act, outcome };
}

/**
 * Retry, for a task or an orchestration that failed or was cancelled: a new run of the same calls
 * (an orchestration's from the step picked, by default the one that failed), opened once made.
 */
function RetryForm(props: {
  collection: 'tasks' | 'orchestrations';
  noun: string;
  path: string;
  steps?: Step[];
  failedStep?: number;
  act: ReturnType<typeof useActions>['act'];
}) {
  const [fromStep, setFromStep] = useState(String(props.failedStep ?? 1));
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="retry"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        const body = props.steps ? { fromStep: Number(fromStep) } : {};
        void props
          .act(
            'retry',
            async () => {
              const created = await api.post<{ id: string }>(`${props.path}/retry`, body, { 'idempotency-key': newIdempotencyKey() });
              setFlash(`Retried: this ${props.noun} is the new run, due now.`);
              navigate(props.collection === 'tasks' ? href.task(created.id) : href.orchestration(created.id));
            },
            null,
          )
          .finally(() => setBusy(false));
      }}
    >
      {props.steps && (
        <>
          <label for="from-step">From step</label>
          <select id="from-step" value={fromStep} onChange={(e) => setFromStep(e.currentTarget.value)}>
            {props.steps.map((step) => (
              <option key={step.number} value={String(step.number)}>
                {step.number}
                {step.number === props.failedStep ? ' (the one that failed)' : ''}
              </option>
            ))}
          </select>
        </>
      )}
      <button type="submit" disabled={busy}>
        Retry
      </button>
    </form>
  );
}

/**
 * Cancel and move (and, for an orchestration, edit) while a task or an orchestration is
 * scheduled; retry once it failed or was cancelled. `children` come first (a waiting
 * orchestration's Approve and Reject).
 */
function RunActions(props: {
  collection: 'tasks' | 'orchestrations';
  noun: string;
  id: string;
  status: RunStatus;
  runAt: string;
  actions: ReturnType<typeof useActions>;
  steps?: Step[];
  failedStep?: number;
  children?: ComponentChildren;
}) {
  const { act, outcome } = props.actions;
  const [moveTo, setMoveTo] = useState(toLocalInput(props.runAt));
  useEffect(() => setMoveTo(toLocalInput(props.runAt)), [props.runAt]);
  const path = `/${props.collection}/${encodeURIComponent(props.id)}`;
  const retryable = props.status === 'failed' || props.status === 'cancelled';
  return (
    <section class="actions" aria-label="Actions">
      {props.children}
      {props.status === 'scheduled' ? (
        <div class="action-row">
          <ConfirmButton
            label={`Cancel ${props.noun}`}
            question={`Cancel this ${props.noun}?`}
            yes="Yes, cancel it"
            no="No, keep it"
            onConfirm={() => act('cancel', () => api.post(`${path}/cancel`), `${capitalize(props.noun)} cancelled.`)}
          />
          <form
            class="move"
            onSubmit={(e) => {
              e.preventDefault();
              const runAt = fromLocalInput(moveTo);
              if (runAt) void act('move', () => api.patch(path, { runAt }), `${capitalize(props.noun)} moved.`);
            }}
          >
            <label for="move-to">Move to</label>
            <input
              id="move-to"
              type="datetime-local"
              step="1"
              value={moveTo}
              onInput={(e) => setMoveTo(e.currentTarget.value)}
              aria-describedby="move-zone"
            />
            <span id="move-zone" class="sr-only">
              in your time zone, {localZone()}
            </span>
            <button type="submit">Move</button>
          </form>
          {props.collection === 'orchestrations' && (
            <a class="button" href={href.edit('orchestrations', props.id)}>
              Edit
            </a>
          )}
        </div>
      ) : (
        <div class="action-row">
          <p class="muted">
            It is {props.status}: {/^[aeiou]/.test(props.noun) ? 'an' : 'a'} {props.noun} can be cancelled or moved only while it is
            scheduled.
          </p>
          {retryable && (
            <RetryForm
              collection={props.collection}
              noun={props.noun}
              path={path}
              steps={props.steps}
              failedStep={props.failedStep}
              act={act}
            />
          )}
        </div>
      )}
      {outcome}
    </section>
  );
}

/** The ends of a run a callback is made on, in words: `completed or failed`. */
function endsInWords(on: readonly string[]): string {
  return on.length > 1 ? `${on.slice(0, -1).join(', ')} or ${on[on.length - 1]}` : (on[0] ?? '');
}

const CALLBACK_STATES: Record<Callback['status'], string> = {
  waiting: 'waiting: the run has not ended',
  running: 'being made now',
  completed: 'completed',
  failed: 'failed after its retries',
  skipped: 'skipped: the run ended otherwise',
};

/** A run's callback: where it goes, when it is made, and how it went (its status and attempts). */
function CallbackSection({ callback, given }: { callback: Callback | null; given?: boolean }) {
  if (!callback) return null;
  return (
    <section aria-labelledby="h-callback">
      <h2 id="h-callback">Callback</h2>
      {given ? (
        <p class="muted">Each run makes this callback once it ends {endsInWords(callback.on)}; each run's page shows how it went.</p>
      ) : (
        <p class="callback-outcome">
          <StatusBadge status={callback.status} label={CALLBACK_STATES[callback.status]} /> after{' '}
          {plural(callback.attempts.length, 'attempt')}
        </p>
      )}
      <dl class="facts">
        <dt>Calls</dt>
        <dd>
          <CallLine call={callback} />
        </dd>
        <dt>When</dt>
        <dd>once the run ends {endsInWords(callback.on)}, with its outcome as the body (signed as every call is)</dd>
        <dt>Retry policy</dt>
        <dd>
          <RetryWords p={callback} />
        </dd>
      </dl>
      {!given && (
        <>
          <Attempts attempts={callback.attempts} label="Callback attempts, in order" />
          {callback.result && <Result result={callback.result} label="Callback response" />}
        </>
      )}
    </section>
  );
}

/** How late the first call was against the due time: `2 ms late`, `on time`. */
function lateness(runAt: string, attempts: Attempt[], startedAt: string | null): string | null {
  const started = attempts[0]?.startedAt ?? startedAt;
  if (!started) return null;
  const ms = Date.parse(started) - Date.parse(runAt);
  if (ms === 0) return 'on time, to the ms';
  return ms > 0 ? `${formatDuration(ms)} late` : `${formatDuration(ms)} early`;
}

/** One task: its call, timing, every attempt on a timeline, the response. */
export function TaskPage({ id }: { id: string }) {
  const [final, setFinal] = useState(false);
  const polled = usePolling(`task|${id}`, () => api.get<Task>(`/tasks/${encodeURIComponent(id)}`), !final);
  const task = polled.data;
  const actions = useActions(polled.refresh);
  // A run keeps being read while its callback is still to come.
  const callbackPending = task?.callback?.status === 'waiting' || task?.callback?.status === 'running';
  useEffect(() => setFinal(task !== undefined && FINAL_STATUSES.includes(task.status) && !callbackPending), [task]);
  if (!task) return <Pending polled={polled} noun="Task" />;
  const late = lateness(task.runAt, task.attempts, task.startedAt);
  return (
    <>
      <DetailHead
        title={task.name ?? 'Task'}
        status={task.status}
        id={task.id}
        tags={task.tags}
        tagsLink={(tag) => href.list('tasks', { tag })}
        retryOf={task.retryOf}
      >
        <TemporalLink kind="workflows" id={task.id} />
      </DetailHead>
      <StatusAnnouncer status={task.status} noun="Task" />
      <RunActions collection="tasks" noun="task" id={task.id} status={task.status} runAt={task.runAt} actions={actions} />
      <ErrorNotice error={polled.error} />
      <div class="columns">
        <section aria-labelledby="h-call">
          <h2 id="h-call">Call</h2>
          <CallDetails call={task} />
          <dl class="facts">
            <dt>Retry policy</dt>
            <dd>
              <RetryWords p={task} />
            </dd>
          </dl>
        </section>
        <section aria-labelledby="h-timing">
          <h2 id="h-timing">Timing</h2>
          <dl class="facts">
            <dt>Due</dt>
            <dd>
              <Time iso={task.runAt} ms relative={task.status === 'scheduled'} />
            </dd>
            <dt>Created</dt>
            <dd>
              <Time iso={task.createdAt} ms />
            </dd>
            <dt>Started</dt>
            <dd>
              <Time iso={task.startedAt} ms />
            </dd>
            <dt>Finished</dt>
            <dd>
              <Time iso={task.finishedAt} ms />
            </dd>
            <dt>Lateness</dt>
            <dd>{late ?? <span class="muted">not started</span>}</dd>
            {task.startedAt && task.finishedAt && (
              <>
                <dt>Took</dt>
                <dd>{formatDuration(Date.parse(task.finishedAt) - Date.parse(task.startedAt))} in all</dd>
              </>
            )}
            {task.scheduleId && (
              <>
                <dt>Schedule</dt>
                <dd>
                  <a href={href.schedule(task.scheduleId)}>{task.scheduleId}</a>
                </dd>
              </>
            )}
          </dl>
        </section>
      </div>
      <section aria-labelledby="h-attempts">
        <h2 id="h-attempts">Attempts</h2>
        <Attempts attempts={task.attempts} origin={task.runAt} label="Attempts, in order" />
      </section>
      <section aria-labelledby="h-response">
        <h2 id="h-response">Response</h2>
        {task.error && <p class="error-text">Failed: {task.error}</p>}
        <Result result={task.result} />
      </section>
      <CallbackSection callback={task.callback} />
      <details class="raw">
        <summary>The task as the API returns it (JSON)</summary>
        <Json value={task} label="Task JSON" />
      </details>
      <RefreshNote updatedAt={polled.updatedAt} live={!final} />
    </>
  );
}

/** A node of the orchestration diagram: a call, its state, and (on demand) its attempts. */
function FlowNode(props: {
  kind: 'step' | 'check' | 'fallback';
  state: string;
  stateLabel?: string;
  title: string;
  call: Parameters<typeof CallLine>[0]['call'];
  attempts: Attempt[];
  result: Parameters<typeof Result>[0]['result'];
  note?: string;
  /** The call's id, that later calls refer to. */
  callId?: string;
  children?: ComponentChildren;
}) {
  const tries = props.kind === 'check' ? plural(props.attempts.length, 'try', 'tries') : plural(props.attempts.length, 'attempt');
  const last = props.attempts[props.attempts.length - 1];
  return (
    <li class={`node node-${props.kind} state-${props.state}`} data-node={props.title}>
      <details open={props.state === 'failed'}>
        <summary>
          <StatusBadge status={props.state} label={props.stateLabel} /> <strong>{props.title}</strong>{' '}
          {props.callId && (
            <>
              <code class="call-id" title="Its id: later calls use its answer as {{calls.<id>...}}">
                {props.callId}
              </code>{' '}
            </>
          )}
          <CallLine call={props.call} />{' '}
          <span class="muted">
            · {tries}
            {last ? ` · last ${last.statusCode === null ? 'no response' : `HTTP ${last.statusCode}`}` : ''}
          </span>
        </summary>
        {props.note && <p class="muted">{props.note}</p>}
        <Attempts attempts={props.attempts} label={`${props.title}: attempts`} />
        <Result result={props.result} label={props.title} />
      </details>
      {props.children}
    </li>
  );
}

/** The state of a step's own call (its check is another node). */
function callState(step: Step): string {
  const last = step.attempts[step.attempts.length - 1];
  if (step.status === 'pending' || step.status === 'running') return step.status;
  if (!last) return 'skipped';
  return last.error === null ? 'passed' : 'failed';
}

/** The state of a parallel group: how its branches joined. */
function groupState(step: Step): string {
  if (step.status === 'pending' || step.status === 'running') return step.status;
  const branches = step.branches ?? [];
  if (branches.every((b) => b.status === 'skipped' || b.status === 'pending')) return 'skipped';
  const joined = step.join === 'any' ? branches.some((b) => b.status === 'completed') : branches.every((b) => b.status === 'completed');
  return joined ? 'passed' : 'failed';
}

/** How a wait step went, in words for its badge. */
const WAIT_STATES: Partial<Record<string, string>> = { passed: 'resumed', failed: 'timed out' };

/** A parallel group: its branches side by side, each its calls in order. */
function GroupNode({ step, children }: { step: Step; children?: ComponentChildren }) {
  const state = groupState(step);
  const branches: Branch[] = step.branches ?? [];
  const title = `Step ${step.number}`;
  return (
    <li class={`node node-step node-group state-${state}`} data-node={title}>
      <details open>
        <summary>
          <StatusBadge status={state} /> <strong>{title}</strong> parallel group · {plural(branches.length, 'branch', 'branches')}, join{' '}
          {step.join ?? 'all'}
          {step.maxConcurrency ? `, at most ${step.maxConcurrency} at once` : ''}
        </summary>
        <p class="muted">
          {step.join === 'any'
            ? 'The first branch to complete wins; the others are cancelled (their calls not yet made are never made).'
            : 'Every branch must complete; one that fails cancels the others.'}
        </p>
        <ol class="branches" aria-label={`${title}: branches`}>
          {branches.map((branch) => (
            <li key={branch.number} class={`branch-lane state-${branch.status}`} data-branch={`${title}, branch ${branch.number}`}>
              <p class="branch-head">
                <StatusBadge status={branch.status} /> <strong>Branch {branch.number}</strong>
              </p>
              <ol class="flow">
                {branch.calls.map((call) => (
                  <FlowNode
                    key={call.number}
                    kind="step"
                    state={call.status}
                    title={`${title}, branch ${branch.number}, call ${call.number}`}
                    callId={call.id}
                    call={call}
                    attempts={call.attempts}
                    result={call.result}
                  />
                ))}
              </ol>
            </li>
          ))}
        </ol>
      </details>
      {children}
    </li>
  );
}

/** A wait for the outside world: how long it waits, since when, and the JSON it was resumed with. */
function WaitNode({ step, children }: { step: Step; children?: ComponentChildren }) {
  const state = step.status === 'checking' ? 'passed' : step.status;
  const title = `Step ${step.number}`;
  return (
    <li class={`node node-step node-wait state-${state}`} data-node={title}>
      <details open={state === 'waiting' || state === 'failed' || state === 'passed'}>
        <summary>
          <StatusBadge status={state} label={WAIT_STATES[state]} /> <strong>{title}</strong>{' '}
          {step.id && (
            <>
              <code class="call-id">{step.id}</code>{' '}
            </>
          )}
          wait to be resumed · up to {formatDuration(step.waitFor?.timeoutMs ?? 0)}
        </summary>
        <dl class="facts">
          <dt>Waiting since</dt>
          <dd>
            <Time iso={step.waitingSince} ms />
          </dd>
          <dt>Times out</dt>
          <dd>
            <Time iso={step.expiresAt} ms relative={state === 'waiting'} />
          </dd>
          <dt>Resumed</dt>
          <dd>{step.resumedAt ? <Time iso={step.resumedAt} ms /> : <span class="muted">not yet</span>}</dd>
        </dl>
        {step.result && <Result result={step.result} label={`${title}: resumed with`} />}
      </details>
      {children}
    </li>
  );
}

/** The state of the condition check after a step. */
function checkState(step: Step): string {
  if (step.status === 'checking') return 'checking';
  const last = step.checkAttempts[step.checkAttempts.length - 1];
  if (!last) return step.status === 'pending' || step.status === 'running' ? 'pending' : 'skipped';
  return last.error === null ? 'passed' : 'failed';
}

/**
 * What ran, as a diagram: each step, then its condition check, top to bottom; the fallback
 * branches off the node that failed. Each node opens to its attempts and response.
 */
function Flow({ o }: { o: Orchestration }) {
  const check = o.conditionCheck;
  const fallback = o.fallback;
  const fallbackNode = fallback && (
    <ol class="branch" aria-label="Fallback">
      <FlowNode
        kind="fallback"
        state={fallback.status}
        title="Fallback"
        call={fallback}
        attempts={fallback.attempts}
        result={fallback.result}
        note="Called when a step fails after its retries, or its checks run out."
      />
    </ol>
  );
  const failedAt = o.failure ? { step: o.failure.step, node: o.failure.reason === 'checks_exhausted' ? 'check' : 'step' } : null;
  return (
    <>
      <ol class="flow" aria-label="Steps and checks, in order">
        <li class="node node-start">
          <strong>Start</strong> <span class="muted">due</span> <Time iso={o.runAt} ms />
          {o.startedAt && (
            <>
              {' '}
              <span class="muted">· started</span> <Time iso={o.startedAt} ms />
            </>
          )}
        </li>
        {o.steps.map((step) => {
          const fallbackHere = failedAt?.step === step.number && failedAt.node === 'step' && fallbackNode;
          return (
            <Fragment key={step.number}>
              {step.kind === 'parallel' ? (
                <GroupNode step={step}>{fallbackHere}</GroupNode>
              ) : step.kind === 'wait' ? (
                <WaitNode step={step}>{fallbackHere}</WaitNode>
              ) : (
                <FlowNode
                  kind="step"
                  state={callState(step)}
                  title={`Step ${step.number}`}
                  callId={step.id}
                  call={step}
                  attempts={step.attempts}
                  result={step.result}
                >
                  {fallbackHere}
                </FlowNode>
              )}
              {step.kind !== 'wait' && (
                <FlowNode
                  kind="check"
                  state={checkState(step)}
                  title={`Check after step ${step.number}`}
                  call={check}
                  attempts={step.checkAttempts}
                  result={step.checkResult}
                >
                  {failedAt?.step === step.number && failedAt.node === 'check' && fallbackNode}
                </FlowNode>
              )}
            </Fragment>
          );
        })}
        <li class={`node node-end state-${o.status}`}>
          <strong>End</strong> <StatusBadge status={o.status} />
          {o.failure && <span class="error-text"> {o.failure.message}</span>}
        </li>
      </ol>
      {!failedAt && fallbackNode}
    </>
  );
}

const FAILURE_REASONS: Record<NonNullable<Orchestration['failure']>['reason'], string> = {
  checks_exhausted: 'its condition checks ran out',
  step_failed: 'its call failed after its retries',
  wait_timed_out: 'its wait timed out',
};

/**
 * A waiting orchestration: which step waits until when, Approve and Reject (each resumes it with
 * `{ "approved": true | false }`; what follows is the plan's), and its resume URL to copy.
 */
function WaitingPanel(props: {
  o: Orchestration;
  waiting: NonNullable<Orchestration['waiting']>;
  act: ReturnType<typeof useActions>['act'];
}) {
  const { step } = props.waiting;
  const id = props.o.steps[step - 1]?.id;
  const path = `/orchestrations/${encodeURIComponent(props.o.id)}/resume`;
  const resume = (approved: boolean) =>
    props.act(
      approved ? 'approve' : 'reject',
      () => api.post(path, { approved }),
      `Step ${step} ${approved ? 'approved' : 'rejected'}: resumed with {"approved": ${approved}}.`,
    );
  return (
    <div class="waiting" role="group" aria-labelledby="h-waiting">
      <h2 id="h-waiting">
        Waiting at step {step}
        {id ? ` (${id})` : ''}
      </h2>
      <p>
        It waits to be resumed until <Time iso={props.waiting.expiresAt} relative />; then the fallback runs and it fails. Approve and
        Reject resume it with <code>{'{"approved": true}'}</code> or <code>{'{"approved": false}'}</code>
        {id ? (
          <>
            {' '}
            (later calls read it as <code>{`{{calls.${id}.body.approved}}`}</code>)
          </>
        ) : null}
        .
      </p>
      <div class="action-row">
        <button type="button" class="primary" onClick={() => void resume(true)}>
          Approve
        </button>
        <ConfirmButton
          label="Reject"
          question={`Reject step ${step}?`}
          yes="Yes, reject"
          no="No, keep waiting"
          onConfirm={() => resume(false)}
        />
      </div>
      <ResumeUrl url={props.waiting.resumeUrl} />
    </div>
  );
}

/** The resume URL, folded away (it is a secret), with a button that copies it. */
function ResumeUrl({ url }: { url: string }) {
  const [said, setSaid] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const copy = async () => {
    try {
      // Only on secure origins (https, localhost); elsewhere the text is selected for the keyboard.
      await navigator.clipboard.writeText(url);
      setSaid('Copied.');
    } catch {
      input.current?.select();
      setSaid('Selected: press Ctrl+C (⌘C) to copy it.');
    }
  };
  return (
    <details class="resume-url">
      <summary>Resume URL: anyone who has it can resume this step, once (no token needed)</summary>
      <div class="copy-row">
        <label for="resume-url" class="sr-only">
          Resume URL
        </label>
        <input id="resume-url" ref={input} readOnly value={url} spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p class="muted" role="status">
        {said}
      </p>
    </details>
  );
}

/** One orchestration: its steps, checks and fallback as a diagram of what ran. */
export function OrchestrationPage({ id }: { id: string }) {
  const [final, setFinal] = useState(false);
  const polled = usePolling(`orch|${id}`, () => api.get<Orchestration>(`/orchestrations/${encodeURIComponent(id)}`), !final);
  const o = polled.data;
  const actions = useActions(polled.refresh);
  const callbackPending = o?.callback?.status === 'waiting' || o?.callback?.status === 'running';
  useEffect(() => setFinal(o !== undefined && FINAL_STATUSES.includes(o.status) && !callbackPending), [o]);
  if (!o) return <Pending polled={polled} noun="Orchestration" />;
  const check = o.conditionCheck;
  return (
    <>
      <DetailHead
        title={o.name ?? 'Orchestration'}
        status={o.status}
        id={o.id}
        tags={o.tags}
        tagsLink={(tag) => href.list('orchestrations', { tag })}
        retryOf={o.retryOf}
      >
        <TemporalLink kind="workflows" id={o.id} />
      </DetailHead>
      <StatusAnnouncer status={o.status} noun="Orchestration" />
      <RunActions
        collection="orchestrations"
        noun="orchestration"
        id={o.id}
        status={o.status}
        runAt={o.runAt}
        actions={actions}
        steps={o.steps}
        failedStep={o.failure?.step}
      >
        {o.waiting && <WaitingPanel o={o} waiting={o.waiting} act={actions.act} />}
      </RunActions>
      <ErrorNotice error={polled.error} />
      {o.failure && (
        <p class="notice notice-bad">
          Failed at step {o.failure.step} ({FAILURE_REASONS[o.failure.reason]}): {o.failure.message}
        </p>
      )}
      <section aria-labelledby="h-flow">
        <h2 id="h-flow">What ran</h2>
        <p class="muted">
          {plural(o.stepCount, 'step')}; after each{o.steps.some((s) => s.kind === 'wait') ? ' (but a wait)' : ''}, the condition check{' '}
          {formatDuration(check.delayMs)} later, then up to {plural(check.retries, 're-check')} {formatDuration(check.retryIntervalMs)}{' '}
          apart.
        </p>
        <Flow o={o} />
      </section>
      <section aria-labelledby="h-timing">
        <h2 id="h-timing">Timing</h2>
        <dl class="facts">
          <dt>Due</dt>
          <dd>
            <Time iso={o.runAt} ms relative={o.status === 'scheduled'} />
          </dd>
          <dt>Created</dt>
          <dd>
            <Time iso={o.createdAt} ms />
          </dd>
          <dt>Started</dt>
          <dd>
            <Time iso={o.startedAt} ms />
          </dd>
          <dt>Finished</dt>
          <dd>
            <Time iso={o.finishedAt} ms />
          </dd>
          <dt>Current step</dt>
          <dd>{o.currentStep ?? <span class="muted">not started</span>}</dd>
        </dl>
      </section>
      <CallbackSection callback={o.callback} />
      <details class="raw">
        <summary>The orchestration as the API returns it (JSON)</summary>
        <Json value={o} label="Orchestration JSON" />
      </details>
      <RefreshNote updatedAt={polled.updatedAt} live={!final} />
    </>
  );
}

/** One schedule: its timing in words, next and recent runs, what each run calls; pause, resume, trigger, delete. */
export function SchedulePage({ id }: { id: string }) {
  const path = `/schedules/${encodeURIComponent(id)}`;
  const polled = usePolling(`schedule|${id}`, () => api.get<Schedule>(path));
  const { act, outcome } = useActions(polled.refresh);
  const s = polled.data;
  if (!s) return <Pending polled={polled} noun="Schedule" />;
  const paused = s.state === 'paused';
  return (
    <>
      <DetailHead title={s.name ?? 'Schedule'} status={s.state} id={s.id} tags={s.tags} tagsLink={(tag) => href.list('tasks', { tag })}>
        <TemporalLink kind="schedules" id={s.id} />
      </DetailHead>
      <StatusAnnouncer status={s.state} noun="Schedule" />
      <section class="actions" aria-label="Actions">
        <div class="action-row">
          {paused ? (
            <button type="button" onClick={() => void act('resume', () => api.post(`${path}/resume`), 'Schedule resumed.')}>
              Resume
            </button>
          ) : (
            <button
              type="button"
              onClick={() => void act('pause', () => api.post(`${path}/pause`), 'Schedule paused: no runs until it is resumed.')}
            >
              Pause
            </button>
          )}
          <button type="button" onClick={() => void act('trigger', () => api.post(`${path}/trigger`), 'A run was started now.')}>
            Run now
          </button>
          <a class="button" href={href.edit('schedules', s.id)}>
            Edit
          </a>
          <ConfirmButton
            label="Delete schedule"
            question="Delete this schedule? Runs already started finish."
            yes="Yes, delete it"
            no="No, keep it"
            onConfirm={() =>
              act(
                'delete',
                async () => {
                  await api.delete(path);
                  setFlash(`Schedule deleted: ${s.name ?? s.id}.`);
                  navigate('/ui/schedules');
                },
                null,
              )
            }
          />
        </div>
        {outcome}
      </section>
      <ErrorNotice error={polled.error} />
      <div class="columns">
        <section aria-labelledby="h-when">
          <h2 id="h-when">When</h2>
          <p class="words">{scheduleInWords(s)}</p>
          <dl class="facts">
            <dt>Between</dt>
            <dd>
              {s.startAt || s.endAt ? (
                <>
                  {s.startAt ? <Time iso={s.startAt} /> : 'now'} and {s.endAt ? <Time iso={s.endAt} /> : 'forever'}
                </>
              ) : (
                'no start or end'
              )}
            </dd>
            <dt>Random delay</dt>
            <dd>{s.jitterMs ? `up to ${formatDuration(s.jitterMs)}` : 'none'}</dd>
            <dt>Overlap</dt>
            <dd>a run due while the previous one still runs: {OVERLAP_IN_WORDS[s.overlap]}</dd>
            <dt>Catch-up</dt>
            <dd>after an outage, runs missed by at most {formatDuration(s.catchupWindowMs)} are made up</dd>
            <dt>Created</dt>
            <dd>
              <Time iso={s.createdAt} />
            </dd>
            <dt>Changed</dt>
            <dd>{s.updatedAt ? <Time iso={s.updatedAt} /> : 'never'}</dd>
          </dl>
        </section>
        <section aria-labelledby="h-next">
          <h2 id="h-next">Next runs</h2>
          {s.nextRuns.length === 0 ? (
            <p class="muted">{paused ? 'None while it is paused.' : 'None: no times left.'}</p>
          ) : (
            <ol class="next-runs">
              {s.nextRuns.map((t) => (
                <li key={t}>
                  <Time iso={t} timeZone={s.timezone} /> {s.timezone}
                  {s.timezone !== localZone() && (
                    <span class="muted">
                      {' '}
                      (<Time iso={t} /> your time)
                    </span>
                  )}
                  <span class="muted"> · {formatRelative(t)}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
      <section aria-labelledby="h-recent">
        <h2 id="h-recent">Recent runs</h2>
        {s.recentRuns.length === 0 ? (
          <p class="muted">No runs yet.</p>
        ) : (
          <ul class="recent-runs">
            {s.recentRuns.map((run) => (
              <li key={run.id}>
                <StatusBadge status={run.status} /> <a href={href.task(run.id)}>run due {<Time iso={run.runAt} />}</a>
              </li>
            ))}
          </ul>
        )}
        <p>
          <a href={href.list('tasks', { scheduleId: s.id })}>Every run of this schedule</a>
        </p>
      </section>
      <section aria-labelledby="h-task">
        <h2 id="h-task">Each run calls</h2>
        <CallDetails call={s.task} />
        <dl class="facts">
          <dt>Retry policy</dt>
          <dd>
            <RetryWords p={s.task} />
          </dd>
        </dl>
      </section>
      <CallbackSection callback={s.task.callback} given />
      <details class="raw">
        <summary>The schedule as the API returns it (JSON)</summary>
        <Json value={s} label="Schedule JSON" />
      </details>
      <RefreshNote updatedAt={polled.updatedAt} live />
    </>
  );
}
