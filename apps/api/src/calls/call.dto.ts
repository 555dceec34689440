import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Allow, IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { CALL_DEFAULTS, CALL_LIMITS, HTTP_DEFAULTS, HTTP_METHODS, type HttpMethod } from '../../../../common';
import { CallUrl, IsHeaderRecord, IsHttpUrl, NoBodyWithGet } from '../core/validation';

/** Longest wait a task or orchestration may be scheduled ahead (10 years). */
export const MAX_DELAY_MS = 10 * 365 * 24 * 3_600_000;

const upperCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

/** One HTTP call: what a task, an orchestration step, a condition check and a fallback make. */
export class HttpCallDto {
  @ApiProperty({
    description:
      'URL to call (http or https). Private, loopback, link-local and other non-public addresses are refused unless the operator allows them (OUTBOUND_ALLOW_CIDRS).',
    example: 'https://abc123.lambda-url.eu-central-1.on.aws/jobs/report',
  })
  @IsHttpUrl()
  @CallUrl()
  url!: string;

  @ApiPropertyOptional({ enum: HTTP_METHODS, default: HTTP_DEFAULTS.method, description: 'HTTP method.', example: 'POST' })
  @IsOptional()
  @Transform(upperCase)
  @IsIn(HTTP_METHODS, { message: `method must be one of ${HTTP_METHODS.join(', ')}` })
  method?: HttpMethod;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Extra request headers. Idempotency-Key, X-Task-*, webhook-*, Host and Content-Length are set by the scheduler.',
    example: { 'x-api-key': 'k-123' },
  })
  @IsOptional()
  @IsHeaderRecord()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Any JSON value, sent as the JSON request body (not with GET).', example: { reportId: 42 } })
  @Allow()
  @NoBodyWithGet()
  body?: unknown;

  @ApiPropertyOptional({
    description: `Time limit of one attempt, in ms (1 to ${CALL_LIMITS.maxTimeoutMs}).`,
    default: CALL_DEFAULTS.timeoutMs,
    example: 5000,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(CALL_LIMITS.maxTimeoutMs)
  timeoutMs?: number;
}

/** An HTTP call with its retry policy. */
export class RetryingHttpCallDto extends HttpCallDto {
  @ApiPropertyOptional({
    description: `Retries after the first failed attempt (0 to ${CALL_LIMITS.maxRetries}). An attempt fails on a network error, a timeout or a non-2xx status.`,
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
}
