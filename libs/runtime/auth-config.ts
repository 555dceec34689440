/** What every authentication mode shares: how a token says its bearer is an admin. */
export interface AuthRoles {
  /**
   * The claim holding the caller's roles (`JWT_ROLES_CLAIM`, default `roles`): a list of strings,
   * or one string of roles separated by spaces or commas. A name with dots (`realm_access.roles`)
   * is also read as a path into nested objects when no claim has that exact name.
   */
  rolesClaim: string;
  /** The role that makes a caller an admin. */
  adminRole: 'admin';
}

/** Embedded mode: HS256 tokens signed with a shared secret (`npm start` makes one in data/). */
export interface Hs256AuthConfig extends AuthRoles {
  mode: 'hs256';
  /** At least 32 characters; its UTF-8 bytes are the HMAC key. */
  secret: string;
}

/**
 * Production mode: RS256 / ES256 tokens of an identity provider, verified with the keys of its
 * JSON Web Key Set. At least one of `issuer` and `jwksUrl` is set.
 */
export interface JwksAuthConfig extends AuthRoles {
  mode: 'jwks';
  /**
   * `JWT_ISSUER`: a token's `iss` must equal it exactly; when `jwksUrl` is null, the key set's
   * address comes from its OIDC discovery document (`<issuer>/.well-known/openid-configuration`).
   */
  issuer: string | null;
  /** `JWT_JWKS_URL`: the key set's address; when set, no discovery document is read. */
  jwksUrl: string | null;
  /** `JWT_AUDIENCE`: a token's `aud` must be, or contain, it. */
  audience: string;
  /**
   * `JWT_JWKS_COOLDOWN_MS` (default 30 s): after a fetch of the key set, a token with an unknown
   * `kid` is refused for this long without fetching again, so a stream of forged tokens cannot
   * make the API hammer the identity provider.
   */
  jwksCooldownMs: number;
}

/** How the API authenticates callers: exactly one mode is active. */
export type AuthConfig = Hs256AuthConfig | JwksAuthConfig;

/** The variables that select or tune authentication; any of them set means auth is being configured. */
const AUTH_VARIABLES = ['JWT_SECRET', 'JWT_ISSUER', 'JWT_JWKS_URL', 'JWT_AUDIENCE', 'JWT_ROLES_CLAIM', 'JWT_JWKS_COOLDOWN_MS'] as const;

const EXACTLY_ONE_MODE = 'set exactly one of JWT_SECRET (embedded mode) or JWT_ISSUER / JWT_JWKS_URL (with JWT_AUDIENCE)';
const MIN_SECRET_LENGTH = 32;
const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
const MAX_JWKS_COOLDOWN_MS = 3_600_000;

/**
 * Reads the authentication variables (README, "Configuration"). Pure: pushes one problem per bad
 * or missing variable onto `problems`, in the style of loadConfig.
 * @returns the configuration; null when no auth variable is set at all, or when a problem was found.
 */
export function readAuthConfig(env: NodeJS.ProcessEnv, problems: string[]): AuthConfig | null {
  const read = (name: (typeof AUTH_VARIABLES)[number]): string | null => env[name]?.trim() || null;
  if (AUTH_VARIABLES.every((name) => read(name) === null)) return null;
  const found = problems.length;

  const secret = read('JWT_SECRET');
  const issuer = read('JWT_ISSUER');
  const jwksUrl = read('JWT_JWKS_URL');
  const audience = read('JWT_AUDIENCE');
  const roles: AuthRoles = { rolesClaim: read('JWT_ROLES_CLAIM') ?? 'roles', adminRole: 'admin' };

  // An HS256 secret beside a key set would let either verify tokens; refuse the ambiguity.
  if ((secret === null) === (issuer === null && jwksUrl === null)) {
    problems.push(EXACTLY_ONE_MODE);
    return null;
  }

  if (secret !== null) {
    if (secret.length < MIN_SECRET_LENGTH) problems.push(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    // Silently ignoring them would let an operator believe audience or cooldown were enforced.
    for (const name of ['JWT_AUDIENCE', 'JWT_JWKS_COOLDOWN_MS'] as const) {
      if (read(name) !== null) problems.push(`${name} applies only with JWT_ISSUER or JWT_JWKS_URL, not with JWT_SECRET`);
    }
    return problems.length > found ? null : { mode: 'hs256', secret, ...roles };
  }

  if (issuer !== null) {
    const problem = urlProblem(issuer, true);
    if (problem) problems.push(`JWT_ISSUER must be ${problem}, got "${issuer}"`);
  }
  if (jwksUrl !== null) {
    const problem = urlProblem(jwksUrl, false);
    if (problem) problems.push(`JWT_JWKS_URL must be ${problem}, got "${jwksUrl}"`);
  }
  if (audience === null) problems.push('JWT_AUDIENCE is required with JWT_ISSUER or JWT_JWKS_URL');
  const jwksCooldownMs = integer(
    read('JWT_JWKS_COOLDOWN_MS'),
    'JWT_JWKS_COOLDOWN_MS',
    DEFAULT_JWKS_COOLDOWN_MS,
    MAX_JWKS_COOLDOWN_MS,
    problems,
  );

  if (problems.length > found || audience === null) return null;
  return { mode: 'jwks', issuer, jwksUrl, audience, jwksCooldownMs, ...roles };
}

/**
 * Why `text` cannot be where keys come from, or null when it can. Keys fetched over plain http
 * could be swapped by anyone on the path, so http is allowed only on loopback (development and
 * tests); an issuer also has no query or fragment (OpenID Connect Discovery 1.0, section 2).
 */
function urlProblem(text: string, isIssuer: boolean): string | null {
  const rule = `an https URL (http only on localhost)${isIssuer ? ' without query or fragment' : ''}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return rule;
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(url.hostname);
  const schemeOk = url.protocol === 'https:' || (url.protocol === 'http:' && loopback);
  const shapeOk = !isIssuer || (url.search === '' && url.hash === '' && !text.includes('?') && !text.includes('#'));
  return schemeOk && shapeOk && !url.username && !url.password ? null : rule;
}

function integer(raw: string | null, name: string, fallback: number, max: number, problems: string[]): number {
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    problems.push(`${name} must be an integer from 0 to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}
