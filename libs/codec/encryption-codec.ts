import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKeyRing } from './payload-keys';

/** The `encoding` of an encrypted payload; a payload without it was written before encryption, and is read as it is. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key a payload was encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';

const ProtoPayload = temporal.api.common.v1.Payload;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENCRYPTED_ENCODING_BYTES = Buffer.from(ENCRYPTED_ENCODING);

/** A payload that cannot be decrypted: an unknown key id, a wrong key, or tampered bytes. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/**
 * Temporal payload codec: AES-256-GCM over the whole payload (its metadata, such as
 * `encoding: json/plain`, included), with the newest key of the ring. The result's data is
 * `iv (12 bytes) | ciphertext | tag (16 bytes)`; its metadata says only `encoding:
 * binary/encrypted` and the key id, which is also authenticated (additional data), so a payload
 * cannot be passed off as another key's. Decoding passes through every payload without that
 * encoding: histories and memos written before encryption keep reading as they are.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: PayloadKeyRing) {}

  // Synchronous work behind the promise (Node's AES-GCM takes ~10 µs a payload: bench/codec-cost.ts);
  // a refusal rejects it.
  encode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.encrypt(payload))));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.decrypt(payload))));
  }

  encrypt(payload: Payload): Payload {
    const { id, key } = this.keys.encrypting;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(id));
    const plain = ProtoPayload.encode({ metadata: payload.metadata, data: payload.data }).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return { metadata: { encoding: ENCRYPTED_ENCODING_BYTES, [KEY_ID_METADATA]: Buffer.from(id) }, data };
  }

  decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || !ENCRYPTED_ENCODING_BYTES.equals(encoding)) return payload;
    const id = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
    const known = this.keys.byId.get(id);
    if (!known) throw new PayloadDecryptionError(`payload encrypted with key "${id}", which PAYLOAD_KEYS does not hold`);
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload (key "${id}") is too short`);
    const decipher = createDecipheriv('aes-256-gcm', known.key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`encrypted payload (key "${id}") does not authenticate: a wrong key, or altered bytes`);
    }
    const inner = ProtoPayload.decode(plain);
    return { metadata: inner.metadata ?? {}, data: inner.data };
  }
}
