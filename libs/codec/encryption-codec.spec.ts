import { DefaultFailureConverter, defaultPayloadConverter, ApplicationFailure, type Payload } from '@temporalio/common';
import { failureConverter } from './failure-converter';
import { decodePayloadValues, EncryptionCodec, ENCRYPTED_ENCODING, parsePayloadKeys, type PayloadKeyRing } from '.';

const KEY_A = `a:${Buffer.alloc(32, 1).toString('base64')}`;
const KEY_B = `b:${Buffer.alloc(32, 2).toString('base64')}`;

function ring(text: string): PayloadKeyRing {
  const { ring: keys, problems } = parsePayloadKeys(text);
  expect(problems).toEqual([]);
  return keys!;
}

const secret = { headers: { 'x-api-key': 'marker-7f3a' }, body: { card: '4111 1111 1111 1111' } };
const plain = (): Payload => defaultPayloadConverter.toPayload(secret);
const text = (payload: Payload) => Buffer.from(payload.data ?? []).toString('latin1');

describe('EncryptionCodec (AES-256-GCM payload codec)', () => {
  it('encrypts a payload whole: no byte of the value or its encoding is left in the clear', async () => {
    const [encrypted] = await new EncryptionCodec(ring(KEY_A)).encode([plain()]);
    expect(Object.keys(encrypted.metadata!)).toEqual(['encoding', 'encryption-key-id']);
    expect(Buffer.from(encrypted.metadata!.encoding).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encrypted.metadata!['encryption-key-id']).toString()).toBe('a');
    expect(text(encrypted)).not.toContain('marker-7f3a');
    expect(text(encrypted)).not.toContain('4111');
    expect(text(encrypted)).not.toContain('json/plain');
  });

  it('decrypts what it encrypted to the very payload, metadata included', async () => {
    const codec = new EncryptionCodec(ring(KEY_A));
    const [back] = await codec.decode(await codec.encode([plain()]));
    expect(defaultPayloadConverter.fromPayload(back)).toEqual(secret);
    expect(Buffer.from(back.metadata!.encoding).toString()).toBe('json/plain');
  });

  it('uses a fresh IV for every payload: the same value encrypts differently each time', async () => {
    const codec = new EncryptionCodec(ring(KEY_A));
    const [one, two] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(one.data!).equals(Buffer.from(two.data!))).toBe(false);
  });

  it('passes through payloads written before encryption (no binary/encrypted encoding)', async () => {
    const before = plain();
    const [read] = await new EncryptionCodec(ring(KEY_A)).decode([before]);
    expect(read).toBe(before);
  });

  it('rotates: the newest (first) key encrypts, every listed key decrypts', async () => {
    const [old] = await new EncryptionCodec(ring(KEY_A)).encode([plain()]);
    const rotated = new EncryptionCodec(ring(`${KEY_B},${KEY_A}`));
    const [fresh] = await rotated.encode([plain()]);
    expect(Buffer.from(fresh.metadata!['encryption-key-id']).toString()).toBe('b');
    const decoded = await rotated.decode([old, fresh]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([secret, secret]);
  });

  it('refuses a payload of a key it does not hold, naming the key id', async () => {
    const [encrypted] = await new EncryptionCodec(ring(KEY_A)).encode([plain()]);
    await expect(new EncryptionCodec(ring(KEY_B)).decode([encrypted])).rejects.toThrow(
      'payload encrypted with key "a", which PAYLOAD_KEYS does not hold',
    );
  });

  it('refuses altered bytes and a payload relabelled with another key id', async () => {
    const codec = new EncryptionCodec(ring(`${KEY_A},${KEY_B}`));
    const [encrypted] = await codec.encode([plain()]);
    const flipped = Buffer.from(encrypted.data!);
    flipped[20] ^= 1;
    await expect(codec.decode([{ ...encrypted, data: flipped }])).rejects.toThrow('does not authenticate');
    const relabelled = { ...encrypted, metadata: { ...encrypted.metadata, 'encryption-key-id': Buffer.from('b') } };
    await expect(codec.decode([relabelled])).rejects.toThrow('encrypted payload (key "b") does not authenticate');
  });

  it('with the failure converter, encodes a failure message and stack into an encrypted attribute', async () => {
    const codec = new EncryptionCodec(ring(KEY_A));
    const failure = failureConverter.errorToFailure(
      ApplicationFailure.nonRetryable('attempt failed: marker-7f3a'),
      defaultPayloadConverter,
    );
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    const [attributes] = await codec.encode([failure.encodedAttributes!]);
    expect(text(attributes)).not.toContain('marker-7f3a');
    const [message] = await decodePayloadValues(
      { payloadCodecs: [codec], payloadConverter: defaultPayloadConverter, failureConverter: new DefaultFailureConverter() },
      [attributes],
    );
    expect(message).toMatchObject({ message: 'attempt failed: marker-7f3a' });
  });
});

describe('PAYLOAD_KEYS', () => {
  it('reads comma-separated id:base64 entries, newest first', () => {
    const keys = ring(` ${KEY_B} , ${KEY_A} `);
    expect(keys.encrypting.id).toBe('b');
    expect([...keys.byId.keys()]).toEqual(['b', 'a']);
  });

  it('takes base64url and unpadded key material', () => {
    const material = Buffer.alloc(32, 0xfb).toString('base64url');
    expect(ring(`k1:${material}`).encrypting.id).toBe('k1');
  });

  it('names every bad entry by position and id, never by its key material', () => {
    const { ring: keys, problems } = parsePayloadKeys(`${KEY_A},nocolon,bad id:${Buffer.alloc(32).toString('base64')},short:AAAA,${KEY_A}`);
    expect(keys).toBeNull();
    expect(problems).toEqual([
      "PAYLOAD_KEYS entry 2 must be <id>:<base64 key>, with an id of 1 to 64 letters, digits, '.', '_' or '-'",
      "PAYLOAD_KEYS entry 3 must be <id>:<base64 key>, with an id of 1 to 64 letters, digits, '.', '_' or '-'",
      'PAYLOAD_KEYS entry 4 (id "short") must hold base64 of exactly 32 bytes (openssl rand -base64 32)',
      'PAYLOAD_KEYS entry 5 repeats the key id "a"',
    ]);
  });

  it('is no ring at all when unset or empty', () => {
    expect(parsePayloadKeys(undefined)).toEqual({ ring: null, problems: [] });
    expect(parsePayloadKeys(' , ')).toEqual({ ring: null, problems: [] });
  });
});
