import { BadRequestException, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import {
  getMetadataStorage,
  ValidateBy,
  ValidateIf,
  ValidationOptions,
  type ValidationArguments,
  type ValidatorOptions,
} from 'class-validator';
import { CALL_HEADERS, WEBHOOK_SIGNATURE_HEADERS } from '../../../../common';
import { targetRefusal, urlRefusal, type AllowListedTarget, type OutboundPolicy } from '../../../../libs/outbound';
import { scopedCaller } from './request-context';
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

/** What the pipe checks call targets against: the outbound policy, and the Lambda and SQS allow-lists. */
export interface TargetPolicy {
  outbound: OutboundPolicy;
  targets: { readonly lambda: readonly string[]; readonly sqs: readonly string[] };
}

/**
 * The one global pipe: converts to DTO classes and refuses every unknown body field (a typo there
 * would create a wrong resource), every call target (see {@link CallTarget}) the policy refuses (a
 * URL whose host is an IP literal or name the outbound policy does not allow, a Lambda function or
 * SQS queue outside the caller's allow-list), each named by its path like any other bad field.
 * Unknown query parameters are dropped, not refused: OpenAPI cannot say that a query takes no
 * others, so a client following the document may send them.
 */
export function createValidationPipe(policy: TargetPolicy): ValidationPipe {
  return new ApiValidationPipe(policy);
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

  constructor(private readonly policy: TargetPolicy) {
    super(pipeOptions(true));
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return metadata.type === 'query' ? this.queryPipe.transform(value, metadata) : super.transform(value, metadata);
  }

  protected override async validate(object: object, validatorOptions?: ValidatorOptions): Promise<ValidationError[]> {
    const errors = await super.validate(object, validatorOptions);
    return withRefusals(errors, refusedTargets(object, this.policy, scopedCaller()?.sub));
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

/** What a call-target field holds: an HTTP URL, a Lambda function, an SQS queue URL. */
export type CallTargetKind = 'url' | AllowListedTarget;

/** The class-validator constraint name that marks call-target fields (see {@link CallTarget}). */
const CALL_TARGET = 'callTarget';

/**
 * Marks a DTO property as where a call goes, so the validation pipe checks it with the rest of
 * the body, at create and at PATCH alike: a `url` against the outbound policy (IP literals, cloud
 * metadata names, the system's own endpoints), a Lambda `function` or an SQS `queueUrl` against
 * the caller's allow-list (LAMBDA_ALLOW, SQS_ALLOW, with `{owner}` = the caller's sub). It is
 * recorded as a (always passing) class-validator constraint, so the mapped types DTOs are built
 * with (PartialType, PickType, OmitType, ...) carry it as they carry every other rule.
 */
export function CallTarget(kind: CallTargetKind): PropertyDecorator {
  return ValidateBy({ name: CALL_TARGET, constraints: [kind], validator: { validate: () => true } });
}

/** Marks a DTO property as the URL of a call (see {@link CallTarget}). */
export function CallUrl(): PropertyDecorator {
  return CallTarget('url');
}

/** The call-target fields of a DTO class, by property, read once per class from class-validator's metadata. */
const targetFieldsByClass = new WeakMap<object, ReadonlyMap<string, CallTargetKind>>();

function targetFieldsOf(type: object): ReadonlyMap<string, CallTargetKind> {
  let fields = targetFieldsByClass.get(type);
  if (!fields) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(type as new () => object, '', true, false);
    fields = new Map(
      metadata.filter((m) => m.name === CALL_TARGET).map((m) => [m.propertyName, (m.constraints as [CallTargetKind])[0]] as const),
    );
    targetFieldsByClass.set(type, fields);
  }
  return fields;
}

/** Why the policy refuses `value` in a field of `kind` for `owner`; null when it does not. */
function targetFieldRefusal(kind: CallTargetKind, value: string, policy: TargetPolicy, owner: string | undefined): string | null {
  if (kind === 'url') return urlRefusal(value, policy.outbound);
  // No caller, no allow-list to apply it to: only an authenticated route takes call targets.
  return targetRefusal(kind, value, owner ?? '', owner === undefined ? [] : policy.targets[kind]);
}

/**
 * Validation errors for call targets anywhere in the DTO tree that the policy refuses. URL host
 * names are left to the worker, which checks every address they resolve to when it connects.
 */
function refusedTargets(value: unknown, policy: TargetPolicy, owner: string | undefined): ValidationError[] {
  if (value === null || typeof value !== 'object') return [];
  const fields = targetFieldsOf(value.constructor);
  return Object.entries(value).flatMap(([property, child]): ValidationError[] => {
    const kind = fields.get(property);
    const refusal = kind && typeof child === 'string' ? targetFieldRefusal(kind, child, policy, owner) : null;
    if (refusal) return [{ property, constraints: { allowedDestination: refusal }, children: [] }];
    const children = Array.isArray(child)
      ? (child as unknown[]).flatMap((item, i) => {
          const inner = refusedTargets(item, policy, owner);
          return inner.length > 0 ? [{ property: String(i), children: inner, constraints: undefined }] : [];
        })
      : refusedTargets(child, policy, owner);
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
/** Headers the scheduler sets itself (a user's value would be overwritten), as a case-insensitive pattern. */
const SCHEDULER_HEADER_PATTERN = [...Object.values(CALL_HEADERS), ...Object.values(WEBHOOK_SIGNATURE_HEADERS), 'content-length', 'host']
  .map(caseInsensitive)
  .join('|');
/**
 * Hop-by-hop and connection-control headers (RFC 9110 7.6.1, and `expect`): they belong to one
 * connection, not to the call, and Node's HTTP client fails every attempt that carries them.
 */
const HOP_BY_HOP_HEADER_PATTERN = [
  ...['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect'].map(caseInsensitive),
  `${caseInsensitive('proxy-')}${HEADER_NAME_PATTERN}`,
].join('|');
/** Every header a call may not set, as a case-insensitive pattern (the OpenAPI document says it too). */
export const RESERVED_HEADER_PATTERN = `${SCHEDULER_HEADER_PATTERN}|${HOP_BY_HOP_HEADER_PATTERN}`;
const SCHEDULER_HEADERS = anchored(SCHEDULER_HEADER_PATTERN);
const HOP_BY_HOP_HEADERS = anchored(HOP_BY_HOP_HEADER_PATTERN);

/** Why a headers object is refused, naming the headers; null when it is not. */
function headersProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of header names to string values';
  const entries = Object.entries(value as Record<string, unknown>);
  // The names that fail a test, as a list (never joined before the count: an empty name is a name too).
  const named = (test: (name: string, v: unknown) => boolean) => entries.filter(([name, v]) => test(name, v)).map(([name]) => name);
  const hopByHop = named((name) => HOP_BY_HOP_HEADERS.test(name));
  if (hopByHop.length > 0) return `may not set ${hopByHop.join(', ')}: hop-by-hop headers belong to a connection, not to a call`;
  const scheduler = named((name) => SCHEDULER_HEADERS.test(name));
  if (scheduler.length > 0)
    return `may not set ${scheduler.join(', ')}: Idempotency-Key, X-Task-*, webhook-*, Host and Content-Length are set by the scheduler`;
  const badNames = named((name) => !HEADER_NAME.test(name));
  if (badNames.length > 0) return `has names that are not header names: ${badNames.map((name) => JSON.stringify(name)).join(', ')}`;
  const badValues = named((_name, v) => typeof v !== 'string' || !HEADER_VALUE.test(v));
  if (badValues.length > 0) return `has values that are not strings of tab, printable ASCII and Latin-1 for ${badValues.join(', ')}`;
  return null;
}

/** An object of header names to string values, none of them one the scheduler sets or a hop-by-hop header. */
export function IsHeaderRecord(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHeaderRecord',
      validator: {
        validate: (value: unknown) => headersProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => `${args?.property} ${headersProblem(args?.value) ?? 'are not valid'}`,
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
