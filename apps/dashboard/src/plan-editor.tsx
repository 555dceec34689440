import type { ComponentChildren } from 'preact';
import { CallEditor, draftOf, emptyCall, liveProblems, parseNumber, toCall, type CallDraft, type Problems } from './call-editor';
import { Choice, fieldId, Group, SelectField, TextField, type FieldErrors } from './fields';
import { JOIN_MODES, type ConditionCheck, type JoinMode, type Step } from './types';

/** Largest plan the API takes: steps at the top, branches in a group. */
const MAX_STEPS = 20;
const MAX_BRANCHES = 20;

/** A step as the form holds it: a call, a parallel group of branches (each calls in order), or a wait to be resumed. */
export type StepDraft =
  | { kind: 'call'; call: CallDraft }
  | { kind: 'parallel'; branches: CallDraft[][]; join: JoinMode; maxConcurrency: string }
  | { kind: 'wait'; id: string; timeoutMs: string };

/** A new step: one call. */
export function emptyStep(): StepDraft {
  return { kind: 'call', call: emptyCall() };
}

/** The draft of a step as the orchestration shows it: every call with its headers, body and retry fields. */
export function stepDraftOf(step: Step): StepDraft {
  if (step.kind === 'parallel') {
    return {
      kind: 'parallel',
      branches: (step.branches ?? []).map((branch) => branch.calls.map(draftOf)),
      join: step.join ?? 'all',
      maxConcurrency: step.maxConcurrency ? String(step.maxConcurrency) : '',
    };
  }
  if (step.kind === 'wait') return { kind: 'wait', id: step.id ?? '', timeoutMs: String(step.waitFor?.timeoutMs ?? '') };
  return { kind: 'call', call: draftOf(step) };
}

/** The same step as another kind, keeping what carries over (its first call, its id). */
function asKind(step: StepDraft, kind: StepDraft['kind']): StepDraft {
  if (step.kind === kind) return step;
  const first = step.kind === 'call' ? step.call : step.kind === 'parallel' ? (step.branches[0]?.[0] ?? emptyCall()) : emptyCall();
  if (kind === 'call') return { kind, call: first };
  if (kind === 'parallel') return { kind, branches: [[first], [emptyCall()]], join: 'all', maxConcurrency: '' };
  return { kind, id: step.kind === 'call' ? step.call.id : '', timeoutMs: '' };
}

const CALL = { withRetry: true, withId: true } as const;

/** The API's `steps`; problems by path (`steps[1].parallel[0][0].url`). */
export function toSteps(steps: StepDraft[], problems: Problems): unknown[] {
  return steps.map((step, i) => {
    const path = `steps[${i}]`;
    if (step.kind === 'call') return toCall(step.call, `${path}.`, problems, CALL);
    if (step.kind === 'wait') {
      const timeoutMs = parseNumber(step.timeoutMs, `${path}.waitFor.timeoutMs`, problems);
      if (timeoutMs === undefined) problems[`${path}.waitFor.timeoutMs`] ??= ['give how long it waits, in ms (1000 to 2592000000)'];
      return { ...(step.id.trim() ? { id: step.id.trim() } : {}), waitFor: { timeoutMs } };
    }
    const group: Record<string, unknown> = {
      parallel: step.branches.map((branch, b) => branch.map((call, c) => toCall(call, `${path}.parallel[${b}][${c}].`, problems, CALL))),
    };
    if (step.join !== 'all') group.join = step.join;
    const max = parseNumber(step.maxConcurrency, `${path}.maxConcurrency`, problems);
    if (max !== undefined) group.maxConcurrency = max;
    return group;
  });
}

/** The steps' messages while they are typed (bad JSON, not a number). */
export function stepsLiveProblems(steps: StepDraft[]): Problems {
  const problems: Problems = {};
  steps.forEach((step, i) => {
    if (step.kind === 'call') Object.assign(problems, liveProblems(step.call, `steps[${i}].`, CALL));
    if (step.kind === 'parallel')
      step.branches.forEach((branch, b) =>
        branch.forEach((call, c) => Object.assign(problems, liveProblems(call, `steps[${i}].parallel[${b}][${c}].`, CALL))),
      );
  });
  return problems;
}

