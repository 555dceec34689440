import type { ComponentChildren } from 'preact';
import { parseNumber, type Problems } from './call-editor';
import { Choice, Field, Group, TextField, type FieldErrors } from './fields';
import { fromLocalInput, localZone } from './format';
import type { OverlapPolicy } from './types';
import { cronInWords, everyInWords, OVERLAP_IN_WORDS } from './words';

/** How a schedule is timed: a cron expression, an interval, or a list of times. */
export type ScheduleKind = 'cron' | 'everyMs' | 'at';

/** The timing fields of the schedule forms, as typed. */
export interface TimingDraft {
  kind: ScheduleKind;
  cron: string;
  timezone: string;
  everyMs: string;
  at: string[];
}

/** The fields under "More", as typed (a bound emptied is no bound). */
export interface MoreDraft {
  startAt: string;
  endAt: string;
  jitterMs: string;
  catchupWindowMs: string;
}

const OVERLAPS = (Object.keys(OVERLAP_IN_WORDS) as OverlapPolicy[]).map((p) => [p, `${p}: ${OVERLAP_IN_WORDS[p]}`] as const);

/** `everyMs` from its field; a problem when it is empty or not a number. */
export function toEveryMs(text: string, problems: Problems): number | undefined {
  const everyMs = parseNumber(text, 'everyMs', problems);
  if (everyMs === undefined) problems.everyMs ??= ['give the interval in ms'];
  return everyMs;
}

/** `at` from its fields (read in the browser's zone); a problem for each that is not a time. */
export function toAt(at: string[], problems: Problems): Array<string | null> {
  return at.map((value, i) => {
    const iso = fromLocalInput(value);
    if (!iso) problems[`at[${i}]`] = ['give a date and time, or remove this one'];
    return iso;
  });
}

/** The timing in words as typed, or why a cron cannot be read; '' while there is nothing to say. */
function preview({ kind, cron, timezone, everyMs }: TimingDraft): string {
  if (kind === 'cron' && cron.trim()) {
    try {
      return `${cronInWords(cron)} (${timezone || 'UTC'})`;
    } catch (err) {
      return `Not a cron expression this page can read: ${String(err).replace(/^Error: /, '')}`;
    }
  }
  if (kind === 'everyMs' && Number(everyMs) > 0) return everyInWords(Number(everyMs));
  return '';
}

/** "When" of a schedule: the kind of timing, its fields, and the timing in words as it is typed. */
export function TimingFields({ draft, onChange, errors }: { draft: TimingDraft; onChange: (d: TimingDraft) => void; errors: FieldErrors }) {
  const set = (change: Partial<TimingDraft>) => onChange({ ...draft, ...change });
  const { kind, at } = draft;
  return (
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
        onChange={(next) => set({ kind: next })}
      />
      {kind === 'cron' && (
        <>
          <TextField
            path="cron"
            label="Cron"
            value={draft.cron}
            onInput={(cron) => set({ cron })}
            errors={errors}
            placeholder="0 9 * * 1-5"
            hint="Minute hour day-of-month month day-of-week, or @daily, @hourly…"
          />
          <TextField
            path="timezone"
            label="Time zone"
            value={draft.timezone}
            onInput={(timezone) => set({ timezone })}
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
          value={draft.everyMs}
          onInput={(everyMs) => set({ everyMs })}
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
                    onInput={(v) => set({ at: at.map((x, j) => (j === i ? v : x)) })}
                    errors={errors}
                  />
                  {at.length > 1 && (
                    <button type="button" class="link" onClick={() => set({ at: at.filter((_, j) => j !== i) })}>
                      Remove time {i + 1}
                    </button>
                  )}
                </li>
              ))}
              <li>
                <button type="button" onClick={() => set({ at: [...at, ''] })}>
                  Add a time
                </button>
              </li>
            </ol>
          )}
        </Field>
      )}
      <p class="preview" aria-live="polite">
        {preview(draft)}
      </p>
    </Group>
  );
}

/**
 * "More" of a schedule: bounds, jitter, catch-up and the overlap policy (and what `children`
 * adds), folded away unless one of them has a problem.
 */
export function MoreFields(props: {
  summary: string;
  /** What an empty bound means, in its label: "optional", "empty: no bound". */
  emptyBound: string;
  more: MoreDraft;
  setMore: (more: MoreDraft) => void;
  overlap: OverlapPolicy;
  setOverlap: (overlap: OverlapPolicy) => void;
  errors: FieldErrors;
  children?: ComponentChildren;
}) {
  const { more, setMore, errors } = props;
  const open = ['startAt', 'endAt', 'jitterMs', 'catchupWindowMs', 'overlap', 'paused'].some((p) => errors[p]);
  return (
    <details class="more" open={open}>
      <summary>{props.summary}</summary>
      <div class="row">
        <TextField
          path="startAt"
          label={`No run before (${props.emptyBound})`}
          type="datetime-local"
          step="1"
          value={more.startAt}
          onInput={(startAt) => setMore({ ...more, startAt })}
          errors={errors}
        />
        <TextField
          path="endAt"
          label={`No run after (${props.emptyBound})`}
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
          <select {...wiring} value={props.overlap} onChange={(e) => props.setOverlap(e.currentTarget.value as OverlapPolicy)}>
            {OVERLAPS.map(([value, words]) => (
              <option key={value} value={value}>
                {words}
              </option>
            ))}
          </select>
        )}
      </Field>
      {props.children}
    </details>
  );
}
