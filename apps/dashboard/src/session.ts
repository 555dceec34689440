import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, setToken, whenUnauthorized } from './api';
import type { DashboardConfig, Me } from './types';

/** Where the token lives: this tab only, gone when it closes. */
const STORAGE_KEY = 'scheduler.token';

/** The app's state before any page: the API's dashboard config and who is signed in. */
export interface SessionState {
  /** False until the stored token (if any) has been checked. */
  ready: boolean;
  config: DashboardConfig | null;
  me: Me | null;
  /** Why the last session ended (a 401's message), shown on the sign-in page. */
  endedBecause: string | null;
}

let state: SessionState = { ready: false, config: null, me: null, endedBecause: null };
const listeners = new Set<() => void>();

function set(next: Partial<SessionState>): void {
  state = { ...state, ...next };
  listeners.forEach((listener) => listener());
}

/** The session, re-rendering the caller on every change. */
export function useSession(): SessionState {
  const [, setVersion] = useState(0);
  const rendered = state;
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    // Effects run after the paint: a change in between (the API answers fast) would be lost.
    if (state !== rendered) listener();
    return () => listeners.delete(listener);
  }, []);
  return state;
}

/** Ends the session (a 401, or the user's choice); `reason` is shown on the sign-in page. */
export function signOut(reason: string | null = null): void {
  sessionStorage.removeItem(STORAGE_KEY);
  setToken(null);
  set({ me: null, endedBecause: reason });
}

/**
 * Signs in with `token` once the API accepts it (`GET /me`).
 * @throws ApiError with the API's reason when it does not (401: expired, bad signature...).
 */
export async function signIn(token: string): Promise<Me> {
  const me = await api.getAs<Me>(token, '/me');
  sessionStorage.setItem(STORAGE_KEY, token);
  setToken(token);
  set({ me, endedBecause: null });
  return me;
}

/** Loads the dashboard config and resumes a session kept in this tab, in parallel. */
export async function startSession(): Promise<void> {
  whenUnauthorized((message) => signOut(`the API refused the token: ${message}`));
  const stored = sessionStorage.getItem(STORAGE_KEY);
  const [config] = await Promise.all([
    api.get<DashboardConfig>('/dashboard/config').catch(() => null),
    stored
      ? signIn(stored).catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 401) signOut(`the API refused the token: ${err.message}`);
          // Anything else (the API is down) says nothing of the token: keep it for a reload.
          else set({ endedBecause: `the saved token could not be checked: ${err instanceof Error ? err.message : String(err)}` });
        })
      : null,
  ]);
  set({ ready: true, config });
}
