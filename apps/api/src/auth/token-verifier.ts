import { Injectable, Logger } from '@nestjs/common';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import type { AuthConfig, JwksAuthConfig } from '../../../../libs/runtime/auth-config';
import { UnavailableError } from '../core/errors';
import type { Caller } from './caller';

export type { Caller };

/** A bearer token that cannot be trusted; its message says why, and is safe to show the caller (401). */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/** Tuning of {@link TokenVerifier} that is not configuration (tests shorten it). */
export interface TokenVerifierOptions {
  /** Leeway for `exp` and `nbf`, for clocks a little apart (default 5 s). */
  clockToleranceSeconds?: number;
  /** Time limit of each fetch of the discovery document or the key set (default 5 s). */
  fetchTimeoutMs?: number;
  /** Age after which the key set is fetched again before use, known `kid` or not (default 10 min). */
  jwksMaxAgeMs?: number;
}

/** The message of a request without a bearer token (RFC 6750: answered without an error code). */
export const MISSING_TOKEN = 'missing bearer token';
const MALFORMED_TOKEN = 'malformed bearer token';

/** A compact JWS: three base64url parts; the signature is empty in an unsigned (`alg: none`) token. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Names an algorithm could have; anything else in `alg` is not echoed into a message or a header. */
const ALGORITHM_NAME = /^[A-Za-z0-9+._-]{1,32}$/;
/**
 * With a key set only asymmetric algorithms: were HS256 allowed, a token MACed with the public
 * key's bytes would verify (algorithm confusion).
 */
const JWKS_ALGORITHMS = ['RS256', 'ES256'];
const HS256_ALGORITHMS = ['HS256'];

/**
 * Verifies bearer tokens in the configured mode: HS256 with the embedded secret, or RS256 / ES256
 * with the keys of the identity provider's JSON Web Key Set. The key set is fetched on first use
 * (through OIDC discovery when only the issuer is configured), cached, and fetched again when a
 * token names an unknown `kid`, at most once per cooldown.
 */
@Injectable()
export class TokenVerifier {
  private readonly secret: Uint8Array | null;
  private readonly algorithms: string[];
  private readonly verifyOptions: JWTVerifyOptions;
  private readonly fetchTimeoutMs: number;
  private readonly jwksMaxAgeMs: number;
  private readonly logger = new Logger(TokenVerifier.name);
  /** Set while verifying with the last keys fetched because the identity provider is unreachable. */
  private usingStaleKeys = false;
  /** The key set, once its address is known; null until first use and after a failed discovery. */
  private keys: Promise<JWTVerifyGetKey> | null = null;

  constructor(
    private readonly config: AuthConfig,
    options: TokenVerifierOptions = {},
  ) {
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 5_000;
    this.jwksMaxAgeMs = options.jwksMaxAgeMs ?? 600_000;
    this.secret = config.mode === 'hs256' ? new TextEncoder().encode(config.secret) : null;
    this.algorithms = config.mode === 'hs256' ? HS256_ALGORITHMS : JWKS_ALGORITHMS;
    this.verifyOptions = {
      algorithms: this.algorithms,
      clockTolerance: options.clockToleranceSeconds ?? 5,
      // A token without exp would be valid forever once leaked.
      requiredClaims: ['exp'],
      ...(config.mode === 'jwks' ? { audience: config.audience, ...(config.issuer !== null ? { issuer: config.issuer } : {}) } : {}),
    };
  }

  /**
   * The caller a token stands for.
   * @throws InvalidTokenError when the token is missing, malformed, expired, not yet valid, wrongly
   *   signed, of another algorithm, for another issuer or audience, or without `sub`.
   * @throws UnavailableError (503) when the identity provider's keys cannot be fetched.
   */
  async verify(token: string): Promise<Caller> {
    if (!token) throw new InvalidTokenError(MISSING_TOKEN);
    this.checkAlgorithm(token);
    let payload: JWTPayload;
    try {
      payload = this.secret ? (await jwtVerify(token, this.secret, this.verifyOptions)).payload : await this.verifyWithKeySet(token);
    } catch (err) {
      throw asInvalidToken(err);
    }
    if (typeof payload.sub !== 'string' || payload.sub.trim() === '') throw new InvalidTokenError('token has no sub');
    return { sub: payload.sub, admin: rolesOf(payload, this.config.rolesClaim).includes(this.config.adminRole) };
  }

