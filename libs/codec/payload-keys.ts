import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/** One AES-256 key of the payload codec. */
export interface PayloadKey {
  /** Written into every payload it encrypts (`encryption-key-id`), so the right key decrypts it after a rotation. */
  readonly id: string;
  readonly key: KeyObject;
}

/**
 * The keys of `PAYLOAD_KEYS`, newest first: the first encrypts, every one decrypts. Rotation adds
 * a new key in front and keeps the old ones until nothing encrypted with them is still needed.
 */
export interface PayloadKeyRing {
  readonly encrypting: PayloadKey;
  readonly byId: ReadonlyMap<string, PayloadKey>;
}

/** A key id: what the metadata of an encrypted payload names. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_BYTES = 32;

/**
 * For config loading: parses `PAYLOAD_KEYS`, comma-separated `<id>:<base64 of 32 random bytes>`
 * entries, newest first (`2027-01:q2V...=,2026-06:9xA...=`). Each bad entry becomes a problem
 * naming it by position and id, never by its key material.
 * @returns the ring, or null when the variable is empty or any entry is bad.
 */
export function parsePayloadKeys(text: string | undefined): { ring: PayloadKeyRing | null; problems: string[] } {
  const problems: string[] = [];
  const keys: PayloadKey[] = [];
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const where = `PAYLOAD_KEYS entry ${index + 1}`;
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const material = colon < 0 ? '' : entry.slice(colon + 1);
    if (colon < 0 || !KEY_ID.test(id)) {
      problems.push(`${where} must be <id>:<base64 key>, with an id of 1 to 64 letters, digits, '.', '_' or '-'`);
      return;
    }
    if (keys.some((key) => key.id === id)) {
      problems.push(`${where} repeats the key id "${id}"`);
      return;
    }
    const bytes = decodeBase64(material);
    if (bytes?.length !== KEY_BYTES) {
      problems.push(`${where} (id "${id}") must hold base64 of exactly ${KEY_BYTES} bytes (openssl rand -base64 32)`);
      return;
    }
    keys.push({ id, key: createSecretKey(bytes) });
  });
  if (problems.length > 0 || keys.length === 0) return { ring: null, problems };
  return { ring: { encrypting: keys[0], byId: new Map(keys.map((key) => [key.id, key])) }, problems };
}

/** Strict base64 or base64url (padding optional); null for anything else. */
function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return null;
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** A new `PAYLOAD_KEYS` entry: `<id>:<base64 of 32 random bytes>`, its id the UTC date and time it was made (`k20261207T0930`). */
export function newPayloadKeyEntry(now = new Date()): string {
  const id = `k${now.toISOString().slice(0, 16).replace(/[-:]/g, '')}`;
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
