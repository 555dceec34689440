import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { Hs256AuthConfig } from '../libs/runtime/auth-config';
import { TokenVerifier } from '../apps/api/src/auth/token-verifier';
import { HELP, parseTokenArgs, parseTtl, resolveSigningConfig, signToken, TokenScriptError, USAGE, wantsHelp } from './token';

const SECRET = 'token-script-secret-0123456789ab';
const CONFIG: Hs256AuthConfig = { mode: 'hs256', secret: SECRET, rolesClaim: 'roles', adminRole: 'admin' };

/** The message of the TokenScriptError `run` throws. */
function failure(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(TokenScriptError);
    return (err as Error).message;
  }
  throw new Error('did not throw');
}

describe('parseTtl', () => {
  it.each([
    ['30s', 30],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604_800],
    ['365d', 31_536_000],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(parseTtl(text)).toBe(seconds);
  });

  it.each([['0s'], ['1.5h'], ['1w'], ['h'], ['10'], [''], ['366d'], ['-1h']])('refuses %p', (text) => {
    expect(failure(() => parseTtl(text))).toBe(`--ttl must be a number with s, m, h or d (30s, 15m, 1h, 7d) up to 365d, got "${text}"`);
  });
});

describe('parseTokenArgs', () => {
  it('reads --sub, with no admin role and an hour by default', () => {
    expect(parseTokenArgs(['--sub', 'alice'])).toEqual({ sub: 'alice', admin: false, ttlSeconds: 3600 });
  });

  it('reads --admin and --ttl, in either option form', () => {
    expect(parseTokenArgs(['--sub=bob', '--admin', '--ttl', '15m'])).toEqual({ sub: 'bob', admin: true, ttlSeconds: 900 });
  });

  it('needs --sub', () => {
    expect(failure(() => parseTokenArgs(['--admin']))).toBe(
      '--sub is required: the user the token is for\nusage: npm run -s token -- --sub <user> [--admin] [--ttl 30s|15m|1h|7d] (default 1h)',
    );
  });

  it('refuses unknown options and stray words, with the usage', () => {
    expect(failure(() => parseTokenArgs(['--sub', 'alice', '--role', 'x']))).toMatch(
      /^Unknown option '--role'.*\nusage: npm run -s token/s,
    );
    expect(failure(() => parseTokenArgs(['--sub', 'alice', 'admin']))).toMatch(/^Unexpected argument 'admin'.*\nusage: npm run -s token/s);
  });
});

describe('--help', () => {
  it('is asked for by --help or -h, wherever it stands', () => {
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['--sub', 'alice', '-h'])).toBe(true);
    expect(wantsHelp(['--sub', 'alice'])).toBe(false);
  });

  it('starts with the usage and names every option', () => {
    expect(HELP.startsWith(`${USAGE}\n`)).toBe(true);
    for (const option of ['--sub <user>', '--admin', '--ttl <time>', '--help, -h']) expect(HELP).toContain(`\n  ${option} `);
  });
});

describe('resolveSigningConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-spec-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs with JWT_SECRET, before the secret file', () => {
    writeFileSync(join(dir, 'jwt-secret'), 'file-secret-0123456789abcdefghijk\n');
    expect(resolveSigningConfig({ JWT_SECRET: SECRET, JWT_ROLES_CLAIM: 'groups' }, join(dir, 'jwt-secret'))).toEqual({
      ...CONFIG,
      rolesClaim: 'groups',
    });
  });

  it('signs with the secret npm start keeps in data/jwt-secret otherwise', () => {
    writeFileSync(join(dir, 'jwt-secret'), 'file-secret-0123456789abcdefghijk\n');
    expect(resolveSigningConfig({}, join(dir, 'jwt-secret'))).toEqual({ ...CONFIG, secret: 'file-secret-0123456789abcdefghijk' });
  });

  it('says where a secret would come from when there is none', () => {
    const file = join(dir, 'jwt-secret');
    expect(failure(() => resolveSigningConfig({}, file))).toBe(
      `no secret to sign with: set JWT_SECRET, or run npm start once to create ${file}`,
    );
  });

  it('refuses to sign for an identity provider', () => {
    for (const env of [{ JWT_ISSUER: 'https://id.example.com', JWT_AUDIENCE: 'a' }, { JWT_JWKS_URL: 'https://id.example.com/keys' }]) {
      expect(failure(() => resolveSigningConfig(env, join(dir, 'jwt-secret')))).toBe(
        'tokens for JWT_ISSUER/JWT_JWKS_URL come from your identity provider; this script signs only for JWT_SECRET',
      );
    }
  });

  it('refuses a secret the API would refuse', () => {
    expect(failure(() => resolveSigningConfig({ JWT_SECRET: 'short' }, join(dir, 'jwt-secret')))).toBe(
      'JWT_SECRET must be at least 32 characters',
    );
  });
});

describe('signToken', () => {
  const now = Date.parse('2026-11-23T09:00:00Z');

  it('signs sub, iat and exp with HS256', async () => {
    const token = await signToken(CONFIG, { sub: 'alice', admin: false, ttlSeconds: 3600 }, now);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { currentDate: new Date(now) });
    expect(payload).toEqual({ sub: 'alice', iat: now / 1000, exp: now / 1000 + 3600 });
  });

  it('adds the admin role under the configured roles claim', async () => {
    const token = await signToken({ ...CONFIG, rolesClaim: 'groups' }, { sub: 'root', admin: true, ttlSeconds: 30 }, now);
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { currentDate: new Date(now) });
    expect(payload).toEqual({ sub: 'root', groups: ['admin'], iat: now / 1000, exp: now / 1000 + 30 });
  });

  it('makes tokens the API accepts', async () => {
    const verifier = new TokenVerifier(CONFIG);
    expect(await verifier.verify(await signToken(CONFIG, { sub: 'root', admin: true, ttlSeconds: 60 }))).toEqual({
      sub: 'root',
      admin: true,
    });
  });
});
