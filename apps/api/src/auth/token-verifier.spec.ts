import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { JwksAuthConfig } from '../../../../libs/runtime/auth-config';
import { epochSeconds, hs256Token, TEST_JWT_SECRET, unsignedToken } from '../../../../test/support/jwt';
import { OidcIssuer } from '../../../../test/support/oidc-issuer';
import { UnavailableError } from '../core/errors';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

/** Why `verifier` refused `token`: the message of the InvalidTokenError it threw. */
async function whyRefused(verifier: TokenVerifier, token: string): Promise<string> {
  const error: unknown = await verifier.verify(token).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  return (error as InvalidTokenError).message;
}

describe('TokenVerifier in embedded mode (HS256)', () => {
  const verifier = new TokenVerifier({ mode: 'hs256', secret: TEST_JWT_SECRET, rolesClaim: 'roles', adminRole: 'admin' });
  const token = (claims: Record<string, unknown>) => hs256Token(TEST_JWT_SECRET, claims);

  it('accepts a valid token as its sub, not an admin', async () => {
    expect(await verifier.verify(await token({ sub: 'alice' }))).toEqual({ sub: 'alice', admin: false });
  });

  it('makes an admin of a token whose roles list holds admin', async () => {
    expect(await verifier.verify(await token({ sub: 'root', roles: ['user', 'admin'] }))).toEqual({ sub: 'root', admin: true });
  });

  it.each([
    ['user admin', true],
    ['user,admin', true],
    [' user , admin ', true],
    ['administrator', false],
    [['administrator', 7], false],
    [{ admin: true }, false],
  ])('reads the roles %p as admin %p', async (roles, admin) => {
    expect(await verifier.verify(await token({ sub: 'bob', roles }))).toEqual({ sub: 'bob', admin });
  });

  it('reads roles from a custom claim, by exact name or as a path', async () => {
    const groups = new TokenVerifier({ mode: 'hs256', secret: TEST_JWT_SECRET, rolesClaim: 'groups', adminRole: 'admin' });
    expect(await groups.verify(await token({ sub: 'carol', groups: 'admin', roles: [] }))).toEqual({ sub: 'carol', admin: true });
    expect(await groups.verify(await token({ sub: 'carol', roles: ['admin'] }))).toEqual({ sub: 'carol', admin: false });

    const keycloak = new TokenVerifier({ mode: 'hs256', secret: TEST_JWT_SECRET, rolesClaim: 'realm_access.roles', adminRole: 'admin' });
    expect(await keycloak.verify(await token({ sub: 'dan', realm_access: { roles: ['admin'] } }))).toEqual({ sub: 'dan', admin: true });

    const auth0 = new TokenVerifier({
      mode: 'hs256',
      secret: TEST_JWT_SECRET,
      rolesClaim: 'https://example.com/roles',
      adminRole: 'admin',
    });
    expect(await auth0.verify(await token({ sub: 'eve', 'https://example.com/roles': ['admin'] }))).toEqual({ sub: 'eve', admin: true });
  });

  it('refuses an expired token, but forgives a clock a few seconds behind', async () => {
    expect(await whyRefused(verifier, await token({ sub: 'alice', exp: epochSeconds(-60) }))).toBe('token expired');
    expect(await verifier.verify(await token({ sub: 'alice', exp: epochSeconds(-2) }))).toEqual({ sub: 'alice', admin: false });
  });

  it('refuses a token that is not valid before a time still to come', async () => {
    expect(await whyRefused(verifier, await token({ sub: 'alice', nbf: epochSeconds(60) }))).toBe('token is not yet valid');
  });

  it('refuses a token signed with another secret, or changed after signing', async () => {
    expect(await whyRefused(verifier, await hs256Token('another-secret-0123456789abcdefgh', { sub: 'alice' }))).toBe(
      'token signature is not valid',
    );
    const [header, , signature] = (await token({ sub: 'alice' })).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'root', roles: ['admin'], exp: epochSeconds(300) })).toString('base64url');
    expect(await whyRefused(verifier, `${header}.${forged}.${signature}`)).toBe('token signature is not valid');
  });

  it('refuses a token without sub, or with an empty one', async () => {
    expect(await whyRefused(verifier, await token({}))).toBe('token has no sub');
    expect(await whyRefused(verifier, await token({ sub: ' ' }))).toBe('token has no sub');
  });

  it('refuses a token without exp, which would never expire', async () => {
    expect(await whyRefused(verifier, await token({ sub: 'alice', exp: undefined }))).toBe('token has no exp');
    expect(await whyRefused(verifier, await token({ sub: 'alice', exp: 'tomorrow' }))).toBe('token claim exp is not valid');
  });

  it('refuses an unsigned token (alg none)', async () => {
    expect(await whyRefused(verifier, unsignedToken({ sub: 'root', roles: ['admin'], exp: epochSeconds(300) }))).toBe(
      'token algorithm none is not accepted',
    );
  });

  it('refuses an RS256 token', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const rs256 = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('5m').sign(privateKey);
    expect(await whyRefused(verifier, rs256)).toBe('token algorithm RS256 is not accepted');
  });

  it.each([
    ['not-a-jwt'],
    ['a.b'],
    ['a.b.c.d'],
    [`${Buffer.from('not json').toString('base64url')}.e30.sig`],
    [`${Buffer.from('{"alg":{"x":1}}').toString('base64url')}.e30.sig`],
    [`${Buffer.from('{"alg":"HS256\\" x"}').toString('base64url')}.e30.sig`],
  ])('refuses the malformed token %s', async (malformed) => {
    expect(await whyRefused(verifier, malformed)).toBe('malformed bearer token');
  });

  it('refuses a token whose payload is not a JSON object, though correctly signed', async () => {
    const header = Buffer.from('{"alg":"HS256"}').toString('base64url');
    const payload = Buffer.from('[1,2]').toString('base64url');
    const { createHmac } = await import('node:crypto');
    const signature = createHmac('sha256', TEST_JWT_SECRET).update(`${header}.${payload}`).digest('base64url');
    expect(await whyRefused(verifier, `${header}.${payload}.${signature}`)).toBe('malformed bearer token');
  });

  it('refuses an empty token as missing', async () => {
    expect(await whyRefused(verifier, '')).toBe('missing bearer token');
  });
});

