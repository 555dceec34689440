import { EncryptionCodec } from '../../libs/codec';
import { TEST_PAYLOAD_KEY_RING } from '../support/payload-keys';

const codec = new EncryptionCodec(TEST_PAYLOAD_KEY_RING);
const ENCRYPTED = Buffer.from('binary/encrypted').toString('base64');

/** A payload as `temporal workflow show -o json` writes one: base64 metadata and data. */
interface JsonPayload {
  metadata: Record<string, string>;
  data?: string;
}

function isEncryptedPayload(value: unknown): value is JsonPayload {
  const metadata = (value as { metadata?: { encoding?: unknown } } | null)?.metadata;
  return typeof metadata === 'object' && metadata !== null && metadata.encoding === ENCRYPTED;
}

/**
 * A recorded history (the CLI's JSON) with every payload the tests' key encrypted decrypted in
 * place, so a fixture's content can be checked as plainly as one recorded in the clear; payloads
 * recorded in the clear stay as they are.
 */
export function decodedHistory<T>(history: T): T {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    if (isEncryptedPayload(value)) {
      const plain = codec.decrypt({
        metadata: Object.fromEntries(Object.entries(value.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
        data: Buffer.from(value.data ?? '', 'base64'),
      });
      return {
        metadata: Object.fromEntries(Object.entries(plain.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
        data: Buffer.from(plain.data ?? []).toString('base64'),
      };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
  };
  return walk(history) as T;
}
