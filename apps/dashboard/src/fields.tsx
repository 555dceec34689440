import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ApiError } from './api';
import { describeError, type Action } from './errors';

/** Messages by field path (`url`, `steps[1].url`, `at[2]`): the API's 400 and the form's own checks. */
export type FieldErrors = Record<string, string[]>;

/** The id of a field's input, from its API path (`steps[1].url` → `f-steps-1-url`). */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`;
}

/** Attributes that tie an input to its label, hint and error message. */
export interface InputWiring {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: 'true';
}

/**
 * A labelled field: its hint, its input (from `children`), and its messages (the API's for this
 * path, and the form's own), tied to the input for screen readers.
 */
export function Field(props: {
  path: string;
  label: string;
  errors: FieldErrors;
  hint?: string;
  children: (wiring: InputWiring) => JSX.Element;
}) {
  const id = fieldId(props.path);
  const messages = props.errors[props.path] ?? [];
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errorId = messages.length > 0 ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  return (
    <div class={`field ${messages.length > 0 ? 'invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children({ id, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(errorId ? { 'aria-invalid': 'true' } : {}) })}
      {props.hint && (
        <p id={hintId} class="hint">
          {props.hint}
        </p>
      )}
      {errorId && (
        <p id={errorId} class="field-error">
          {messages.join('; ')}
        </p>
      )}
    </div>
  );
}

type Setter = (value: string) => void;

/** A one-line text field. */
export function TextField(props: {
  path: string;
  label: string;
  value: string;
  onInput: Setter;
  errors: FieldErrors;
  hint?: string;
  type?: 'text' | 'url' | 'datetime-local';
  numeric?: boolean;
  placeholder?: string;
  list?: string;
  step?: string;
}) {
  return (
    <Field path={props.path} label={props.label} errors={props.errors} hint={props.hint}>
      {(wiring) => (
        <input
          {...wiring}
          type={props.type ?? 'text'}
          value={props.value}
          inputMode={props.numeric ? 'numeric' : undefined}
          placeholder={props.placeholder}
          list={props.list}
          step={props.step}
          autoComplete="off"
          spellcheck={false}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

/** A multi-line field, checked as JSON while it is typed (the message is read out politely). */
export function JsonField(props: {
  path: string;
  label: string;
  value: string;
  onInput: Setter;
  errors: FieldErrors;
  hint?: string;
  rows?: number;
}) {
  return (
    <Field path={props.path} label={props.label} errors={props.errors} hint={props.hint}>
      {(wiring) => (
        <textarea
          {...wiring}
          class="code"
          rows={props.rows ?? 3}
          value={props.value}
          spellcheck={false}
          autoComplete="off"
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

/** A choice from a short list. */
export function SelectField<T extends string>(props: {
  path: string;
  label: string;
  value: T;
  options: ReadonlyArray<readonly [T, string]>;
  onChange: (value: T) => void;
  errors: FieldErrors;
  hint?: string;
}) {
  return (
    <Field path={props.path} label={props.label} errors={props.errors} hint={props.hint}>
      {(wiring) => (
        <select {...wiring} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as T)}>
          {props.options.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Radio buttons in a fieldset (its legend names the choice). */
export function Choice<T extends string>(props: {
  legend: string;
  name: string;
  value: T;
  options: ReadonlyArray<readonly [T, string]>;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset class="choice">
      <legend>{props.legend}</legend>
      {props.options.map(([value, text]) => (
        <label key={value}>
          <input type="radio" name={props.name} value={value} checked={props.value === value} onChange={() => props.onChange(value)} />{' '}
          {text}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * What is wrong, at the top of the form, focused after a refused submit: the API's words for the
 * whole request, then each field's messages as links to the field.
 */
export function ErrorSummary({
  error,
  errors,
  shown,
  action = 'create',
}: {
  error: ApiError | null;
  errors: FieldErrors;
  shown: number;
  action?: Action;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (shown > 0) box.current?.focus();
  }, [shown]);
  const entries = Object.entries(errors).filter(([, messages]) => messages.length > 0);
  if (!error && entries.length === 0) return null;
  // A message about the whole request (path '') is no field.
  const fields = entries.filter(([path]) => path !== '').length;
  return (
    <div class="error-summary" role="alert" tabIndex={-1} ref={box}>
      <p>
        <strong>
          {error
            ? describeError(error, action)
            : fields === 0
              ? 'Not sent.'
              : `Not sent: ${fields === 1 ? 'one field needs' : `${fields} fields need`} a change.`}
        </strong>
      </p>
      {entries.length > 0 && (
        <ul>
          {entries.map(([path, messages]) => (
            <li key={path}>
              {/* A message about the whole request has no field to go to. */}
              {path === '' ? (
                messages.join('; ')
              ) : (
                <>
                  <a
                    href={`#${fieldId(path)}`}
                    onClick={(e) => {
                      const input = document.getElementById(fieldId(path));
                      if (!input) return;
                      e.preventDefault();
                      input.focus();
                    }}
                  >
                    {path}
                  </a>
                  : {messages.join('; ')}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A group of fields with a visible legend. */
export function Group({ legend, children, class: className }: { legend: string; children: ComponentChildren; class?: string }) {
  return (
    <fieldset class={`group ${className ?? ''}`}>
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
}
