import { SignJWT, type JWTPayload } from 'jose';

/** A throwaway embedded-mode secret for tests (32 characters, the shortest allowed). */
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef';

/** Options of {@link hs256Token}. */
export interface TestTokenOptions {
  /** Seconds until `exp` (default 300); an `exp` in the claims wins. */
  ttlSeconds?: number;
  /** Extra protected header parameters, e.g. `kid`. */
  header?: Record<string, unknown>;
}

/**
 * An HS256 token signed with `secret`: `iat` now, `exp` in `ttlSeconds`, then `claims` over them.
 * A claim given as undefined is left out, so `{ exp: undefined }` makes a token without expiry.
 */
export async function hs256Token(secret: string, claims: JWTPayload = {}, options: TestTokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = withoutUndefined({ iat: now, exp: now + (options.ttlSeconds ?? 300), ...claims });
  return new SignJWT(payload).setProtectedHeader({ ...options.header, alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

/** An unsigned token (`alg: none`, empty signature), built by hand since jose will not sign one. */
export function unsignedToken(claims: JWTPayload): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** Seconds since the epoch, `offsetSeconds` from now: for `exp`, `nbf` and `iat` claims. */
export function epochSeconds(offsetSeconds = 0): number {
  return Math.floor(Date.now() / 1000) + offsetSeconds;
}

function withoutUndefined(claims: JWTPayload): JWTPayload {
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

/** An HS256 token of the tests' embedded secret for `sub` (with the admin role when asked), valid for an hour. */
export function testToken(sub: string, admin = false): Promise<string> {
  return hs256Token(TEST_JWT_SECRET, { sub, ...(admin ? { roles: ['admin'] } : {}) }, { ttlSeconds: 3600 });
}
