import { parsePayloadKeys, payloadDataConverter, type PayloadKeyRing } from '../../libs/codec';

/**
 * The tests' payload key (PAYLOAD_KEYS): fixed and committed, so that histories recorded through
 * the codec (test/replay/record-histories.ts) can be decoded and replayed later. A test key only:
 * it protects nothing.
 */
export const TEST_PAYLOAD_KEYS = 'test-2026-12:dGVzdC1vbmx5LXBheWxvYWQta2V5LW5vdC1zZWNyZXQ=';

/** The ring of {@link TEST_PAYLOAD_KEYS}. */
export const TEST_PAYLOAD_KEY_RING: PayloadKeyRing = parsePayloadKeys(TEST_PAYLOAD_KEYS).ring!;

/** The data converter of the tests' own clients and workers: the product's, with the test key. */
export const testDataConverter = () => payloadDataConverter(TEST_PAYLOAD_KEY_RING);
