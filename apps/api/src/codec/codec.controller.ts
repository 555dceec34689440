import { Body, Controller, Delete, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Payload } from '@temporalio/common';
import type { Request, Response } from 'express';
import { decodeJwt } from 'jose';
import { EncryptionCodec, PayloadDecryptionError } from '../../../../libs/codec';
import type { AppConfig } from '../../../../libs/runtime/config';
import { AdminOnly } from '../auth/admin-only.decorator';
import type { Caller } from '../auth/caller';
import { CurrentUser } from '../auth/current-user.decorator';
import { redactForeignHeaders } from '../auth/redact-foreign-headers';
import { bearerToken } from '../auth/jwt-auth.guard';
import { Public, TokenFromCookie } from '../auth/public.decorator';
import { APP_CONFIG } from '../core/config.module';
import { InvalidRequestError } from '../core/errors';
import { ApiErrors, IDENTITY_PROVIDER_DOWN, UNAUTHORIZED, UNSUPPORTED_ENCODING } from '../openapi/api-errors';

/** The cookie the dashboard sets for a signed-in admin, so that the Temporal Web UI in the same browser can decode. */
export const CODEC_COOKIE = 'scheduler_codec';
/** Where the codec server lives: the cookie is sent to these paths only. */
export const CODEC_PATH = '/codec';
/** The largest body the codec server takes (or API_BODY_LIMIT_BYTES, when larger): a few payloads of Temporal's 2 MB, in base64. */
export const CODEC_BODY_LIMIT_BYTES = 8 * 1024 * 1024;
/** The longest a codec cookie lives, whatever its token says. */
const MAX_COOKIE_SECONDS = 12 * 3600;

/** One payload as Temporal's codec-server protocol carries it: protobuf JSON, bytes in base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
  [other: string]: unknown;
}

/** The protocol's body and answer, `{ payloads: [...] }` (the schema leaves payloads open: the Web UI may send fields newer than this server). */
const PAYLOADS_SCHEMA = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          metadata: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
          data: { type: 'string', format: 'byte' },
        },
      },
    },
  },
  example: {
    payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'eyJyZXBvcnRJZCI6NDJ9' }],
  },
};

const NAMESPACE_HEADER = ApiHeader({
  name: 'X-Namespace',
  required: false,
  description:
    'The namespace the payloads are from (the Web UI sends it). Not checked: the one key ring serves every payload this product writes.',
  schema: { type: 'string' },
});

const CODEC_ERRORS = ApiErrors({
  400: 'The body is not { payloads: [...] } with base64 metadata and data.',
  401: `${UNAUTHORIZED} Neither a bearer token nor the dashboard's ${CODEC_COOKIE} cookie.`,
  403: "The token's roles do not include admin: payloads are decoded for admins only.",
  413: 'The body is larger than the codec server takes.',
  415: UNSUPPORTED_ENCODING,
  503: `The token could not be checked: ${IDENTITY_PROVIDER_DOWN}.`,
});

/**
 * Temporal's codec-server protocol over the product's payload codec, for the Temporal Web UI
 * (and `temporal --codec-endpoint`): `POST /codec/decode` and `/codec/encode`. Admins only, by
 * bearer token or by the cookie the dashboard sets for a signed-in admin (`POST /codec/session`).
 * CORS for the Web UI's origin: core/codec-cors.ts.
 */
