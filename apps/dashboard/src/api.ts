import type { ErrorBody } from './types';

/** An answer of the API other than 2xx, or no answer at all (`status` 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    /** Seconds, from Retry-After (429). */
    readonly retryAfter: number | null = null,
  ) {
    super(body.message);
    this.name = 'ApiError';
  }

  /** The 400's messages by field path (`url`, `steps[1].url`, `at[2]`). */
  get fieldErrors(): Record<string, string[]> {
    return Object.fromEntries((this.body.errors ?? []).map((e) => [e.field, e.messages]));
  }
}

/** Query parameters; undefined and null are left out; a list repeats its parameter (`tag=a:1&tag=b:2`). */
export type Query = Record<string, string | number | boolean | string[] | null | undefined>;

let token: string | null = null;
let onUnauthorized: (message: string) => void = () => undefined;

/** The bearer token every request carries from now on (null: none). */
export function setToken(value: string | null): void {
  token = value;
}

/** What to do when the API refuses the token (401): the session module signs out. */
export function whenUnauthorized(handler: (message: string) => void): void {
  onUnauthorized = handler;
}

/** `path` with `query` appended. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    for (const one of Array.isArray(value) ? value : [value])
      if (one !== undefined && one !== null && one !== '') params.append(key, String(one));
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/**
 * One request to the API (same origin) as the signed-in user.
 * @throws ApiError for any answer but 2xx; a 401 also ends the session.
 */
async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, bearer = token): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, {
      statusCode: 0,
      error: 'No answer',
      message: 'the API did not answer (is it running, and is this machine online?)',
    });
  }
  const text = await response.text();
  const data = parse(text);
  if (response.ok) return data as T;
  const error = isErrorBody(data) ? data : { statusCode: response.status, error: response.statusText, message: text.slice(0, 300) };
  const retryAfter = Number(response.headers.get('retry-after'));
  // Only the session's own token: a token being tried at sign-in is refused by its caller.
  if (response.status === 401 && bearer !== null && bearer === token) onUnauthorized(error.message);
  throw new ApiError(response.status, error, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
}

function parse(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as ErrorBody).message === 'string';
}

/** The API, as the signed-in user. */
export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>('POST', path, body, headers),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
  /** A GET with a token other than the session's (sign-in tries it before keeping it). */
  getAs: <T>(bearer: string, path: string) => request<T>('GET', path, undefined, {}, bearer),
};

/**
 * A fresh Idempotency-Key. crypto.randomUUID exists only on secure origins (https, localhost);
 * the dashboard may be served over plain http on a LAN address, where getRandomValues still is.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `dash-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
