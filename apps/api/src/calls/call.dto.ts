import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  Allow,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import {
  CALL_DEFAULTS,
  CALL_LIMITS,
  FLOW_MIN_RATE_PER_SECOND,
  HTTP_DEFAULTS,
  HTTP_METHODS,
  LAMBDA_DEFAULTS,
  LAMBDA_INVOCATION_TYPES,
  LAMBDA_PAYLOAD_LIMIT_BYTES,
  RETRY_ON,
  SQS_MESSAGE_LIMIT_BYTES,
  type HttpMethod,
  type LambdaInvocationType,
  type RetryOn,
} from '../../../../common';
import { caseInsensitive, HEADER_NAME_PATTERN, HEADER_VALUE_PATTERN, HTTP_URL_PATTERN } from '../core/patterns';
import {
  CallTarget,
  CallUrl,
  IsHeaderRecord,
  IsHttpUrl,
  JsonAtMost,
  MAX_URL_LENGTH,
  NoBodyWithGet,
  NotTogetherWith,
  Omittable,
  RESERVED_HEADER_PATTERN,
} from '../core/validation';
import { ApiClosedResponse, ANY_JSON, ApiOneOf, ApiSchemaKeywords, type OneOfAlternative } from '../openapi/schema-decorators';

/** Longest wait a task or orchestration may be scheduled ahead (10 years). */
export const MAX_DELAY_MS = 10 * 365 * 24 * 3_600_000;

const upperCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

/**
 * The name forms Lambda's Invoke takes (its own pattern): a name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name`) or a full ARN, 1 to 170 characters.
 */
const LAMBDA_FUNCTION_PATTERN =
  '^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-[0-9]:)?([0-9]{12}:)?(function:)?([a-zA-Z0-9_.-]+)(:(\\$LATEST|[a-zA-Z0-9_-]+))?$';
const LAMBDA_QUALIFIER_PATTERN = '^(\\$LATEST|[a-zA-Z0-9_-]+)$';
/** The methods a call takes, in any case (they are sent, and shown back, in upper case). */
const HTTP_METHOD_PATTERN = `^(${HTTP_METHODS.map(caseInsensitive).join('|')})$`;

/** The schema of a call's `headers`: names are tokens the scheduler does not set itself, values have no control characters. */
const HEADERS_SCHEMA = {
  type: 'object',
  additionalProperties: { type: 'string', pattern: `^${HEADER_VALUE_PATTERN}$` },
  propertyNames: { pattern: `^${HEADER_NAME_PATTERN}$`, not: { pattern: `^(${RESERVED_HEADER_PATTERN})$` } },
} as ApiPropertyOptions;

/** The fields of an HTTP call: `method`, `headers` and `body` come only with a `url`. */
export const HTTP_CALL_FIELDS = ['url', 'method', 'headers', 'body'] as const;
/** The rule "no body with GET", as JSON Schema. */
export const NO_BODY_WITH_GET = {
  not: { required: ['method', 'body'], properties: { method: { pattern: `^${caseInsensitive('GET')}$` } } },
};

/**
 * The target fields a `PATCH` of a call may give (a task's, a schedule's task): HTTP fields (merged
 * into an HTTP call; with a url, a new one), a new Lambda invocation or a new SQS message; never
 * two kinds together. The same exclusions as a call's at create, none required.
 */
export const CALL_CHANGE_TARGETS: readonly OneOfAlternative[] = [
  { title: 'HTTP fields', fields: HTTP_CALL_FIELDS, schema: NO_BODY_WITH_GET },
  { title: 'Lambda invocation', fields: ['lambda'], required: ['lambda'] },
  { title: 'SQS message', fields: ['sqs'], required: ['sqs'] },
];

