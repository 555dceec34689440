/** Encryption of everything the product writes into Temporal: the payload codec, its keys, the data converter. */
export { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA, PayloadDecryptionError } from './encryption-codec';
export { FAILURE_CONVERTER_PATH, decodePayloadMap, decodePayloadValues, payloadDataConverter } from './data-converter';
export { newPayloadKeyEntry, parsePayloadKeys, type PayloadKey, type PayloadKeyRing } from './payload-keys';