const KINDS = [
  ['call', 'A call'],
  ['parallel', 'Parallel branches'],
  ['wait', 'A wait to be resumed'],
] as const;
const JOINS = JOIN_MODES.map((j) => [j, j] as const);

/** Messages the API gives a whole step or group (`steps[1]`, `steps[1].parallel`, `steps[1].parallel[0]`). */
function GroupErrors({ paths, errors }: { paths: string[]; errors: FieldErrors }) {
  const messages = paths.flatMap((path) => errors[path] ?? []);
  if (messages.length === 0) return null;
  return (
    <p class="field-error" id={`${fieldId(paths[0])}-error`}>
      {messages.join('; ')}
    </p>
  );
}

/** One step: its kind, then a call, the branches of a group, or a wait. */
function StepEditor(props: {
  index: number;
  step: StepDraft;
  onChange: (step: StepDraft) => void;
  errors: FieldErrors;
  remove?: () => void;
}) {
  const { index, step, errors } = props;
  const path = `steps[${index}]`;
  const legend = `Step ${index + 1}`;
  const kind = (
    <>
      <Choice legend="Kind" name={`kind-${path}`} value={step.kind} options={KINDS} onChange={(k) => props.onChange(asKind(step, k))} />
      <GroupErrors paths={[path]} errors={errors} />
    </>
  );
  const remove = props.remove && (
    <button type="button" class="link" onClick={props.remove}>
      Remove step {index + 1}
    </button>
  );
  if (step.kind === 'call') {
    return (
      <div class="step-editor">
        <CallEditor
          legend={legend}
          prefix={`${path}.`}
          draft={step.call}
          onChange={(call) => props.onChange({ ...step, call })}
          errors={errors}
          withRetry
          withId
          before={kind}
        />
        {remove}
      </div>
    );
  }
  if (step.kind === 'wait') {
    return (
      <div class="step-editor">
        <Group legend={legend}>
          {kind}
          <div class="row">
            <TextField
              path={`${path}.id`}
              label="Call id (optional)"
              value={step.id}
              onInput={(id) => props.onChange({ ...step, id })}
              errors={errors}
              placeholder="approval"
              hint="Later calls read what it was resumed with as {{calls.<id>.body.<path>}}."
            />
            <TextField
              path={`${path}.waitFor.timeoutMs`}
              label="Waits at most (ms)"
              value={step.timeoutMs}
              onInput={(timeoutMs) => props.onChange({ ...step, timeoutMs })}
              errors={errors}
              numeric
              placeholder="86400000"
              hint="1 s to 30 days; then the fallback runs and the orchestration fails."
            />
          </div>
          <GroupErrors paths={[`${path}.waitFor`]} errors={errors} />
        </Group>
        {remove}
      </div>
    );
  }
  const setBranches = (branches: CallDraft[][]) => props.onChange({ ...step, branches });
  return (
    <div class="step-editor">
      <Group legend={legend} class="group-editor">
        {kind}
        <div class="row">
          <SelectField
            path={`${path}.join`}
            label="Join"
            value={step.join}
            options={JOINS}
            onChange={(join) => props.onChange({ ...step, join })}
            errors={errors}
            hint="all: every branch must complete; any: the first to complete wins, the others are cancelled."
          />
          <TextField
            path={`${path}.maxConcurrency`}
            label="Branches at once, at most (optional)"
            value={step.maxConcurrency}
            onInput={(maxConcurrency) => props.onChange({ ...step, maxConcurrency })}
            errors={errors}
            numeric
            placeholder="all"
          />
        </div>
        <GroupErrors paths={[`${path}.parallel`]} errors={errors} />
        {step.branches.map((branch, b) => (
          <Group key={b} legend={`Branch ${b + 1}`} class="branch-editor">
            <GroupErrors paths={[`${path}.parallel[${b}]`]} errors={errors} />
            {branch.map((call, c) => (
              <div class="step-editor" key={c}>
                <CallEditor
                  legend={`Call ${c + 1}`}
                  prefix={`${path}.parallel[${b}][${c}].`}
                  draft={call}
                  onChange={(d) => setBranches(step.branches.map((x, i) => (i === b ? x.map((y, j) => (j === c ? d : y)) : x)))}
                  errors={errors}
                  withRetry
                  withId
                />
                {branch.length > 1 && (
                  <button
                    type="button"
                    class="link"
                    onClick={() => setBranches(step.branches.map((x, i) => (i === b ? x.filter((_, j) => j !== c) : x)))}
                  >
                    Remove call {c + 1} of branch {b + 1}
                  </button>
                )}
              </div>
            ))}
            <div class="action-row">
              <button type="button" onClick={() => setBranches(step.branches.map((x, i) => (i === b ? [...x, emptyCall()] : x)))}>
                Add a call to branch {b + 1}
              </button>
              {step.branches.length > 1 && (
                <button type="button" class="link" onClick={() => setBranches(step.branches.filter((_, i) => i !== b))}>
                  Remove branch {b + 1}
                </button>
              )}
            </div>
          </Group>
        ))}
        <button
          type="button"
          disabled={step.branches.length >= MAX_BRANCHES}
          onClick={() => setBranches([...step.branches, [emptyCall()]])}
        >
          Add a branch
        </button>
      </Group>
      {remove}
    </div>
  );
}