/** A Lambda function to invoke, and how. */
export class LambdaInvocationDto {
  @ApiProperty({
    description: 'Function name, `name:alias`, a full ARN (its region is used) or a partial ARN (`123456789012:function:name`).',
    example: 'arn:aws:lambda:eu-central-1:123456789012:function:report',
    maxLength: 170,
    pattern: LAMBDA_FUNCTION_PATTERN,
  })
  @IsString()
  @MaxLength(170)
  @Matches(new RegExp(LAMBDA_FUNCTION_PATTERN), {
    message: 'lambda.function must be a function name, name:alias, or a full or partial function ARN',
  })
  // Only functions LAMBDA_ALLOW lets this caller invoke.
  @CallTarget('lambda')
  function!: string;

  @ApiPropertyOptional({
    description: 'Version or alias to invoke (or give it as the `:qualifier` suffix of function).',
    example: 'live',
    maxLength: 128,
    pattern: LAMBDA_QUALIFIER_PATTERN,
  })
  @Omittable()
  @IsString()
  @MaxLength(128)
  @Matches(new RegExp(LAMBDA_QUALIFIER_PATTERN), { message: 'lambda.qualifier must be a version number, an alias or $LATEST' })
  qualifier?: string;

  @ApiPropertyOptional({
    ...ANY_JSON,
    description: `Any JSON value: the event the function receives (at most ${LAMBDA_PAYLOAD_LIMIT_BYTES} bytes as JSON).`,
    example: { reportId: 42 },
  })
  @Allow()
  @JsonAtMost(LAMBDA_PAYLOAD_LIMIT_BYTES)
  payload?: unknown;

  @ApiPropertyOptional({
    enum: LAMBDA_INVOCATION_TYPES,
    default: LAMBDA_DEFAULTS.invocationType,
    description: 'RequestResponse waits for the answer; Event queues the invocation and succeeds on 202.',
  })
  @Omittable()
  @IsIn(LAMBDA_INVOCATION_TYPES, { message: `lambda.invocationType must be one of ${LAMBDA_INVOCATION_TYPES.join(', ')}` })
  invocationType?: LambdaInvocationType;
}

/** SQS's own rule for FIFO group and deduplication ids: 1 to 128 of these characters. */
const SQS_ID_PATTERN = '^[\\x21-\\x7e]{1,128}$';

/** A message to send to an SQS queue. */
export class SqsMessageDto {
  @ApiProperty({
    description: "The queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>, or an emulator's with AWS_ENDPOINT_URL_SQS).",
    example: 'https://sqs.eu-central-1.amazonaws.com/123456789012/orders',
    maxLength: MAX_URL_LENGTH,
    pattern: `^${HTTP_URL_PATTERN}$`,
  })
  @IsHttpUrl({ message: 'sqs.queueUrl must be an http or https URL' })
  // Only queues SQS_ALLOW lets this caller send to (by URL, ARN or name).
  @CallTarget('sqs')
  queueUrl!: string;

  @ApiProperty({
    ...ANY_JSON,
    description: `Any JSON value: the message body is its JSON text (at most ${SQS_MESSAGE_LIMIT_BYTES} bytes).`,
    example: { orderId: 42 },
  })
  @ValidateIf(() => true)
  @IsPresent({ message: 'sqs.messageBody is required: any JSON value' })
  @JsonAtMost(SQS_MESSAGE_LIMIT_BYTES)
  messageBody!: unknown;

  @ApiPropertyOptional({ description: 'FIFO queues: the message group.', example: 'customer-42', pattern: SQS_ID_PATTERN })
  @Omittable()
  @IsString()
  @Matches(new RegExp(SQS_ID_PATTERN), { message: 'sqs.messageGroupId must be 1 to 128 printable ASCII characters' })
  messageGroupId?: string;

  @ApiPropertyOptional({
    description: "FIFO queues: deduplication id (default: the call's Idempotency-Key, the same on every retry).",
    pattern: SQS_ID_PATTERN,
  })
  @Omittable()
  @IsString()
  @Matches(new RegExp(SQS_ID_PATTERN), { message: 'sqs.messageDeduplicationId must be 1 to 128 printable ASCII characters' })
  messageDeduplicationId?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 900, description: 'Standard queues: deliver after this many seconds.' })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(900)
  delaySeconds?: number;
}

