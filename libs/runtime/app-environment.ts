import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newPayloadKeyEntry } from '../codec';
import { bracketed, isLoopbackHost } from './config';

/** What `npm start` and `npm run cluster` allow as call destinations beyond public addresses (production allows nothing). */
export const LOOPBACK = '127.0.0.0/8,::1/128';

/** A secret kept in `dataDir` (git-ignored): made on first start, read on every later one. */
function dataSecret(dataDir: string, name: string, make: () => string, what: string, variable: string): string {
  const file = join(dataDir, name);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${make()}\n`, { mode: 0o600 });
    console.log(`made ${what} in ${file} (set ${variable} to use your own)`);
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * The environment of the workers and the APIs that `npm start` and `npm run cluster` run: the
 * webhook master secret, the payload key and, unless an identity provider is configured, the
 * embedded HS256 secret, each made into `dataDir` on first start (so every replica, and
 * `npm run token`, share them); listening on loopback only; loopback allowed as a call
 * destination (but for the system's own ports), and every Lambda function and SQS queue, so local
 * targets work.
 */
export function appEnvironment(root: string, dataDir: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  env.WEBHOOK_SECRET ||= dataSecret(
    dataDir,
    'webhook-secret',
    () => `whsec_${randomBytes(32).toString('base64')}`,
    'a webhook master secret',
    'WEBHOOK_SECRET',
  );
  env.PAYLOAD_KEYS ||= dataSecret(dataDir, 'payload-keys', () => newPayloadKeyEntry(), 'a payload encryption key', 'PAYLOAD_KEYS');
  if (!env.JWT_ISSUER && !env.JWT_JWKS_URL) {
    env.JWT_SECRET ||= dataSecret(dataDir, 'jwt-secret', () => randomBytes(32).toString('base64url'), 'a JWT signing secret', 'JWT_SECRET');
  }
  // Nothing of this local system is reachable from the network unless asked for.
  env.API_HOST ??= '127.0.0.1';
  env.WORKER_METRICS_HOST ??= '127.0.0.1';
  env.OUTBOUND_ALLOW_CIDRS ??= LOOPBACK;
  env.LAMBDA_ALLOW ??= '*';
  env.SQS_ALLOW ??= '*';
  // JSON lines for log collectors; at a terminal, lines a person reads.
  if (process.stdout.isTTY) env.LOG_FORMAT ??= 'pretty';
  // The dashboard's one-click sign-in, for this local, embedded setup only: never while the API
  // listens beyond loopback (anyone reaching it could be anyone, an admin too).
  if (env.JWT_SECRET && isLoopbackHost(env.API_HOST)) env.API_DEV_SIGN_IN ??= 'true';
  else if (env.JWT_SECRET && env.API_DEV_SIGN_IN === undefined) {
    console.log(`development sign-in off: the API listens on ${env.API_HOST}, beyond loopback`);
  }
  env.WORKFLOW_BUNDLE_PATH ??= join(root, 'dist', 'workflow-bundle.js');
  return env;
}

/** The URL this machine reaches an API on that listens on `host` (any address: loopback) and `port`. */
export function localApiUrl(host: string | undefined, port: number | string): string {
  const reachable = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${bracketed(reachable)}:${port}`;
}