@ApiTags('codec')
@Controller('codec')
export class CodecController {
  private readonly codec: EncryptionCodec;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (!config.payloadKeys) throw new Error('the codec server needs PAYLOAD_KEYS (createApiApp checks)');
    this.codec = new EncryptionCodec(config.payloadKeys);
  }

  @Post('decode')
  @HttpCode(200)
  @AdminOnly()
  @TokenFromCookie(CODEC_COOKIE)
  @ApiOperation({
    summary: 'Decode payloads (Temporal codec-server protocol)',
    description:
      'Decrypts each encrypted payload; payloads that are not encrypted, or do not decrypt (a key no longer listed, altered bytes), ' +
      'come back as they are. For admins only; in JSON payloads, ' +
      'the header values of calls the caller does not own read "<redacted>", as in every answer of the API.',
  })
  @NAMESPACE_HEADER
  @ApiBody({ schema: PAYLOADS_SCHEMA })
  @ApiOkResponse({ schema: PAYLOADS_SCHEMA, description: 'The payloads, decoded, in order.' })
  @CODEC_ERRORS
  decode(@CurrentUser() caller: Caller, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    // Even decoded, other users' call header values (their credentials) stay hidden from admins.
    return this.convert(body, res, (payloads) => Promise.resolve(payloads.map((p) => withoutForeignHeaders(this.decrypted(p), caller))));
  }

  @Post('encode')
  @HttpCode(200)
  @AdminOnly()
  @TokenFromCookie(CODEC_COOKIE)
  @ApiOperation({
    summary: 'Encode payloads (Temporal codec-server protocol)',
    description: 'Encrypts each payload with the newest key, as the API and the worker do. For admins only.',
  })
  @NAMESPACE_HEADER
  @ApiBody({ schema: PAYLOADS_SCHEMA })
  @ApiOkResponse({ schema: PAYLOADS_SCHEMA, description: 'The payloads, encrypted, in order.' })
  @CODEC_ERRORS
  encode(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    return this.convert(body, res, (payloads) => this.codec.encode(payloads));
  }

  @Post('session')
  @HttpCode(204)
  @AdminOnly()
  @ApiOperation({
    summary: 'Let this browser decode in the Temporal Web UI',
    description:
      `Sets the ${CODEC_COOKIE} cookie (HttpOnly, SameSite=Strict, Path=${CODEC_PATH}) to the caller's token, until it expires ` +
      '(at most 12 h): the Temporal Web UI in the same browser, told to include credentials, then decodes through this codec server. ' +
      'The dashboard calls it when an admin signs in. For admins only.',
  })
  @ApiNoContentResponse({ description: 'The cookie is set.' })
  @ApiErrors({
    401: UNAUTHORIZED,
    403: "The token's roles do not include admin.",
    503: `The token could not be checked: ${IDENTITY_PROVIDER_DOWN}.`,
  })
  startSession(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    const token = bearerToken(req.headers.authorization) ?? '';
    const exp = decodeJwt(token).exp ?? 0;
    const maxAge = Math.min(MAX_COOKIE_SECONDS, Math.max(0, exp - Math.floor(Date.now() / 1000)));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Set-Cookie', sessionCookie(req, token, maxAge));
  }

  @Delete('session')
  @HttpCode(204)
  @Public()
  @ApiOperation({ summary: 'Forget the codec cookie of this browser', description: 'The dashboard calls it on sign-out.' })
  @ApiNoContentResponse({ description: 'The cookie is cleared.' })
  endSession(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Set-Cookie', sessionCookie(req, '', 0));
  }

  /**
   * The payload decrypted; one that does not decrypt (its key no longer listed, altered bytes)
   * comes back as it is, so the others of the request still show decoded.
   */
  private decrypted(payload: Payload): Payload {
    try {
      return this.codec.decrypt(payload);
    } catch (err) {
      if (err instanceof PayloadDecryptionError) return payload;
      throw err;
    }
  }

  private async convert(
    body: unknown,
    res: Response,
    convert: (payloads: Payload[]) => Promise<Payload[]>,
  ): Promise<{ payloads: JsonPayload[] }> {
    // Decoded payloads are the secrets themselves: no cache keeps them.
    res.setHeader('Cache-Control', 'no-store');
    const given = parsePayloads(body);
    const converted = await convert(given.map(({ payload }) => payload));
    return {
      payloads: converted.map((payload, i) =>
        // A payload the codec left alone goes back exactly as it came (fields this server does not know included).
        payload === given[i].payload ? given[i].json : toJson(payload),
      ),
    };
  }
}

/** `{ payloads: [...] }` as Payloads, each with the JSON it came as; a 400 naming the first bad field. */
function parsePayloads(body: unknown): Array<{ payload: Payload; json: JsonPayload }> {
  const list = (body as { payloads?: unknown } | null)?.payloads;
  if (typeof body !== 'object' || body === null || !Array.isArray(list)) {
    throw new InvalidRequestError('the body must be { "payloads": [ { "metadata": {...}, "data": "<base64>" }, ... ] }', 'payloads');
  }
  return list.map((item: unknown, i) => {
    const json = item as JsonPayload;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new InvalidRequestError(`payloads[${i}] must be an object`, `payloads[${i}]`);
    }
    const metadata: Record<string, Uint8Array> = {};
    // Absent, not null: the document says what each field is when it is there.
    const rawMetadata: unknown = json.metadata === undefined ? {} : json.metadata;
    if (typeof rawMetadata !== 'object' || rawMetadata === null || Array.isArray(rawMetadata)) {
      throw new InvalidRequestError(`payloads[${i}].metadata must be an object of base64 strings`, `payloads[${i}].metadata`);
    }
    for (const [key, value] of Object.entries(rawMetadata)) metadata[key] = base64(value, `payloads[${i}].metadata.${key}`);
    return { payload: { metadata, data: base64(json.data === undefined ? '' : json.data, `payloads[${i}].data`) }, json };
  });
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || value.length % 4 === 1 || !BASE64.test(value)) {
    throw new InvalidRequestError(`${field} must be base64`, field);
  }
  return Buffer.from(value, 'base64');
}

const JSON_PLAIN = 'json/plain';

/**
 * A decoded JSON payload with the header values of every call `caller` does not own redacted (a
 * payload that names no owner counts as another's); any other payload as it is.
 */
function withoutForeignHeaders(payload: Payload, caller: Caller): Payload {
  if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== JSON_PLAIN || !payload.data) return payload;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload.data).toString());
  } catch {
    return payload;
  }
  const redacted = redactForeignHeaders(value, caller.sub, true);
  return redacted === value ? payload : { metadata: payload.metadata, data: Buffer.from(JSON.stringify(redacted)) };
}

function toJson(payload: Payload): JsonPayload {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]));
  return { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
}

/**
 * The codec cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends
 * it), Path=/codec (no other route sees it), Secure unless the API is reached on loopback over
 * plain http (npm start).
 */
function sessionCookie(req: Request, token: string, maxAgeSeconds: number): string {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  const secure = req.protocol === 'https' || !loopback;
  return [
    `${CODEC_COOKIE}=${token}`,
    `Path=${CODEC_PATH}`,
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