/** Flow control of a call: at most ratePerSecond and maxInFlight across every worker, per owner and key (at least one of them). */
@ApiSchemaKeywords({ anyOf: [{ required: ['ratePerSecond'] }, { required: ['maxInFlight'] }] })
export class FlowControlDto {
  @ApiPropertyOptional({
    description:
      "Calls of the same owner with the same key share the limits. Default: the destination's origin (scheme://host:port), or the function or queue.",
    example: 'partner-api',
    maxLength: 200,
    pattern: '^[\\x20-\\x7e]{1,200}$',
  })
  @Omittable()
  @IsString()
  @Matches(/^[\x20-\x7e]{1,200}$/, { message: 'flowControl.key must be 1 to 200 printable ASCII characters' })
  key?: string;

  @ApiPropertyOptional({
    type: 'number',
    minimum: FLOW_MIN_RATE_PER_SECOND,
    maximum: 10_000,
    description: `At most this many calls a second (fractions allowed: 0.5 = one every 2 s; at least ${FLOW_MIN_RATE_PER_SECOND}, one every ${1 / FLOW_MIN_RATE_PER_SECOND} s).`,
    example: 5,
  })
  @Omittable()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(FLOW_MIN_RATE_PER_SECOND, {
    message: `flowControl.ratePerSecond must be at least ${FLOW_MIN_RATE_PER_SECOND} (one call every ${1 / FLOW_MIN_RATE_PER_SECOND} s)`,
  })
  @Max(10_000)
  ratePerSecond?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10_000, description: 'At most this many calls at once.', example: 2 })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(10_000)
  maxInFlight?: number;
}

/**
 * One call: what a task, an orchestration step, a condition check and a fallback make. Exactly
 * one target: an HTTP request (`url`, with `method`, `headers`, `body`), a Lambda invocation
 * (`lambda`) or an SQS message (`sqs`).
 */
@ApiOneOf('target', [
  { title: 'HTTP call', fields: HTTP_CALL_FIELDS, required: ['url'], schema: NO_BODY_WITH_GET },
  { title: 'Lambda invocation', fields: ['lambda'], required: ['lambda'] },
  { title: 'SQS message', fields: ['sqs'], required: ['sqs'] },
])
export class CallDto {
  @ApiPropertyOptional({
    description:
      'URL to call: http or https, printable ASCII (percent-encode the rest), a host name (IDN hosts not supported), a dotted-quad IPv4 or a bracketed IPv6 address, no credentials. Not with lambda. Private, loopback, link-local and other non-public addresses are refused unless the operator allows them (OUTBOUND_ALLOW_CIDRS).',
    example: 'https://abc123.lambda-url.eu-central-1.on.aws/jobs/report',
    maxLength: MAX_URL_LENGTH,
    pattern: `^${HTTP_URL_PATTERN}$`,
  })
  // Required unless the call is a Lambda invocation or an SQS message.
  @ValidateIf((call: CallDto) => (call.lambda === undefined && call.sqs === undefined) || call.url !== undefined)
  @IsHttpUrl()
  @CallUrl()
  @NotTogetherWith('lambda')
  @NotTogetherWith('sqs')
  url?: string;

  @ApiPropertyOptional({ type: LambdaInvocationDto, description: 'The Lambda function to invoke instead of a url.' })
  @Omittable()
  @ValidateNested({ message: 'lambda must be an object: { function, qualifier?, payload?, invocationType? }' })
  @Type(() => LambdaInvocationDto)
  @NotTogetherWith('sqs')
  lambda?: LambdaInvocationDto;

  @ApiPropertyOptional({ type: SqsMessageDto, description: 'The SQS message to send instead of a url.' })
  @Omittable()
  @ValidateNested({ message: 'sqs must be an object: { queueUrl, messageBody, messageGroupId?, messageDeduplicationId?, delaySeconds? }' })
  @Type(() => SqsMessageDto)
  sqs?: SqsMessageDto;

