import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  Allow,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CALL_DEFAULTS,
  CALL_LIMITS,
  HTTP_DEFAULTS,
  HTTP_METHODS,
  LAMBDA_DEFAULTS,
  LAMBDA_INVOCATION_TYPES,
  LAMBDA_PAYLOAD_LIMIT_BYTES,
  type HttpMethod,
  type LambdaInvocationType,
} from '../../../../common';
import { CallUrl, IsHeaderRecord, IsHttpUrl, JsonAtMost, NoBodyWithGet, NotTogetherWith } from '../core/validation';

/** Longest wait a task or orchestration may be scheduled ahead (10 years). */
export const MAX_DELAY_MS = 10 * 365 * 24 * 3_600_000;

const upperCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

/**
 * The name forms Lambda's Invoke takes (its own pattern): a name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name`) or a full ARN, 1 to 170 characters.
 */
const LAMBDA_FUNCTION =
  /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;

/** A Lambda function to invoke, and how. */
export class LambdaInvocationDto {
  @ApiProperty({
    description: 'Function name, `name:alias`, a full ARN (its region is used) or a partial ARN (`123456789012:function:name`).',
    example: 'arn:aws:lambda:eu-central-1:123456789012:function:report',
  })
  @IsString()
  @MaxLength(170)
  @Matches(LAMBDA_FUNCTION, { message: 'lambda.function must be a function name, name:alias, or a full or partial function ARN' })
  function!: string;

  @ApiPropertyOptional({ description: 'Version or alias to invoke (or give it as the `:qualifier` suffix of function).', example: 'live' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(/^(\$LATEST|[a-zA-Z0-9-_]+)$/, { message: 'lambda.qualifier must be a version number, an alias or $LATEST' })
  qualifier?: string;

  @ApiPropertyOptional({
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
  @IsOptional()
  @IsIn(LAMBDA_INVOCATION_TYPES, { message: `lambda.invocationType must be one of ${LAMBDA_INVOCATION_TYPES.join(', ')}` })
  invocationType?: LambdaInvocationType;
}

/**
 * One call: what a task, an orchestration step, a condition check and a fallback make. Exactly
 * one target: an HTTP request (`url`, with `method`, `headers`, `body`) or a Lambda invocation
 * (`lambda`).
 */
export class CallDto {
  @ApiPropertyOptional({
    description:
      'URL to call (http or https); not with lambda. Private, loopback, link-local and other non-public addresses are refused unless the operator allows them (OUTBOUND_ALLOW_CIDRS).',
    example: 'https://abc123.lambda-url.eu-central-1.on.aws/jobs/report',
  })
  // Required unless the call is a Lambda invocation.
  @ValidateIf((call: CallDto) => call.lambda === undefined || call.url !== undefined)
  @IsHttpUrl()
  @CallUrl()
  @NotTogetherWith('lambda')
  url?: string;

  @ApiPropertyOptional({ type: LambdaInvocationDto, description: 'The Lambda function to invoke instead of a url.' })
  @IsOptional()
  @ValidateNested({ message: 'lambda must be an object: { function, qualifier?, payload?, invocationType? }' })
  @Type(() => LambdaInvocationDto)
  lambda?: LambdaInvocationDto;

  @ApiPropertyOptional({ enum: HTTP_METHODS, default: HTTP_DEFAULTS.method, description: 'HTTP method (with url).', example: 'POST' })
  @IsOptional()
  @Transform(upperCase)
  @IsIn(HTTP_METHODS, { message: `method must be one of ${HTTP_METHODS.join(', ')}` })
  @NotTogetherWith('lambda')
  method?: HttpMethod;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'Extra request headers (with url). Idempotency-Key, X-Task-*, webhook-*, Host and Content-Length are set by the scheduler.',
    example: { 'x-api-key': 'k-123' },
  })
  @IsOptional()
  @IsHeaderRecord()
  @NotTogetherWith('lambda')
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    description: 'Any JSON value, sent as the JSON request body (with url; not with GET).',
    example: { reportId: 42 },
  })
  @Allow()
  @NoBodyWithGet()
  @NotTogetherWith('lambda')
  body?: unknown;

  @ApiPropertyOptional({
    description: `Time limit of one attempt (the request, or the Invoke round trip), in ms (1 to ${CALL_LIMITS.maxTimeoutMs}).`,
    default: CALL_DEFAULTS.timeoutMs,
    example: 5000,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(CALL_LIMITS.maxTimeoutMs)
  timeoutMs?: number;
}

/** A call with its retry policy. */
export class RetryingCallDto extends CallDto {
  @ApiPropertyOptional({
    description: `Retries after the first failed attempt (0 to ${CALL_LIMITS.maxRetries}). An attempt fails on a network error, a timeout or a non-2xx status; a Lambda invocation on a FunctionError, a throttle or a service error (an unknown function or denied access fails at once).`,
    default: CALL_DEFAULTS.retries,
    example: 3,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(CALL_LIMITS.maxRetries)
  retries?: number;

  @ApiPropertyOptional({ description: 'Wait before the first retry, in ms.', default: CALL_DEFAULTS.retryIntervalMs, example: 10000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(CALL_LIMITS.maxRetryIntervalMs)
  retryIntervalMs?: number;

  @ApiPropertyOptional({
    description: 'Multiplier of the wait after each retry (1 = constant).',
    default: CALL_DEFAULTS.retryBackoff,
    example: 2,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(CALL_LIMITS.maxRetryBackoff)
  retryBackoff?: number;
}

/** One attempt at an HTTP call. */
export class AttemptDto {
  @ApiProperty({ example: 1, description: '1-based attempt number.' })
  number!: number;
  @ApiProperty({ example: '2026-11-23T09:00:00.002Z', description: 'When Temporal scheduled the attempt (after its retry wait).' })
  scheduledAt!: string;
  @ApiProperty({ example: '2026-11-23T09:00:00.004Z' })
  startedAt!: string;
  @ApiProperty({ example: '2026-11-23T09:00:00.120Z' })
  finishedAt!: string;
  @ApiProperty({ type: Number, nullable: true, example: 200, description: 'null when no response arrived.' })
  statusCode!: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Why it failed: "HTTP 503", "timed out after 5000 ms", a network error; null on 2xx.',
  })
  error!: string | null;
  @ApiProperty({ example: 116 })
  durationMs!: number;
}

/** The response of the last attempt. */
export class CallResultDto {
  @ApiProperty({ example: 200 })
  statusCode!: number;
  @ApiProperty({
    description:
      'Response body: parsed JSON when the response is JSON and whole, else text; cut to RESPONSE_BODY_LIMIT_BYTES (default 4096 bytes).',
    example: { ok: true },
  })
  body!: unknown;
  @ApiProperty({ example: false, description: 'True when the body was cut.' })
  bodyTruncated!: boolean;
  @ApiPropertyOptional({ example: '$LATEST', description: 'The function version that ran (Lambda only).' })
  executedVersion?: string;
}

/** A Lambda invocation, as a resource shows it back. */
export class LambdaInvocationResponseDto {
  @ApiProperty({ example: 'arn:aws:lambda:eu-central-1:123456789012:function:report' })
  function!: string;
  @ApiPropertyOptional({ example: 'live' })
  qualifier?: string;
  @ApiPropertyOptional({ example: { reportId: 42 } })
  payload?: unknown;
  @ApiProperty({ enum: LAMBDA_INVOCATION_TYPES, example: 'RequestResponse' })
  invocationType!: LambdaInvocationType;
}
