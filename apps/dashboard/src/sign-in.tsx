import { useState } from 'preact/hooks';
import { describeError } from './errors';
import { useHeadingFocus } from './components';
import { useTitle } from './hooks';
import { signIn, useSession } from './session';
import { api, ApiError } from './api';
import { OIDC_CALLBACK_PATH, oidcRedirectUri } from './router';
import type { OidcSettings } from './types';

/**
 * Signed out: paste a token; or, when the API has it on, the one-click development sign-in by
 * name, marked as the development convenience it is.
 */
export function SignInPage() {
  const { config, endedBecause } = useSession();
  useTitle('Sign in');
  // A page like the others: the one after it (once signed in) takes the focus to its heading.
  const heading = useHeadingFocus([]);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Sign in
      </h1>
      {endedBecause && (
        <p class="notice notice-bad" role="alert">
          Signed out: {endedBecause}.
        </p>
      )}
      {config?.oidc && <ProviderSignIn settings={config.oidc} />}
      <TokenForm hs256={config?.authMode !== 'jwks'} />
      {config?.devSignIn && <DevSignIn />}
    </>
  );
}

/** Sign-in through the identity provider: off to its page, and back with a token (authorization code + PKCE). */
function ProviderSignIn({ settings }: { settings: OidcSettings }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section class="provider-sign-in" aria-labelledby="provider-title">
      <h2 id="provider-title">Your identity provider</h2>
      <p>
        Sign in at <code>{new URL(settings.issuer).host}</code>; you come back here signed in.
      </p>
      <button
        type="button"
        class="primary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError(null);
          const returnTo = location.pathname === OIDC_CALLBACK_PATH ? '/ui/tasks' : location.pathname + location.search;
          import('./oidc')
            .then(({ startOidcSignIn }) => startOidcSignIn(settings, oidcRedirectUri(), returnTo))
            .catch((err: unknown) => {
              setBusy(false);
              setError(`The identity provider could not be reached: ${err instanceof Error ? err.message : String(err)}.`);
            });
        }}
      >
        Sign in with your identity provider
      </button>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function TokenForm({ hs256 }: { hs256: boolean }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="form sign-in"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        void signIn(token.trim().replace(/^Bearer\s+/i, ''))
          .catch((err: unknown) => {
            if (!(err instanceof ApiError)) throw err;
            setError(err);
          })
          .finally(() => setBusy(false));
      }}
    >
      <div class={`field ${error ? 'invalid' : ''}`}>
        <label for="token">Bearer token</label>
        <textarea
          id="token"
          class="code"
          rows={4}
          value={token}
          autoComplete="off"
          spellcheck={false}
          aria-describedby={`token-hint${error ? ' token-error' : ''}`}
          aria-invalid={error ? 'true' : undefined}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <p id="token-hint" class="hint">
          {hs256 ? (
            <>
              A JWT of this API: <code>npm run -s token -- --sub alice</code> prints one (add <code>--admin</code> for an admin).
            </>
          ) : (
            'A JWT from your identity provider.'
          )}{' '}
          It is kept in this browser tab only, and forgotten when the tab closes.
        </p>
        {error && (
          <p id="token-error" class="field-error" role="alert">
            {error.status === 401 ? `The API refused this token: ${error.message}.` : describeError(error)}
          </p>
        )}
      </div>
      <button type="submit" class="primary" disabled={busy || token.trim() === ''}>
        Sign in
      </button>
    </form>
  );
}

function DevSignIn() {
  const [sub, setSub] = useState('alice');
  const [admin, setAdmin] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <section class="dev-sign-in" aria-labelledby="dev-title">
      <h2 id="dev-title">Development sign-in</h2>
      <p>
        <strong>A development convenience:</strong> anyone who can reach this API can sign in here as anyone, with no password. It is on
        because the API runs with its embedded secret and <code>API_DEV_SIGN_IN=true</code> (as <code>npm start</code> sets it). Never turn
        it on where others can reach the API.
      </p>
      <form
        class="row"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          void api
            .post<{ token: string }>('/dashboard/dev-sign-in', { sub: sub.trim(), admin })
            .then(({ token }) => signIn(token))
            .catch((err: unknown) => {
              if (!(err instanceof ApiError)) throw err;
              setError(err);
            });
        }}
      >
        <div class={`field ${error ? 'invalid' : ''}`}>
          <label for="dev-sub">User name</label>
          <input
            id="dev-sub"
            value={sub}
            autoComplete="username"
            spellcheck={false}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'dev-error' : undefined}
            onInput={(e) => setSub(e.currentTarget.value)}
          />
          {error && (
            <p id="dev-error" class="field-error" role="alert">
              {error.body.errors?.[0]?.messages.join('; ') ?? describeError(error)}
            </p>
          )}
        </div>
        <label class="switch">
          <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.currentTarget.checked)} /> Admin
        </label>
        <button type="submit">Sign in as {sub.trim() || '…'}</button>
      </form>
    </section>
  );
}
