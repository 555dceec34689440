import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../libs/codec';
import { TEST_PAYLOAD_KEY_RING } from '../support/payload-keys';
import { decodedHistory } from './decoded-history';

describe('decodedHistory (recorded histories, read with the tests’ key)', () => {
  const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
  const asJson = (payload: { metadata?: Record<string, Uint8Array | null> | null; data?: Uint8Array | null }) => ({
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
    data: b64(payload.data),
  });

  it('decrypts encrypted payloads in place and leaves payloads recorded in the clear as they are', () => {
    const plain = asJson(defaultPayloadConverter.toPayload({ patch: 'dispatch-v2' }));
    const encrypted = asJson(
      new EncryptionCodec(TEST_PAYLOAD_KEY_RING).encrypt(defaultPayloadConverter.toPayload({ patch: 'dispatch-v2' })),
    );
    const history = { events: [{ input: { payloads: [encrypted, plain] } }] };
    expect(decodedHistory(history)).toEqual({ events: [{ input: { payloads: [plain, plain] } }] });
  });
});
