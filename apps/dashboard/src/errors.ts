import type { ApiError } from './api';

/** What the user tried, for a 409 in words. */
export type Action =
  'cancel' | 'move' | 'change' | 'load' | 'create' | 'pause' | 'resume' | 'trigger' | 'delete' | 'retry' | 'approve' | 'reject' | 'deploy';

/**
 * A refusal in plain words, for the person who clicked: what it means and what to do. The API's
 * own message follows it where it adds something.
 */
export function describeError(err: ApiError, action: Action = 'load'): string {
  const said = err.message ? ` (${err.message})` : '';
  switch (err.status) {
    case 0:
      return `No answer from the API: ${err.message}.`;
    case 400:
      return err.body.errors?.length
        ? `Not saved: ${err.body.errors.length === 1 ? 'one field needs' : `${err.body.errors.length} fields need`} a change (see below).`
        : `Not accepted: ${err.message}.`;
    case 401:
      return `Signed out: ${err.message}.`;
    case 403:
      return `Not allowed: ${err.message}.`;
    case 404:
      return 'Not found: it does not exist, or it belongs to another user.';
    case 409:
      return conflictInWords(err, action);
    case 413:
      return `Too large: ${err.message}.`;
    case 429:
      return `Too many requests: try again${err.retryAfter ? ` in ${err.retryAfter} s` : ' shortly'}.`;
    case 502:
      return `AWS refused the API itself${said}.`;
    case 503:
      return `Temporal did not answer in time${said}. Try again shortly.`;
    default:
      return `The API failed (${err.status})${said}.`;
  }
}

/**
 * A 409 as what happened: `Already running: too late to cancel.`, from the API's
 * `task is running; only a scheduled task can be changed or cancelled`.
 */
export function conflictInWords(err: ApiError, action: Action): string {
  const status = /^\w+ is (scheduled|running|waiting|completed|failed|cancelled)\b/.exec(err.message)?.[1];
  const tooLate =
    action === 'cancel' || action === 'move' || action === 'change' || action === 'approve' || action === 'reject'
      ? `: too late to ${action}`
      : '';
  const what = status === 'cancelled' ? 'Already cancelled' : status ? `Already ${status}${tooLate}` : `Not possible now${tooLate}`;
  return `${what}. The API said: “${err.message}”.`;
}
