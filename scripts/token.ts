/**
 * `npm run token -- --sub alice [--admin] [--ttl 1h]`: prints a bearer token for the embedded
 * (HS256) mode and nothing else on stdout, so `TOKEN=$(npm run -s token -- --sub alice)` works.
 * The secret is JWT_SECRET, else the one `npm start` keeps in data/jwt-secret.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { readAuthConfig, type Hs256AuthConfig } from '../libs/runtime/auth-config';
import { projectRoot } from '../libs/runtime/paths';

/** A request the script cannot carry out; its message is for the person at the terminal. */
export class TokenScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenScriptError';
  }
}

/** What the token says. */
export interface TokenRequest {
  sub: string;
  admin: boolean;
  ttlSeconds: number;
}

/** How to call the script. */
export const USAGE = 'usage: npm run -s token -- --sub <user> [--admin] [--ttl 30s|15m|1h|7d] (default 1h)';

/** What `--help` prints. */
export const HELP = `${USAGE}

Prints a bearer token for the API's embedded sign-in (HS256), and nothing else on stdout:
  export TOKEN=$(npm run -s token -- --sub alice)

  --sub <user>   who the token is for: the owner of everything made with it (required)
  --admin        with the admin role
  --ttl <time>   how long it is valid: 30s, 15m, 1h, 7d, ... at most 365d (default 1h)
  --help, -h     this text

Signs with JWT_SECRET, else with data/jwt-secret (made by npm start). With JWT_ISSUER or
JWT_JWKS_URL set, tokens come from your identity provider instead.`;

/** Whether the command line asks for the help text (wherever --help or -h stands). */
export function wantsHelp(argv: string[]): boolean {
  return argv.some((arg) => arg === '--help' || arg === '-h');
}

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
/** A token is a credential: a year is long enough for any test setup. */
const MAX_TTL_SECONDS = 365 * 86_400;

/** Seconds of a `--ttl` value: a positive whole number of s, m, h or d, up to 365d. */
export function parseTtl(text: string): number {
  const match = /^([1-9]\d*)([smhd])$/.exec(text);
  const seconds = match ? Number(match[1]) * TTL_UNITS[match[2]] : NaN;
  if (!(seconds <= MAX_TTL_SECONDS))
    throw new TokenScriptError(`--ttl must be a number with s, m, h or d (30s, 15m, 1h, 7d) up to 365d, got "${text}"`);
  return seconds;
}

/** The token asked for by the command line (without `node` and the script). */
export function parseTokenArgs(argv: string[]): TokenRequest {
  let values: { sub?: string; admin?: boolean; ttl?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { sub: { type: 'string' }, admin: { type: 'boolean', default: false }, ttl: { type: 'string', default: '1h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new TokenScriptError(`${(err as Error).message}\n${USAGE}`);
  }
  const sub = values.sub?.trim();
  if (!sub) throw new TokenScriptError(`--sub is required: the user the token is for\n${USAGE}`);
  return { sub, admin: values.admin === true, ttlSeconds: parseTtl(values.ttl ?? '1h') };
}

/**
 * The embedded-mode configuration to sign with: JWT_SECRET, else the content of `secretFile`,
 * checked as the API checks it.
 */
export function resolveSigningConfig(env: NodeJS.ProcessEnv, secretFile: string): Hs256AuthConfig {
  if (!env.JWT_SECRET?.trim() && (env.JWT_ISSUER?.trim() || env.JWT_JWKS_URL?.trim())) {
    throw new TokenScriptError(
      'tokens for JWT_ISSUER/JWT_JWKS_URL come from your identity provider; this script signs only for JWT_SECRET',
    );
  }
  const secret = env.JWT_SECRET?.trim() || (existsSync(secretFile) ? readFileSync(secretFile, 'utf8').trim() : '');
  if (!secret) throw new TokenScriptError(`no secret to sign with: set JWT_SECRET, or run npm start once to create ${secretFile}`);
  const problems: string[] = [];
  const config = readAuthConfig({ ...env, JWT_SECRET: secret }, problems);
  if (config?.mode !== 'hs256') throw new TokenScriptError(problems.join('; '));
  return config;
}

/** An HS256 token for `request`: `sub`, `iat`, `exp`, and the admin role when asked for. */
export async function signToken(config: Hs256AuthConfig, request: TokenRequest, nowMs = Date.now()): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const roles = request.admin ? { [config.rolesClaim]: [config.adminRole] } : {};
  return new SignJWT({ sub: request.sub, ...roles, iat, exp: iat + request.ttlSeconds })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(config.secret));
}

async function main(): Promise<void> {
  try {
    if (wantsHelp(process.argv.slice(2))) {
      process.stdout.write(`${HELP}\n`);
      return;
    }
    const request = parseTokenArgs(process.argv.slice(2));
    const config = resolveSigningConfig(process.env, join(projectRoot(), 'data', 'jwt-secret'));
    process.stdout.write(`${await signToken(config, request)}\n`);
  } catch (err) {
    if (!(err instanceof TokenScriptError)) throw err;
    console.error(`token: ${err.message}`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error('token: fatal', err);
    process.exitCode = 1;
  });
}
