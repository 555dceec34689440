import type { DataConverter, LoadedDataConverter, Payload } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import type { PayloadKeyRing } from './payload-keys';

/** The module exporting the failure converter: workers, clients and the workflow bundle load it by path. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The data converter of every Temporal client and worker this product makes: payloads encrypted
 * with the ring's newest key (AES-256-GCM), failure messages and stack traces encoded with them.
 * Search attributes are never encoded: they hold no secret (owner, kind, status, times).
 */
export function payloadDataConverter(keys: PayloadKeyRing): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/**
 * Values of raw payloads that were read past the SDK (a listed run's memo, a history event's
 * input), decoded as the SDK decodes what it reads itself: through the codecs, in reverse, then
 * the payload converter.
 */
export async function decodePayloadValues(converter: LoadedDataConverter, payloads: Payload[]): Promise<unknown[]> {
  let decoded = payloads;
  for (const codec of [...converter.payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return decoded.map((payload) => converter.payloadConverter.fromPayload(payload));
}

/** A map of raw payloads (a memo's fields) decoded as {@link decodePayloadValues} does. */
export async function decodePayloadMap(
  converter: LoadedDataConverter,
  fields: Record<string, Payload> | null | undefined,
): Promise<Record<string, unknown>> {
  const entries = Object.entries(fields ?? {});
  const values = await decodePayloadValues(
    converter,
    entries.map(([, payload]) => payload),
  );
  return Object.fromEntries(entries.map(([name], i) => [name, values[i]]));
}
