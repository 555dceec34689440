import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidateBy, ValidationOptions, type ValidationArguments } from 'class-validator';
import { CALL_HEADERS, WEBHOOK_SIGNATURE_HEADERS } from '../../../../common';

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

/** The one global pipe: strips nothing silently (unknown fields are errors), converts to DTO classes. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
        validate: (_value: unknown, args?: ValidationArguments) =>
          (args?.object as Record<string, unknown> | undefined)?.[other] === undefined,
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
