import { CallEditor, draftOf, emptyCall, toCall, type CallDraft, type Problems } from './call-editor';
import { fieldId, TextField, type FieldErrors } from './fields';
import { RUN_ENDS, type Callback, type RunEnd, type Tags } from './types';

/** At most this many tags on a run or a schedule (the API's limit). */
const MAX_TAGS = 10;

/** A tag as the form holds it. */
export interface TagDraft {
  key: string;
  value: string;
}

/** The rows of a resource's tags. */
export function tagDrafts(tags: Tags | undefined): TagDraft[] {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));
}

/** The tags of the rows (empty rows left out); a key given twice is a problem at `path`. */
export function toTags(rows: TagDraft[], path: string, problems: Problems): Tags {
  const tags: Tags = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (!key && !row.value) continue;
    if (key in tags) problems[path] = [`the key ${key} is given twice`];
    tags[key] = row.value;
  }
  return tags;
}

/**
 * A run's (or a schedule's) tags, `key` and `value` per row. The API names `tags` as a whole in a
 * 400 (its message names the key), shown under the rows.
 */
export function TagsEditor(props: {
  path: string;
  rows: TagDraft[];
  onChange: (rows: TagDraft[]) => void;
  errors: FieldErrors;
  hint?: string;
}) {
  const { rows, path } = props;
  const messages = props.errors[path] ?? [];
  const set = (i: number, change: Partial<TagDraft>) => props.onChange(rows.map((row, j) => (j === i ? { ...row, ...change } : row)));
  return (
    <fieldset class={`group tags-editor ${messages.length > 0 ? 'invalid' : ''}`} id={fieldId(path)} tabIndex={-1}>
      <legend>Tags (optional)</legend>
      <p class="hint">
        {props.hint ?? 'Your own labels: lists filter by them (key:value). Key: a-z 0-9 _ . -, up to 40; value up to 100 characters.'}
      </p>
      {rows.map((row, i) => (
        <div class="row tag-row" key={i}>
          <TextField
            path={`${path}[${i}].key`}
            label={`Tag ${i + 1} key`}
            value={row.key}
            onInput={(key) => set(i, { key })}
            errors={{}}
            placeholder="customer"
          />
          <TextField
            path={`${path}[${i}].value`}
            label={`Tag ${i + 1} value`}
            value={row.value}
            onInput={(value) => set(i, { value })}
            errors={{}}
            placeholder="42"
          />
          <button type="button" class="link" onClick={() => props.onChange(rows.filter((_, j) => j !== i))}>
            Remove tag {i + 1}
          </button>
        </div>
      ))}
      {messages.length > 0 && (
        <p class="field-error" id={`${fieldId(path)}-error`}>
          {messages.join('; ')}
        </p>
      )}
      <button type="button" disabled={rows.length >= MAX_TAGS} onClick={() => props.onChange([...rows, { key: '', value: '' }])}>
        Add a tag
      </button>
    </fieldset>
  );
}

/** A callback as the form holds it: whether there is one, its call, and the ends it is made on. */
export interface CallbackDraft {
  enabled: boolean;
  call: CallDraft;
  on: RunEnd[];
}

/** No callback (the default ends ticked for when one is added). */
export function emptyCallback(): CallbackDraft {
  return { enabled: false, call: emptyCall(), on: ['completed', 'failed'] };
}

/** The draft of a resource's callback (none: disabled). */
export function callbackDraftOf(callback: Callback | null | undefined): CallbackDraft {
  return callback ? { enabled: true, call: draftOf(callback), on: callback.on } : emptyCallback();
}

/** The API's `callback` (null when there is none); problems under `prefix` (`callback.`, `task.callback.`). */
export function toCallback(draft: CallbackDraft, prefix: string, problems: Problems): Record<string, unknown> | null {
  if (!draft.enabled) return null;
  const call = toCall(draft.call, prefix, problems, { withRetry: true, callback: true });
  return { ...call, on: RUN_ENDS.filter((end) => draft.on.includes(end)) };
}

/**
 * The callback: a call made once the run ends (completed or failed, cancelled when ticked), with
 * the run's outcome as its body and its own retries.
 */
export function CallbackEditor(props: {
  prefix: string;
  draft: CallbackDraft;
  onChange: (draft: CallbackDraft) => void;
  errors: FieldErrors;
}) {
  const { draft, prefix } = props;
  const onPath = `${prefix}on`;
  const onErrors = props.errors[onPath];
  return (
    <fieldset class="group callback-editor">
      <legend>Callback (optional)</legend>
      <label class="switch">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => props.onChange({ ...draft, enabled: e.currentTarget.checked })} />{' '}
        Make a call once the run ends, with its outcome
      </label>
      {draft.enabled && (
        <>
          <fieldset class="choice" id={fieldId(onPath)} tabIndex={-1}>
            <legend>Once it ends</legend>
            {RUN_ENDS.map((end) => (
              <label key={end}>
                <input
                  type="checkbox"
                  checked={draft.on.includes(end)}
                  onChange={(e) =>
                    props.onChange({ ...draft, on: e.currentTarget.checked ? [...draft.on, end] : draft.on.filter((x) => x !== end) })
                  }
                />{' '}
                {end}
              </label>
            ))}
          </fieldset>
          {onErrors && <p class="field-error">{onErrors.join('; ')}</p>}
          <CallEditor
            legend="Callback call"
            prefix={prefix}
            draft={draft.call}
            onChange={(call) => props.onChange({ ...draft, call })}
            errors={props.errors}
            withRetry
            callback
          />
        </>
      )}
    </fieldset>
  );
}
