import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, setToken, whenUnauthorized } from './api';
import { OIDC_CALLBACK_PATH, oidcRedirectUri } from './router';
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
  // The codec server's cookie goes with the session (it needs no token to be cleared).
  void fetch('/codec/session', { method: 'DELETE' }).catch(() => undefined);
  set({ me: null, endedBecause: reason });
}

/**
 * Signs in with `token` once the API accepts it (`GET /me`). An admin's browser also gets the
 * codec server's cookie, so the Temporal Web UI in this browser can show decoded payloads.
 * @throws ApiError with the API's reason when it does not (401: expired, bad signature...).
 */
export async function signIn(token: string): Promise<Me> {
  const me = await api.getAs<Me>(token, '/me');
  sessionStorage.setItem(STORAGE_KEY, token);
  setToken(token);
  if (me.admin) void api.post('/codec/session').catch(() => undefined);
  set({ me, endedBecause: null });
  return me;
}

/** Back from the identity provider: finishes the sign-in, then goes where the visitor was going. */
async function signInFromCallback(config: DashboardConfig | null): Promise<void> {
  try {
    if (!config?.oidc) throw new Error('this dashboard signs in with no identity provider');
    const { completeOidcSignIn } = await import('./oidc');
    const { token, returnTo } = await completeOidcSignIn(config.oidc, oidcRedirectUri());
    await signIn(token);
    history.replaceState(null, '', returnTo);
  } catch (err) {
    history.replaceState(null, '', '/ui/tasks');
    const reason =
      err instanceof ApiError
        ? `the API refused the token: ${err.message}`
        : `the identity provider sign-in failed: ${err instanceof Error ? err.message : String(err)}`;
    signOut(reason);
  }
}

/** Loads the dashboard config and resumes a session kept in this tab, in parallel (or finishes a provider's sign-in). */
export async function startSession(): Promise<void> {
  whenUnauthorized((message) => signOut(`the API refused the token: ${message}`));
  if (location.pathname === OIDC_CALLBACK_PATH) {
    const config = await api.get<DashboardConfig>('/dashboard/config').catch(() => null);
    await signInFromCallback(config);
    set({ ready: true, config });
    return;
  }
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