  @ApiPropertyOptional({
    type: 'string',
    pattern: HTTP_METHOD_PATTERN,
    default: HTTP_DEFAULTS.method,
    description: `HTTP method (with url): ${HTTP_METHODS.join(', ')}, in any case.`,
    example: 'POST',
  })
  @Omittable()
  @Transform(upperCase)
  @IsIn(HTTP_METHODS, { message: `method must be one of ${HTTP_METHODS.join(', ')}` })
  @NotTogetherWith('lambda')
  @NotTogetherWith('sqs')
  method?: HttpMethod;

  @ApiPropertyOptional({
    ...HEADERS_SCHEMA,
    description:
      'Extra request headers (with url). Idempotency-Key, X-Task-*, webhook-*, Host and Content-Length are set by the scheduler; hop-by-hop headers (Connection, Keep-Alive, Transfer-Encoding, Upgrade, TE, Trailer, Proxy-*, Expect) cannot be sent. Admins reading the resource see every value as "<redacted>".',
    example: { 'x-api-key': 'k-123' },
  })
  @Omittable()
  @IsHeaderRecord()
  @NotTogetherWith('lambda')
  @NotTogetherWith('sqs')
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    ...ANY_JSON,
    description: 'Any JSON value (null too), sent as the JSON request body (with url; not with GET).',
    example: { reportId: 42 },
  })
  @Allow()
  @NoBodyWithGet()
  @NotTogetherWith('lambda')
  @NotTogetherWith('sqs')
  body?: unknown;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: CALL_LIMITS.maxTimeoutMs,
    description: `Time limit of one attempt (the request, or the Invoke round trip), in ms.`,
    default: CALL_DEFAULTS.timeoutMs,
    example: 5000,
  })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(CALL_LIMITS.maxTimeoutMs)
  timeoutMs?: number;

  @ApiPropertyOptional({
    type: FlowControlDto,
    description:
      'Limits shared, across every worker, by the calls of one owner with the same key: at most ratePerSecond a second and maxInFlight at once (at least one). Calls over the limit wait their turn in due-time order; each attempt records waitedMs.',
  })
  @Omittable()
  @ValidateNested({ message: 'flowControl must be an object: { key?, ratePerSecond?, maxInFlight? }' })
  @Type(() => FlowControlDto)
  @HasALimit()
  flowControl?: FlowControlDto;
}

/** A flow control needs a limit: ratePerSecond, maxInFlight, or both. */
function HasALimit(): PropertyDecorator {
  return ValidateBy({
    name: 'hasALimit',
    validator: {
      validate: (value: unknown) =>
        typeof value !== 'object' ||
        value === null ||
        (value as FlowControlDto).ratePerSecond !== undefined ||
        (value as FlowControlDto).maxInFlight !== undefined,
      defaultMessage: () => 'flowControl needs ratePerSecond, maxInFlight, or both',
    },
  });
}

/** The field must be there (any JSON value, null included). */
function IsPresent(options: { message: string }): PropertyDecorator {
  return ValidateBy({
    name: 'isPresent',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => args !== undefined && value !== undefined,
      defaultMessage: () => options.message,
    },
  });
}

/** A call with its retry policy. */
export class RetryingCallDto extends CallDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: CALL_LIMITS.maxRetries,
    description: `Retries after the first failed attempt. An attempt fails on a network error, a timeout or a non-2xx status; a Lambda invocation on a FunctionError, a throttle or a service error (an unknown function or denied access fails at once).`,
    default: CALL_DEFAULTS.retries,
    example: 3,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(CALL_LIMITS.maxRetries)
  retries?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: CALL_LIMITS.maxRetryIntervalMs,
    description: 'Wait before the first retry, in ms.',
    default: CALL_DEFAULTS.retryIntervalMs,
    example: 10000,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(CALL_LIMITS.maxRetryIntervalMs)
  retryIntervalMs?: number;

  @ApiPropertyOptional({
    type: 'number',
    minimum: 1,
    maximum: CALL_LIMITS.maxRetryBackoff,
    description: 'Multiplier of the wait after each retry (1 = constant).',
    default: CALL_DEFAULTS.retryBackoff,
    example: 2,
  })
  @Omittable()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(CALL_LIMITS.maxRetryBackoff)
  retryBackoff?: number;

  @ApiPropertyOptional({
    enum: RETRY_ON,
    default: 'any',
    description:
      'any: every failed attempt is retried while retries remain; transient: only network errors, timeouts, 408, 425, 429 and 5xx (and Lambda or SQS throttles and service errors), any other failure ends the call at once. A 429 or 503 with Retry-After makes the next attempt wait at least that long (at most 1 h).',
  })
  @Omittable()
  @IsIn(RETRY_ON, { message: `retryOn must be one of ${RETRY_ON.join(', ')}` })
  retryOn?: RetryOn;
}

