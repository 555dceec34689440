import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidateBy, ValidationOptions, type ValidationArguments, type ValidatorOptions } from 'class-validator';
import { CALL_HEADERS, WEBHOOK_SIGNATURE_HEADERS } from '../../../../common';
import { urlRefusal, type OutboundPolicy } from '../../../../libs/outbound';

/** One bad field of a request, as the 400 body lists it. */
export interface FieldError {
  field: string;
  messages: string[];
}

/** Flattens class-validator's tree into `steps[0].url`-style paths. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const isIndex = /^\d+$/.test(error.property);
    const field = parent ? (isIndex ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * The one global pipe: strips nothing silently (unknown fields are errors), converts to DTO
 * classes, and refuses every call URL (see {@link CallUrl}) whose host is an IP literal the
 * outbound policy does not allow, each named by its path like any other bad field.
 */
export function createValidationPipe(outbound: OutboundPolicy): ValidationPipe {
  return new ApiValidationPipe(outbound);
}

class ApiValidationPipe extends ValidationPipe {
  constructor(private readonly outbound: OutboundPolicy) {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => {
        const fieldErrors = flattenValidationErrors(errors);
        return new BadRequestException({
          statusCode: 400,
          error: 'Bad Request',
          message: `invalid request: ${fieldErrors.map((e) => e.field).join(', ')}`,
          errors: fieldErrors,
        });
      },
    });
  }

  protected override async validate(object: object, validatorOptions?: ValidatorOptions): Promise<ValidationError[]> {
    const errors = await super.validate(object, validatorOptions);
    return [...errors, ...refusedDestinations(object, this.outbound)];
  }
}

/** Metadata key: the properties of a DTO class that are call URLs. */
const CALL_URL_FIELDS = Symbol('callUrlFields');

/** Marks a DTO property as the URL of a call: the validation pipe checks it against the outbound policy. */
export function CallUrl(): PropertyDecorator {
  return (target, property) => {
    const own = (Reflect.getOwnMetadata(CALL_URL_FIELDS, target) as string[] | undefined) ?? [];
    Reflect.defineMetadata(CALL_URL_FIELDS, [...own, String(property)], target);
  };
}

/**
 * Validation errors for call URLs (anywhere in the DTO tree) whose host is an IP literal that the
 * outbound policy refuses. Host names are left to the worker, which checks every address they
 * resolve to when it connects.
 */
function refusedDestinations(value: unknown, outbound: OutboundPolicy): ValidationError[] {
  if (value === null || typeof value !== 'object') return [];
  const urlFields = (Reflect.getMetadata(CALL_URL_FIELDS, value) as string[] | undefined) ?? [];
  return Object.entries(value).flatMap(([property, child]): ValidationError[] => {
    const refusal = urlFields.includes(property) && typeof child === 'string' ? urlRefusal(child, outbound) : null;
    if (refusal) return [{ property, constraints: { allowedDestination: refusal }, children: [] }];
    const children = Array.isArray(child)
      ? (child as unknown[]).flatMap((item, i) => {
          const inner = refusedDestinations(item, outbound);
          return inner.length > 0 ? [{ property: String(i), children: inner, constraints: undefined }] : [];
        })
      : refusedDestinations(child, outbound);
    return children.length > 0 ? [{ property, children, constraints: undefined }] : [];
  });
}

/** An absolute http or https URL, as fetch parses it (WHATWG). */
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHttpUrl',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || value.length > 2048) return false;
          try {
            const url = new URL(value);
            return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
          } catch {
            return false;
          }
        },
        defaultMessage: (args?: ValidationArguments) => `${args?.property} must be an http or https URL`,
      },
    },
    options,
  );
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 date-time that names its offset (`Z` or `+hh:mm`), so it means one instant. */
export function IsIsoDateTimeWithOffset(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoDateTimeWithOffset',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && ISO_WITH_OFFSET.test(value) && !Number.isNaN(Date.parse(value)),
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be an ISO 8601 date-time with an offset, e.g. 2026-11-23T09:00:00Z`,
      },
    },
    options,
  );
}

/** The field may not be given together with `other`. */
export function NotTogetherWith(other: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'notTogetherWith',
      constraints: [other],
      validator: {
        validate: (value: unknown, args?: ValidationArguments) =>
          value === undefined || (args?.object as Record<string, unknown> | undefined)?.[other] === undefined,
        defaultMessage: (args?: ValidationArguments) => `${args?.property} and ${other} cannot be given together`,
      },
    },
    options,
  );
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the scheduler sets itself; a user's value would be overwritten, so it is refused. */
const RESERVED_HEADERS = new RegExp(
  `^(${[...Object.values(CALL_HEADERS), ...Object.values(WEBHOOK_SIGNATURE_HEADERS), 'content-length', 'host'].join('|')})$`,
  'i',
);

/** An object of header names to string values, none of them one the scheduler sets. */
export function IsHeaderRecord(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHeaderRecord',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value).every(
            ([name, v]) => HEADER_NAME.test(name) && !RESERVED_HEADERS.test(name) && typeof v === 'string' && !/[\r\n]/.test(v),
          ),
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be an object of header names to string values; Idempotency-Key, X-Task-*, webhook-*, Host and Content-Length are set by the scheduler`,
      },
    },
    options,
  );
}

/** A body makes no sense with GET: refuse it rather than drop it. */
export function NoBodyWithGet(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noBodyWithGet',
      validator: {
        validate: (value: unknown, args?: ValidationArguments) =>
          value === undefined || (args?.object as { method?: string } | undefined)?.method !== 'GET',
        defaultMessage: () => 'body cannot be sent with GET',
      },
    },
    options,
  );
}

/** A JSON value whose serialization is at most `maxBytes` (UTF-8). */
export function JsonAtMost(maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'jsonAtMost',
      constraints: [maxBytes],
      validator: {
        validate: (value: unknown) => value === undefined || Buffer.byteLength(JSON.stringify(value) ?? '') <= maxBytes,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} is ${Buffer.byteLength(JSON.stringify(args?.value) ?? '')} bytes as JSON; at most ${maxBytes}`,
      },
    },
    options,
  );
}