  /**
   * Refuses a token whose header names another algorithm before any key is looked up, so that
   * `none` or HS256-with-a-public-key never reaches a verifier, and the message names it.
   */
  private checkAlgorithm(token: string): void {
    if (!COMPACT_JWS.test(token)) throw new InvalidTokenError(MALFORMED_TOKEN);
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new InvalidTokenError(MALFORMED_TOKEN);
    }
    if (typeof alg !== 'string' || !ALGORITHM_NAME.test(alg)) throw new InvalidTokenError(MALFORMED_TOKEN);
    if (!this.algorithms.includes(alg)) throw new InvalidTokenError(`token algorithm ${alg} is not accepted`);
  }

  private async verifyWithKeySet(token: string): Promise<JWTPayload> {
    const keys = await this.keySet();
    try {
      return (await jwtVerify(token, keys, this.verifyOptions)).payload;
    } catch (err) {
      if (errorCode(err) !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw err;
      // A token without `kid` while the set holds several keys of its type (e.g. mid-rotation):
      // jose leaves it to us to try each of them.
      for await (const key of err as errors.JWKSMultipleMatchingKeys) {
        try {
          return (await jwtVerify(token, key, this.verifyOptions)).payload;
        } catch (inner) {
          if (errorCode(inner) !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw inner;
        }
      }
      throw new InvalidTokenError('token signature is not valid');
    }
  }

  /** The key set, created once; a failed discovery is tried again by the next request. */
  private keySet(): Promise<JWTVerifyGetKey> {
    if (!this.keys) {
      const pending = this.jwksUrl(this.config as JwksAuthConfig).then((url) => this.remoteKeySet(url));
      this.keys = pending;
      void pending.catch(() => {
        if (this.keys === pending) this.keys = null;
      });
    }
    return this.keys;
  }

  /**
   * jose's remote key set: it caches the keys (`jwksMaxAgeMs`), and on an unknown `kid` fetches
   * them again unless it did so less than `jwksCooldownMs` ago; concurrent fetches are shared.
   * When a fetch fails, the last keys fetched still verify (an identity provider that is down must
   * not lock every caller out); with none yet, it is a 503: the token may well be fine.
   */
  private remoteKeySet(url: URL): JWTVerifyGetKey {
    const config = this.config as JwksAuthConfig;
    const remote = createRemoteJWKSet(url, {
      cooldownDuration: config.jwksCooldownMs,
      cacheMaxAge: this.jwksMaxAgeMs,
      timeoutDuration: this.fetchTimeoutMs,
    });
    return async (header, token) => {
      try {
        const key = await remote(header, token);
        this.usingStaleKeys = false;
        return key;
      } catch (err) {
        const code = errorCode(err);
        if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw err;
        const why = `the identity provider's signing keys could not be fetched from ${url.href}: ${describe(err)}`;
        const lastFetched = remote.jwks();
        if (!lastFetched) throw new UnavailableError(why);
        if (!this.usingStaleKeys) this.logger.warn(`${why}; verifying with the keys fetched before`);
        this.usingStaleKeys = true;
        return createLocalJWKSet(lastFetched)(header, token);
      }
    };
  }

  /** JWT_JWKS_URL, else the `jwks_uri` of the issuer's OpenID Connect discovery document. */
  private async jwksUrl(config: JwksAuthConfig): Promise<URL> {
    if (config.jwksUrl !== null) return new URL(config.jwksUrl);
    const issuer = config.issuer as string;
    const address = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const unavailable = (why: string) =>
      new UnavailableError(`the OpenID configuration of ${issuer} could not be read from ${address}: ${why}`);
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await fetch(address, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.fetchTimeoutMs),
      });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (err) {
      throw unavailable(describe(err));
    }
    // OpenID Connect Discovery 1.0, 4.3: the document must name the very issuer it was read from.
    if (document?.issuer !== issuer) throw unavailable(`it names the issuer ${JSON.stringify(document?.issuer)}`);
    let jwksUri: URL | null = null;
    try {
      if (typeof document.jwks_uri === 'string') jwksUri = new URL(document.jwks_uri);
    } catch {
      // reported below
    }
    // Keys over plain http only when the issuer itself is (config allows that on loopback only).
    if (!jwksUri || !(jwksUri.protocol === 'https:' || (jwksUri.protocol === 'http:' && issuer.startsWith('http:')))) {
      throw unavailable(`its jwks_uri ${JSON.stringify(document.jwks_uri)} is not an https URL`);
    }
    return jwksUri;
  }
}

/**
 * The roles a token's claim holds: a list of strings, or one string separated by spaces or
 * commas. A claim name with dots that is not itself a claim (`realm_access.roles`) is a path.
 */
export function rolesOf(payload: JWTPayload, claim: string): string[] {
  let value: unknown = Object.hasOwn(payload, claim) ? payload[claim] : undefined;
  if (value === undefined && claim.includes('.')) {
    value = claim
      .split('.')
      .reduce<unknown>(
        (node, key) =>
          typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined,
        payload,
      );
  }
  if (Array.isArray(value)) return value.filter((role): role is string => typeof role === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((role) => role !== '');
  return [];
}

/** jose's errors by their stable `code` (their classes are not the same across module copies). */
function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** An error's message and its cause's (fetch says only "fetch failed"; its cause says why). */
function describe(err: unknown): string {
  // By shape, not instanceof: fetch's errors come from Node's own realm, not always the caller's.
  const messageOf = (value: unknown) => (value as { message?: unknown } | null)?.message;
  const message = messageOf(err);
  if (typeof message !== 'string') return String(err);
  const cause = messageOf((err as { cause?: unknown }).cause);
  return typeof cause === 'string' ? `${message}: ${cause}` : message;
}

/** jose's verification errors as the messages a caller sees; anything else passes through. */
function asInvalidToken(err: unknown): unknown {
  switch (errorCode(err)) {
    case 'ERR_JWT_EXPIRED':
      return new InvalidTokenError('token expired');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new InvalidTokenError('token signature is not valid');
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return new InvalidTokenError('token signing key is not known');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new InvalidTokenError('token algorithm is not accepted');
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return new InvalidTokenError(MALFORMED_TOKEN);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const { claim, reason } = err as errors.JWTClaimValidationFailed;
      if (reason === 'missing') return new InvalidTokenError(`token has no ${claim}`);
      if (reason === 'invalid') return new InvalidTokenError(`token claim ${claim} is not valid`);
      if (claim === 'nbf') return new InvalidTokenError('token is not yet valid');
      if (claim === 'iss') return new InvalidTokenError('token issuer is not accepted');
      if (claim === 'aud') return new InvalidTokenError('token audience is not accepted');
      return new InvalidTokenError(`token claim ${claim} is not accepted`);
    }
    default:
      return err;
  }
}