/** One attempt at an HTTP call. */
@ApiClosedResponse()
export class AttemptDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1, description: '1-based attempt number.' })
  number!: number;
  @ApiProperty({
    example: '2026-11-23T09:00:00.002Z',
    description: 'When Temporal scheduled the attempt (after its retry wait); empty for an attempt that left no record.',
  })
  scheduledAt!: string;
  @ApiProperty({ example: '2026-11-23T09:00:00.004Z' })
  startedAt!: string;
  @ApiProperty({ example: '2026-11-23T09:00:00.120Z' })
  finishedAt!: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 200, description: 'null when no response arrived.' })
  statusCode!: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Why it failed: "HTTP 503", "timed out after 5000 ms", a network error; null on 2xx.',
  })
  error!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, example: 116 })
  durationMs!: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, example: 180, description: 'How long it waited its turn under flowControl.' })
  waitedMs?: number;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    example: 30000,
    description: "The answer's Retry-After (a 429 or 503), in ms, at most 1 h: the next attempt waited at least this long.",
  })
  retryAfterMs?: number;
}

/** The response of the last attempt. */
@ApiClosedResponse()
export class CallResultDto {
  @ApiProperty({ type: 'integer', example: 200 })
  statusCode!: number;
  @ApiProperty({
    ...ANY_JSON,
    description:
      'Response body, any JSON value: parsed JSON when the response is JSON and whole, else text; cut to RESPONSE_BODY_LIMIT_BYTES (default 4096 bytes).',
    example: { ok: true },
  })
  body!: unknown;
  @ApiProperty({ example: false, description: 'True when the body was cut.' })
  bodyTruncated!: boolean;
  @ApiPropertyOptional({ example: '$LATEST', description: 'The function version that ran (Lambda only).' })
  executedVersion?: string;
}

/** An SQS message, as a resource shows it back. */
@ApiClosedResponse()
export class SqsMessageResponseDto {
  @ApiProperty({ example: 'https://sqs.eu-central-1.amazonaws.com/123456789012/orders' })
  queueUrl!: string;
  @ApiProperty({ ...ANY_JSON, example: { orderId: 42 } })
  messageBody!: unknown;
  @ApiPropertyOptional()
  messageGroupId?: string;
  @ApiPropertyOptional()
  messageDeduplicationId?: string;
  @ApiPropertyOptional({ type: 'integer' })
  delaySeconds?: number;
}

/** Flow control, as a resource shows it back. */
@ApiClosedResponse()
export class FlowControlResponseDto {
  @ApiPropertyOptional({ example: 'partner-api', description: 'The key given (absent: the destination).' })
  key?: string;
  @ApiPropertyOptional({ type: 'number', example: 5 })
  ratePerSecond?: number;
  @ApiPropertyOptional({ type: 'integer', example: 2 })
  maxInFlight?: number;
}

/** A Lambda invocation, as a resource shows it back. */
@ApiClosedResponse()
export class LambdaInvocationResponseDto {
  @ApiProperty({ example: 'arn:aws:lambda:eu-central-1:123456789012:function:report' })
  function!: string;
  @ApiPropertyOptional({ example: 'live' })
  qualifier?: string;
  @ApiPropertyOptional({ ...ANY_JSON, example: { reportId: 42 } })
  payload?: unknown;
  @ApiProperty({ enum: LAMBDA_INVOCATION_TYPES, example: 'RequestResponse' })
  invocationType!: LambdaInvocationType;
}
