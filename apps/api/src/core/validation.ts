import { BadRequestException, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ValidateBy, ValidateIf, ValidationOptions, type ValidationArguments, type ValidatorOptions } from 'class-validator';
import { CALL_HEADERS, WEBHOOK_SIGNATURE_HEADERS } from '../../../../common';
import { urlRefusal, type OutboundPolicy } from '../../../../libs/outbound';
import { anchored, caseInsensitive, DATE_TIME_PATTERN, HEADER_NAME_PATTERN, HEADER_VALUE_PATTERN, HTTP_URL_PATTERN } from './patterns';

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
 * The one global pipe: converts to DTO classes and refuses every unknown body field (a typo there
 * would create a wrong resource), every call URL (see {@link CallUrl}) whose host is an IP literal
 * the outbound policy does not allow, each named by its path like any other bad field. Unknown
 * query parameters are dropped, not refused: OpenAPI cannot say that a query takes no others, so
 * a client following the document may send them.
 */
export function createValidationPipe(outbound: OutboundPolicy): ValidationPipe {
  return new ApiValidationPipe(outbound);
}

/** The options both of the pipe's validations share; `forbidNonWhitelisted` says what to do with unknown fields. */
function pipeOptions(forbidNonWhitelisted: boolean): ConstructorParameters<typeof ValidationPipe>[0] {
  return {
    whitelist: true,
    forbidNonWhitelisted,
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
  };
}

class ApiValidationPipe extends ValidationPipe {
  private readonly queryPipe = new ValidationPipe(pipeOptions(false));

  constructor(private readonly outbound: OutboundPolicy) {
    super(pipeOptions(true));
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return metadata.type === 'query' ? this.queryPipe.transform(value, metadata) : super.transform(value, metadata);
  }

  protected override async validate(object: object, validatorOptions?: ValidatorOptions): Promise<ValidationError[]> {
    const errors = await super.validate(object, validatorOptions);
    return withRefusals(errors, refusedDestinations(object, this.outbound));
  }
}

/**
 * class-validator's errors with the outbound refusals merged in, by path. A refused URL's
 * refusal replaces its syntax error: `http://0xa9fea9fe/` is better refused as "169.254.169.254
 * (linkLocal)" than as "not an http URL" (the URL syntax admits dotted-quad IPv4 only).
 */
function withRefusals(errors: ValidationError[], refusals: ValidationError[]): ValidationError[] {
  const merged = [...errors];
  for (const refusal of refusals) {
    const index = merged.findIndex((e) => e.property === refusal.property);
    if (index < 0) {
      merged.push(refusal);
      continue;
    }
    const error = merged[index];
    merged[index] = refusal.constraints
      ? { ...error, constraints: { ...withoutKey(error.constraints, 'isHttpUrl'), ...refusal.constraints } }
      : { ...error, children: withRefusals(error.children ?? [], refusal.children ?? []) };
  }
  return merged;
}

function withoutKey(record: Record<string, string> | undefined, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).filter(([k]) => k !== key));
}

/**
 * The field may be left out, but not given as null (unlike @IsOptional, which takes null for
 * absent): the document says which fields are nullable, and only those take null.
 */
export function Omittable(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}

/** A string of at most `max` characters, counted as JSON Schema's maxLength counts them: code points, not UTF-16 units. */
export function MaxChars(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxChars',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && [...value].length <= max,
        defaultMessage: (args?: ValidationArguments) => `${args?.property} must be shorter than or equal to ${max} characters`,
      },
    },
    options,
  );
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

/** Longest call URL the API takes. */
export const MAX_URL_LENGTH = 2048;
const HTTP_URL = anchored(HTTP_URL_PATTERN);

/** An absolute http or https URL of {@link HTTP_URL_PATTERN}'s syntax, which fetch parses (WHATWG). */
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHttpUrl',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || !HTTP_URL.test(value)) return false;
          // The pattern admits only URLs that parse; this keeps a slip in it from reaching a worker.
          try {
            return new URL(value).hostname !== '';
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

const DATE_TIME = anchored(DATE_TIME_PATTERN);

/** An ISO 8601 date-time of {@link DATE_TIME_PATTERN}: it names its offset (`Z` or `+hh:mm`), so it means one instant. */
export function IsIsoDateTimeWithOffset(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoDateTimeWithOffset',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)),
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

const HEADER_NAME = anchored(HEADER_NAME_PATTERN);
const HEADER_VALUE = anchored(HEADER_VALUE_PATTERN);
/** Headers the scheduler sets itself (a user's value would be overwritten, so it is refused), as a case-insensitive pattern. */
export const RESERVED_HEADER_PATTERN = [
  ...Object.values(CALL_HEADERS),
  ...Object.values(WEBHOOK_SIGNATURE_HEADERS),
  'content-length',
  'host',
]
  .map(caseInsensitive)
  .join('|');
const RESERVED_HEADERS = anchored(RESERVED_HEADER_PATTERN);

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
            ([name, v]) => HEADER_NAME.test(name) && !RESERVED_HEADERS.test(name) && typeof v === 'string' && HEADER_VALUE.test(v),
          ),
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be an object of header names to string values (tab, printable ASCII and Latin-1 only); Idempotency-Key, X-Task-*, webhook-*, Host and Content-Length are set by the scheduler`,
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
