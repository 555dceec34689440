import { createHash } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { InvalidRequestError, WrongStateError } from './errors';

/** The header a client sends to make a creation safe to retry. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

const KEY_SHAPE = /^[\x21-\x7e]{1,200}$/;

/** An idempotent creation: the resource's id follows from the key, and its request from the hash. */
export interface Idempotency {
  /** The deterministic id of the resource this key creates. */
  id: string;
  /** Hash of the request, kept with the resource so a reuse with another request is a 409. */
  requestHash: string;
}

/**
 * The `Idempotency-Key` header: 1 to 200 visible ASCII characters, or undefined when absent.
 * @throws InvalidRequestError (400) for any other value.
 */
export const IdempotencyKey = createParamDecorator((_data: unknown, ctx: ExecutionContext): string | undefined => {
  const value = ctx.switchToHttp().getRequest<Request>().headers[IDEMPOTENCY_HEADER];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !KEY_SHAPE.test(value)) {
    throw new InvalidRequestError('Idempotency-Key must be 1 to 200 visible ASCII characters', 'Idempotency-Key');
  }
  return value;
});

/**
 * The id and request hash of an idempotent creation. The id is a UUID derived from the kind,
 * the owner and the key (so one owner's key never names another owner's resource); the hash is
 * over the request as validated, with its keys sorted.
 */
export function idempotency(prefix: string, kind: string, owner: string, key: string, request: unknown): Idempotency {
  const digest = createHash('sha256').update(`${kind}\n${owner}\n${key}`).digest();
  // An RFC 9562 version-8 (custom) UUID: 122 bits of the digest.
  digest[6] = (digest[6] & 0x0f) | 0x80;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return { id: `${prefix}${uuid}`, requestHash: createHash('sha256').update(canonicalJson(request)).digest('base64url') };
}

/** JSON with object keys sorted at every level, so equal requests hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The 409 of a key reused with another request. */
export function keyReused(kind: string, id: string): WrongStateError {
  return new WrongStateError(
    `this Idempotency-Key already created ${kind} ${id} from a different request; use a new key for a new ${kind}`,
  );
}
