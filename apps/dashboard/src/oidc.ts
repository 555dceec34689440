/**
 * Sign-in through the identity provider (loaded only when the dashboard has one: it holds
 * oauth4webapi, which a first load without a provider does without). It imports no value of the
 * dashboard's own (the redirect URI comes as an argument): a module shared with the first script
 * would be split out of it into a file of its own, a second request on every first load.
 */
import * as oauth from 'oauth4webapi';
import type { OidcSettings } from './types';

/** What a sign-in in progress keeps in this tab while the browser visits the provider. */
const PENDING_KEY = 'scheduler.oidc';

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  /** The dashboard page to go back to. */
  returnTo: string;
}

/** The provider's metadata, found by OpenID Connect discovery from its issuer. */
async function discover(settings: OidcSettings): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(settings.issuer);
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure(issuer) });
  return oauth.processDiscoveryResponse(issuer, response);
}

/** Plain http only for a provider on this machine (development and tests), as the API allows. */
function insecure(url: URL): { [oauth.allowInsecureRequests]?: boolean } {
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\./.test(url.hostname);
  return url.protocol === 'http:' && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

/**
 * Sends the browser to the identity provider: authorization code flow with PKCE (S256) for a
 * public client, asking for the API as the resource (RFC 8707) so the access token is for it.
 */
export async function startOidcSignIn(settings: OidcSettings, redirectUri: string, returnTo: string): Promise<void> {
  const as = await discover(settings);
  const pending: Pending = {
    verifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    returnTo,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: settings.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: settings.scope,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
    resource: settings.audience,
  }).toString();
  location.assign(url.href);
}

/**
 * Finishes a sign-in at the callback: checks the answer (state, issuer), exchanges the code (with
 * the PKCE verifier) and checks the ID token (nonce). Answers the token for the API: the access
 * token when it is a JWT (issued for the API's audience), else the ID token; and where to go.
 * @throws Error saying what went wrong (the provider's error, a replayed or forged answer).
 */
export async function completeOidcSignIn(settings: OidcSettings, redirectUri: string): Promise<{ token: string; returnTo: string }> {
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (!stored) throw new Error('no sign-in was in progress in this tab');
  const pending = JSON.parse(stored) as Pending;
  const as = await discover(settings);
  const client: oauth.Client = { client_id: settings.clientId };
  const issuer = new URL(settings.issuer);
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, new URL(location.href), pending.state);
  } catch (err) {
    throw new Error(describe(err), { cause: err });
  }
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, pending.verifier, {
    additionalParameters: { resource: settings.audience },
    ...insecure(issuer),
  });
  let result: oauth.TokenEndpointResponse;
  try {
    result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
  } catch (err) {
    throw new Error(describe(err), { cause: err });
  }
  const isJwt = (token: string | undefined) => typeof token === 'string' && token.split('.').length === 3;
  const token = isJwt(result.access_token) ? result.access_token : result.id_token;
  if (!token) throw new Error('the identity provider sent no token the API can read');
  return { token, returnTo: pending.returnTo };
}

/** oauth4webapi's errors in words: the provider's own error and description when it sent one. */
function describe(err: unknown): string {
  const { error, error_description: description } = ((err as { cause?: unknown })?.cause ?? {}) as Record<string, unknown>;
  if (typeof error === 'string') return typeof description === 'string' ? `${error}: ${description}` : error;
  return err instanceof Error ? err.message : String(err);
}
