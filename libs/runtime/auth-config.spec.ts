import { readAuthConfig, type AuthConfig } from './auth-config';

/** Exactly the shortest secret allowed. */
const SECRET = 's'.repeat(32);

/** The configuration and the problems readAuthConfig found in `env`. */
function read(env: NodeJS.ProcessEnv): { config: AuthConfig | null; problems: string[] } {
  const problems: string[] = [];
  const config = readAuthConfig(env, problems);
  return { config, problems };
}

describe('readAuthConfig', () => {
  it('is null, with no problem, when no auth variable is set', () => {
    expect(read({ API_PORT: '3000', JWT_SECRET: '  ' })).toEqual({ config: null, problems: [] });
  });

  it('reads embedded mode from JWT_SECRET, with the default roles claim', () => {
    expect(read({ JWT_SECRET: SECRET })).toEqual({
      config: { mode: 'hs256', secret: SECRET, rolesClaim: 'roles', adminRole: 'admin' },
      problems: [],
    });
  });

  it('reads production mode from JWT_ISSUER and JWT_AUDIENCE, with the default cooldown', () => {
    expect(
      read({ JWT_ISSUER: 'https://id.example.com/realms/ops', JWT_AUDIENCE: 'scheduler', JWT_ROLES_CLAIM: 'realm_access.roles' }),
    ).toEqual({
      config: {
        mode: 'jwks',
        issuer: 'https://id.example.com/realms/ops',
        jwksUrl: null,
        audience: 'scheduler',
        jwksCooldownMs: 30_000,
        rolesClaim: 'realm_access.roles',
        adminRole: 'admin',
      },
      problems: [],
    });
  });

  it('reads production mode from JWT_JWKS_URL alone, and from both with a cooldown', () => {
    expect(read({ JWT_JWKS_URL: 'https://id.example.com/keys', JWT_AUDIENCE: 'scheduler' }).config).toEqual({
      mode: 'jwks',
      issuer: null,
      jwksUrl: 'https://id.example.com/keys',
      audience: 'scheduler',
      jwksCooldownMs: 30_000,
      rolesClaim: 'roles',
      adminRole: 'admin',
    });
    expect(
      read({
        JWT_ISSUER: 'https://id.example.com/',
        JWT_JWKS_URL: 'https://id.example.com/keys',
        JWT_AUDIENCE: 'a',
        JWT_JWKS_COOLDOWN_MS: '0',
      }).config,
    ).toMatchObject({ issuer: 'https://id.example.com/', jwksUrl: 'https://id.example.com/keys', jwksCooldownMs: 0 });
  });

  it('keeps the issuer exactly as written, since iss must equal it character for character', () => {
    expect(read({ JWT_ISSUER: 'https://tenant.auth0.com/', JWT_AUDIENCE: 'a' }).config).toMatchObject({
      issuer: 'https://tenant.auth0.com/',
    });
  });

  it('accepts plain http only on loopback', () => {
    for (const issuer of ['http://127.0.0.1:8080', 'http://localhost:8080/realms/dev', 'http://[::1]:9000']) {
      expect(read({ JWT_ISSUER: issuer, JWT_AUDIENCE: 'a' }).problems).toEqual([]);
    }
  });

  it.each([
    [{ JWT_AUDIENCE: 'scheduler' }],
    [{ JWT_ROLES_CLAIM: 'groups' }],
    [{ JWT_SECRET: SECRET, JWT_ISSUER: 'https://id.example.com' }],
    [{ JWT_SECRET: SECRET, JWT_JWKS_URL: 'https://id.example.com/keys', JWT_AUDIENCE: 'a' }],
  ])('asks for exactly one mode given %p', (env) => {
    expect(read(env)).toEqual({
      config: null,
      problems: ['set exactly one of JWT_SECRET (embedded mode) or JWT_ISSUER / JWT_JWKS_URL (with JWT_AUDIENCE)'],
    });
  });

  it('refuses a secret of 31 characters, and production variables beside a secret', () => {
    expect(read({ JWT_SECRET: 's'.repeat(31), JWT_AUDIENCE: 'a', JWT_JWKS_COOLDOWN_MS: '10' })).toEqual({
      config: null,
      problems: [
        'JWT_SECRET must be at least 32 characters',
        'JWT_AUDIENCE applies only with JWT_ISSUER or JWT_JWKS_URL, not with JWT_SECRET',
        'JWT_JWKS_COOLDOWN_MS applies only with JWT_ISSUER or JWT_JWKS_URL, not with JWT_SECRET',
      ],
    });
  });

  it('names every bad production variable at once, after the problems already found', () => {
    const problems = ['TEMPORAL_ADDRESS must be host:port, got "x"'];
    const config = readAuthConfig(
      { JWT_ISSUER: 'http://id.example.com?tenant=1', JWT_JWKS_URL: 'ftp://id.example.com/keys', JWT_JWKS_COOLDOWN_MS: 'soon' },
      problems,
    );
    expect(config).toBeNull();
    expect(problems).toEqual([
      'TEMPORAL_ADDRESS must be host:port, got "x"',
      'JWT_ISSUER must be an https URL (http only on localhost) without query or fragment, got "http://id.example.com?tenant=1"',
      'JWT_JWKS_URL must be an https URL (http only on localhost), got "ftp://id.example.com/keys"',
      'JWT_AUDIENCE is required with JWT_ISSUER or JWT_JWKS_URL',
      'JWT_JWKS_COOLDOWN_MS must be an integer from 0 to 3600000, got "soon"',
    ]);
  });

  it.each([
    ['not a url', 'JWT_ISSUER must be an https URL (http only on localhost) without query or fragment, got "not a url"'],
    [
      'https://id.example.com/#x',
      'JWT_ISSUER must be an https URL (http only on localhost) without query or fragment, got "https://id.example.com/#x"',
    ],
    [
      'https://user:pw@id.example.com',
      'JWT_ISSUER must be an https URL (http only on localhost) without query or fragment, got "https://user:pw@id.example.com"',
    ],
  ])('refuses the issuer %s', (issuer, problem) => {
    expect(read({ JWT_ISSUER: issuer, JWT_AUDIENCE: 'a' }).problems).toEqual([problem]);
  });
});
