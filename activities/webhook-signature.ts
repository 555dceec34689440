import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { WEBHOOK_SIGNATURE_HEADERS as HEADERS } from '../common/http';

/** The headers of a Standard Webhooks signature (https://www.standardwebhooks.com). */
export type WebhookSignatureHeaders = Record<(typeof HEADERS)[keyof typeof HEADERS], string>;

const SECRET_PREFIX = 'whsec_';

/** Decodes a `whsec_<base64>` secret (the prefix is optional) into its key bytes. */
export function decodeWebhookSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 16) throw new Error('the webhook secret must be base64 of at least 16 bytes (whsec_...)');
  return key;
}

/** A `whsec_<base64>` secret for key bytes, as Standard Webhooks libraries take it. */
export function encodeWebhookSecret(key: Buffer): string {
  return `${SECRET_PREFIX}${key.toString('base64')}`;
}

/** Separates the derivation of owners' keys from any other use of the master secret. */
const OWNER_KEY_CONTEXT = 'temporal-http-scheduler owner signing key v1\0';

/**
 * The key an owner's calls are signed with: HMAC-SHA256 of the owner under the master secret.
 * Nothing is stored, the API and every worker derive the same key, and one owner's key says
 * nothing of another's, so no user can forge calls to another user's endpoint.
 */
export function ownerSigningKey(masterKey: Buffer, owner: string): Buffer {
  return createHmac('sha256', masterKey)
    .update(OWNER_KEY_CONTEXT + owner)
    .digest();
}

/**
 * Signs a payload as Standard Webhooks does: HMAC-SHA256 over `${id}.${timestamp}.${payload}`,
 * base64, in the header as `v1,<signature>`.
 */
export function signWebhook(key: Buffer | KeyObject, id: string, timestampSeconds: number, payload: string): WebhookSignatureHeaders {
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${payload}`).digest('base64');
  return {
    [HEADERS.id]: id,
    [HEADERS.timestamp]: String(timestampSeconds),
    [HEADERS.signature]: `v1,${signature}`,
  };
}

/**
 * Verifies a Standard Webhooks signature, as a target would; used by the tests and shown in
 * the README. Rejects timestamps further than `toleranceSeconds` from now.
 */
export function verifyWebhook(
  key: Buffer,
  headers: Record<string, string | string[] | undefined>,
  payload: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  const id = headers[HEADERS.id];
  const timestamp = headers[HEADERS.timestamp];
  const signatures = headers[HEADERS.signature];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(key, id, Number(timestamp), payload)[HEADERS.signature].slice(3));
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    const given = Buffer.from(value ?? '');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}