/** The steps of an orchestration, in order: each a call, a parallel group or a wait. */
export function StepsEditor(props: {
  steps: StepDraft[];
  onChange: (steps: StepDraft[]) => void;
  errors: FieldErrors;
  children?: ComponentChildren;
}) {
  const { steps } = props;
  return (
    <>
      {steps.map((step, i) => (
        <StepEditor
          key={i}
          index={i}
          step={step}
          onChange={(s) => props.onChange(steps.map((x, j) => (j === i ? s : x)))}
          errors={props.errors}
          remove={steps.length > 1 ? () => props.onChange(steps.filter((_, j) => j !== i)) : undefined}
        />
      ))}
      {props.errors.steps && <p class="field-error">{props.errors.steps.join('; ')}</p>}
      <button type="button" onClick={() => props.onChange([...steps, emptyStep()])} disabled={steps.length >= MAX_STEPS}>
        Add a step
      </button>
    </>
  );
}

/** The condition check as the form holds it: its call and when it is made. */
export interface CheckDraft {
  call: CallDraft;
  delayMs: string;
  retries: string;
  retryIntervalMs: string;
}

export function emptyCheck(): CheckDraft {
  return { call: emptyCall('GET'), delayMs: '', retries: '', retryIntervalMs: '' };
}

/** The draft of an orchestration's check, as the orchestration shows it. */
export function checkDraftOf(check: ConditionCheck): CheckDraft {
  return {
    call: draftOf(check),
    delayMs: String(check.delayMs),
    retries: String(check.retries),
    retryIntervalMs: String(check.retryIntervalMs),
  };
}

const CHECK = { withRetry: false, withId: true } as const;

/** The API's `conditionCheck`; problems under `conditionCheck.`. */
export function toCheck(check: CheckDraft, problems: Problems): Record<string, unknown> {
  const conditionCheck = toCall(check.call, 'conditionCheck.', problems, CHECK);
  for (const key of ['delayMs', 'retries', 'retryIntervalMs'] as const) {
    const n = parseNumber(check[key], `conditionCheck.${key}`, problems);
    if (n !== undefined) conditionCheck[key] = n;
  }
  return conditionCheck;
}

export function checkLiveProblems(check: CheckDraft): Problems {
  return liveProblems(check.call, 'conditionCheck.', CHECK);
}

/** The condition check: its call, then when it is made after each step and how often it is tried again. */
export function CheckEditor(props: { check: CheckDraft; onChange: (check: CheckDraft) => void; errors: FieldErrors }) {
  const { check } = props;
  return (
    <>
      <CallEditor
        legend="Condition check (after each step)"
        prefix="conditionCheck."
        draft={check.call}
        onChange={(call) => props.onChange({ ...check, call })}
        errors={props.errors}
        withRetry={false}
        withId
      />
      <div class="row numbers">
        {(
          [
            ['delayMs', 'First check after (ms)', '0'],
            ['retries', 'Re-checks at most', '0'],
            ['retryIntervalMs', 'Between checks (ms)', '1000'],
          ] as const
        ).map(([key, label, placeholder]) => (
          <TextField
            key={key}
            path={`conditionCheck.${key}`}
            label={label}
            value={check[key]}
            onInput={(v) => props.onChange({ ...check, [key]: v })}
            errors={props.errors}
            numeric
            placeholder={placeholder}
          />
        ))}
      </div>
    </>
  );
}
