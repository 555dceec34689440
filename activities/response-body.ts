import type { CallResult } from '../common';

/**
 * A response body as results keep it: parsed JSON when it is JSON and whole, else text, cut
 * to `limit` bytes (`bodyTruncated` says so).
 */
export function decodeBody(bytes: Uint8Array, limit: number, truncated: boolean, isJson: boolean): Omit<CallResult, 'statusCode'> {
  const cut = truncated || bytes.byteLength > limit;
  const text = new TextDecoder().decode(bytes.subarray(0, limit));
  if (text === '') return { body: null, bodyTruncated: false };
  if (isJson && !cut) {
    try {
      return { body: JSON.parse(text) as unknown, bodyTruncated: false };
    } catch {
      // Says JSON but is not: keep the text, which is what the target really sent.
    }
  }
  return { body: text, bodyTruncated: cut };
}
