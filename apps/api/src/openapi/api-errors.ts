import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, ApiSchema } from '@nestjs/swagger';
import type { ErrorBody } from '../core/api-exception.filter';
import { ApiSchemaKeywords } from './schema-decorators';

/** One bad field of a request. */
@ApiSchema({ name: 'FieldError' })
@ApiSchemaKeywords({ additionalProperties: false })
export class FieldErrorDto {
  @ApiProperty({ example: 'steps[0].url', description: 'The field, by its path in the request (or the query parameter or header).' })
  field!: string;
  @ApiProperty({ type: [String], example: ['url must be an http or https URL'] })
  messages!: string[];
}

/** The JSON body of every error answer (see ApiExceptionFilter). */
@ApiSchema({ name: 'ErrorBody' })
@ApiSchemaKeywords({ additionalProperties: false })
export class ErrorBodyDto implements ErrorBody {
  @ApiProperty({ type: 'integer', example: 400, description: 'The HTTP status, again.' })
  statusCode!: number;
  @ApiProperty({ example: 'Bad Request', description: "The status's reason phrase." })
  error!: string;
  @ApiProperty({ example: 'invalid request: steps[0].url', description: 'What went wrong, in words.' })
  message!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'With 400: every bad field, each with why.' })
  errors?: FieldErrorDto[];
}

/** The error statuses the API answers, each with the headers it carries. */
const ERROR_HEADERS = {
  400: undefined,
  401: {
    'WWW-Authenticate': {
      required: true,
      description: 'RFC 6750 challenge: `Bearer`, with `error="invalid_token"` and why for a bad token.',
      schema: { type: 'string' },
    },
  },
  403: undefined,
  404: undefined,
  409: undefined,
  413: undefined,
  415: undefined,
  429: {
    'Retry-After': { required: true, description: 'Seconds until a creation is allowed again.', schema: { type: 'integer', minimum: 1 } },
  },
  502: undefined,
  503: undefined,
} as const;

/** An error status of {@link ApiErrors}. */
export type ErrorStatus = keyof typeof ERROR_HEADERS;

/**
 * Documents the error answers of a route (or of every route of a controller): each given status,
 * with its description, answers an {@link ErrorBodyDto} (and its header, for 401 and 429).
 */
export function ApiErrors(descriptions: Partial<Record<ErrorStatus, string>>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(descriptions).map(([status, description]) => {
      const headers = ERROR_HEADERS[Number(status) as ErrorStatus];
      return ApiResponse({ status: Number(status), description, type: ErrorBodyDto, ...(headers ? { headers } : {}) });
    }),
  );
}

/** What 401 says on every route that needs a token. */
export const UNAUTHORIZED = 'No bearer token, or one that is not valid (expired, badly signed, for another audience).';

/** The part of a 503's description every authenticated route shares. */
export const IDENTITY_PROVIDER_DOWN = "or the identity provider's keys could not be fetched (JWKS mode)";

/** What 415 says on every route that takes a body. */
export const UNSUPPORTED_ENCODING =
  'The body has a Content-Encoding other than identity, gzip, deflate or br, or a charset other than UTF-8 (or another UTF).';