describe('TokenVerifier in production mode (JWKS), against a loopback issuer', () => {
  let issuer: OidcIssuer;
  const config = (overrides: Partial<JwksAuthConfig> = {}): JwksAuthConfig => ({
    mode: 'jwks',
    issuer: issuer.issuer,
    jwksUrl: issuer.jwksUrl,
    audience: issuer.audience,
    jwksCooldownMs: 0,
    rolesClaim: 'roles',
    adminRole: 'admin',
    ...overrides,
  });

  beforeEach(async () => {
    issuer = await OidcIssuer.start();
  });
  afterEach(async () => {
    await issuer.stop();
  });

  it('accepts valid ES256 and RS256 tokens, fetching the key set once', async () => {
    const verifier = new TokenVerifier(config());
    expect(await verifier.verify(await issuer.token({ sub: 'alice' }, { alg: 'ES256' }))).toEqual({ sub: 'alice', admin: false });
    expect(await verifier.verify(await issuer.token({ sub: 'root', roles: 'admin' }, { alg: 'RS256' }))).toEqual({
      sub: 'root',
      admin: true,
    });
    expect(await verifier.verify(await issuer.token({ sub: 'bob', aud: ['other', issuer.audience] }))).toEqual({
      sub: 'bob',
      admin: false,
    });
    expect(issuer.jwksRequests).toBe(1);
  });

  it('refuses a token of another issuer', async () => {
    const verifier = new TokenVerifier(config());
    expect(await whyRefused(verifier, await issuer.token({ sub: 'alice', iss: 'https://evil.example.com' }))).toBe(
      'token issuer is not accepted',
    );
    expect(await whyRefused(verifier, await issuer.token({ sub: 'alice', iss: undefined }))).toBe('token has no iss');
  });

  it('does not check iss when only JWT_JWKS_URL is configured', async () => {
    const verifier = new TokenVerifier(config({ issuer: null }));
    expect(await verifier.verify(await issuer.token({ sub: 'alice', iss: 'https://elsewhere.example.com' }))).toEqual({
      sub: 'alice',
      admin: false,
    });
  });

  it('refuses a token for another audience, or for none', async () => {
    const verifier = new TokenVerifier(config());
    expect(await whyRefused(verifier, await issuer.token({ sub: 'alice', aud: 'another-api' }))).toBe('token audience is not accepted');
    expect(await whyRefused(verifier, await issuer.token({ sub: 'alice', aud: undefined }))).toBe('token has no aud');
  });

  it('refuses an expired token and one signed by a key the issuer never published', async () => {
    const verifier = new TokenVerifier(config());
    expect(await whyRefused(verifier, await issuer.token({ sub: 'alice', exp: epochSeconds(-60) }))).toBe('token expired');
    const { privateKey } = await generateKeyPair('ES256');
    const impostor = await new SignJWT({ sub: 'root', iss: issuer.issuer, aud: issuer.audience })
      .setProtectedHeader({ alg: 'ES256', kid: issuer.publicJwk('ES256').kid })
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(await whyRefused(verifier, impostor)).toBe('token signature is not valid');
  });

  it('refuses an HS256 token MACed with the public key, before fetching any key (algorithm confusion)', async () => {
    const verifier = new TokenVerifier(config());
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    for (const keyBytes of [await exportSPKI(publicKey), JSON.stringify(issuer.publicJwk('RS256'))]) {
      const confused = await new SignJWT({ sub: 'root', roles: ['admin'], iss: issuer.issuer, aud: issuer.audience })
        .setProtectedHeader({ alg: 'HS256', kid: issuer.publicJwk('RS256').kid })
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(keyBytes));
      expect(await whyRefused(verifier, confused)).toBe('token algorithm HS256 is not accepted');
    }
    expect(issuer.jwksRequests).toBe(0);
  });

  it('refuses an HS256 token signed with any secret', async () => {
    const verifier = new TokenVerifier(config());
    const token = await hs256Token(TEST_JWT_SECRET, { sub: 'alice', iss: issuer.issuer, aud: issuer.audience });
    expect(await whyRefused(verifier, token)).toBe('token algorithm HS256 is not accepted');
  });

  it('refuses an unsigned token', async () => {
    const verifier = new TokenVerifier(config());
    const token = unsignedToken({ sub: 'root', iss: issuer.issuer, aud: issuer.audience, exp: epochSeconds(300) });
    expect(await whyRefused(verifier, token)).toBe('token algorithm none is not accepted');
  });

  it('fetches the key set again for an unknown kid, and finds the rotated key', async () => {
    const verifier = new TokenVerifier(config());
    await verifier.verify(await issuer.token({ sub: 'alice' }));
    expect(issuer.jwksRequests).toBe(1);

    const kid = await issuer.rotate('ES256', { retireOld: true });
    expect(kid).toBe('es256-3');
    expect(await verifier.verify(await issuer.token({ sub: 'alice' }))).toEqual({ sub: 'alice', admin: false });
    expect(issuer.jwksRequests).toBe(2);
    // The RS256 key was not rotated: it is still known, with no fetch.
    await verifier.verify(await issuer.token({ sub: 'alice' }, { alg: 'RS256' }));
    expect(issuer.jwksRequests).toBe(2);
  });

  it('fetches the key set at most once per cooldown, however many unknown kids arrive', async () => {
    const verifier = new TokenVerifier(config({ jwksCooldownMs: 1_000 }));
    await verifier.verify(await issuer.token({ sub: 'alice' }));
    await issuer.rotate('ES256');
    const rotated = await issuer.token({ sub: 'alice' });

    // Within the cooldown: refused, with no fetch.
    expect(await whyRefused(verifier, rotated)).toBe('token signing key is not known');
    expect(await whyRefused(verifier, await issuer.token({ sub: 'alice' }, { kid: 'forged-kid' }))).toBe('token signing key is not known');
    expect(issuer.jwksRequests).toBe(1);

    // After it: one fetch finds the new key; then a kid nobody has costs a fetch only after the next cooldown.
    await sleep(1_050);
    expect(await verifier.verify(rotated)).toEqual({ sub: 'alice', admin: false });
    expect(issuer.jwksRequests).toBe(2);
    expect(await whyRefused(verifier, await issuer.token({ sub: 'alice' }, { kid: 'forged-kid' }))).toBe('token signing key is not known');
    expect(issuer.jwksRequests).toBe(2);
    await sleep(1_050);
    expect(await whyRefused(verifier, await issuer.token({ sub: 'alice' }, { kid: 'forged-kid' }))).toBe('token signing key is not known');
    expect(issuer.jwksRequests).toBe(3);
  });

  it('verifies a token without kid with the one key of its type, or with each of several', async () => {
    const verifier = new TokenVerifier(config());
    expect(await verifier.verify(await issuer.token({ sub: 'alice' }, { kid: null }))).toEqual({ sub: 'alice', admin: false });
    await issuer.rotate('ES256');
    await verifier.verify(await issuer.token({ sub: 'alice' })); // the new kid: fetched again
    expect(await verifier.verify(await issuer.token({ sub: 'alice' }, { kid: null }))).toEqual({ sub: 'alice', admin: false });
    expect(issuer.jwksRequests).toBe(2);
  });

  it('discovers the key set from JWT_ISSUER once, for concurrent first requests too', async () => {
    const verifier = new TokenVerifier(config({ jwksUrl: null }));
    const token = await issuer.token({ sub: 'alice' });
    const callers = await Promise.all([1, 2, 3, 4, 5].map(() => verifier.verify(token)));
    expect(callers).toEqual(Array(5).fill({ sub: 'alice', admin: false }));
    await verifier.verify(token);
    expect([issuer.discoveryRequests, issuer.jwksRequests]).toEqual([1, 1]);
  });

  it('answers 503 while the discovery document names another issuer, and discovers again on the next request', async () => {
    const verifier = new TokenVerifier(config({ jwksUrl: null }));
    issuer.discoveryIssuer = 'https://other.example.com';
    const token = await issuer.token({ sub: 'alice' });
    const error = await verifier.verify(token).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe(
      `the OpenID configuration of ${issuer.issuer} could not be read from ${issuer.issuer}/.well-known/openid-configuration: ` +
        'it names the issuer "https://other.example.com"',
    );

    issuer.discoveryIssuer = null;
    expect(await verifier.verify(token)).toEqual({ sub: 'alice', admin: false });
    expect([issuer.discoveryRequests, issuer.jwksRequests]).toEqual([2, 1]);
  });

  it('keeps verifying with the keys fetched before while the identity provider is down, and says so once', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const verifier = new TokenVerifier(config(), { jwksMaxAgeMs: 0 }); // every verification fetches
      const token = await issuer.token({ sub: 'alice' });
      await verifier.verify(token);
      issuer.down = true;
      expect(await verifier.verify(token)).toEqual({ sub: 'alice', admin: false });
      expect(await verifier.verify(token)).toEqual({ sub: 'alice', admin: false });
      expect(issuer.jwksRequests).toBe(3);
      expect(warn.mock.calls).toEqual([
        [
          `the identity provider's signing keys could not be fetched from ${issuer.jwksUrl}: ` +
            'Expected 200 OK from the JSON Web Key Set HTTP response; verifying with the keys fetched before',
        ],
      ]);

      // Back up: fresh keys again, and the next outage is reported again.
      issuer.down = false;
      await verifier.verify(token);
      issuer.down = true;
      await verifier.verify(token);
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
  });

  it('answers 503 when the key set cannot be fetched', async () => {
    const token = await issuer.token({ sub: 'alice' });
    await issuer.stop();
    const error = await new TokenVerifier(config()).verify(token).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe(
      `the identity provider's signing keys could not be fetched from ${issuer.jwksUrl}: ` +
        `fetch failed: connect ECONNREFUSED ${new URL(issuer.issuer).host}`,
    );
  });
});
