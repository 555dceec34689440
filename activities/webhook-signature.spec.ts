import { decodeWebhookSecret, encodeWebhookSecret, ownerSigningKey, signWebhook, verifyWebhook } from './webhook-signature';

describe('Standard Webhooks signature', () => {
  // The reference vector from the Standard Webhooks specification's libraries.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const payload = '{"test": 2432232314}';

  it('signs the reference vector exactly as the specification does', () => {
    expect(signWebhook(decodeWebhookSecret(secret), id, timestamp, payload)).toEqual({
      'webhook-id': id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('verifies its own signature and rejects a changed body, a foreign key or a stale timestamp', () => {
    const key = decodeWebhookSecret(secret);
    const headers = signWebhook(key, id, timestamp, payload);
    expect(verifyWebhook(key, { ...headers }, payload, timestamp)).toBe(true);
    expect(verifyWebhook(key, { ...headers }, '{"test": 1}', timestamp)).toBe(false);
    expect(verifyWebhook(decodeWebhookSecret(`whsec_${Buffer.alloc(24, 7).toString('base64')}`), { ...headers }, payload, timestamp)).toBe(
      false,
    );
    expect(verifyWebhook(key, { ...headers }, payload, timestamp + 301)).toBe(false);
  });

  it('refuses a secret shorter than 16 bytes', () => {
    expect(() => decodeWebhookSecret('whsec_c2hvcnQ=')).toThrow('the webhook secret must be base64 of at least 16 bytes (whsec_...)');
  });

  it("derives each owner's key from the master secret: stable, 32 bytes, different per owner, and alice's signature does not verify with bob's key", () => {
    const master = decodeWebhookSecret(secret);
    const alice = ownerSigningKey(master, 'alice');
    expect(alice).toHaveLength(32);
    expect(ownerSigningKey(master, 'alice')).toEqual(alice);
    expect(ownerSigningKey(master, 'bob').equals(alice)).toBe(false);
    expect(ownerSigningKey(decodeWebhookSecret(`whsec_${Buffer.alloc(24, 7).toString('base64')}`), 'alice').equals(alice)).toBe(false);
    const headers = signWebhook(alice, id, timestamp, payload);
    expect(verifyWebhook(decodeWebhookSecret(encodeWebhookSecret(alice)), { ...headers }, payload, timestamp)).toBe(true);
    expect(verifyWebhook(ownerSigningKey(master, 'bob'), { ...headers }, payload, timestamp)).toBe(false);
  });
});
