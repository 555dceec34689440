import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsObject, IsString, Max, Min, ValidateNested } from 'class-validator';
import { CONDITION_CHECK_DEFAULTS, CALL_LIMITS, ORCHESTRATION_LIMITS } from '../../../../../common';
import { DATE_TIME_PATTERN } from '../../core/patterns';
import { IsIsoDateTimeWithOffset, MaxChars, NotTogetherWith, Omittable } from '../../core/validation';
import { CallDto, MAX_DELAY_MS, RetryingCallDto } from '../../calls/call.dto';
import { ApiOneOf, type OneOfAlternative } from '../../openapi/schema-decorators';

/** When an orchestration starts: at runAt, after initialDelayMs, or (neither) now. */
export const ORCHESTRATION_START: readonly OneOfAlternative[] = [
  { title: 'at runAt', fields: ['runAt'], required: ['runAt'] },
  { title: 'after initialDelayMs', fields: ['initialDelayMs'], required: ['initialDelayMs'] },
];

const STEP_EXAMPLE = {
  url: 'https://abc123.lambda-url.eu-central-1.on.aws/orders/reserve',
  method: 'POST',
  body: { orderId: 42 },
  retries: 2,
  retryIntervalMs: 5000,
};

/** The condition check: an HTTP call a 2xx answer of which says the step took effect, and when to call it. */
export class ConditionCheckDto extends CallDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: CALL_LIMITS.maxRetryIntervalMs,
    description: 'Wait after each successful step before its first check, in ms.',
    default: CONDITION_CHECK_DEFAULTS.delayMs,
    example: 5000,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(CALL_LIMITS.maxRetryIntervalMs)
  delayMs?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: CALL_LIMITS.maxRetries,
    description: 'Re-checks after a failed check; a check fails on a non-2xx status, a timeout or a network error.',
    default: CONDITION_CHECK_DEFAULTS.retries,
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
    description: 'Wait after a failed check before the next one, in ms.',
    default: CONDITION_CHECK_DEFAULTS.retryIntervalMs,
    example: 2000,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(CALL_LIMITS.maxRetryIntervalMs)
  retryIntervalMs?: number;
}

/** `POST /orchestrations`: steps called in order, each confirmed by the condition check; a fallback if one fails. */
@ApiOneOf('start', [...ORCHESTRATION_START, { title: 'now', fields: [] }])
export class CreateOrchestrationDto {
  @ApiProperty({
    type: [RetryingCallDto],
    minItems: 1,
    maxItems: ORCHESTRATION_LIMITS.maxSteps,
    description: `The calls to make in order (1 to ${ORCHESTRATION_LIMITS.maxSteps}), each under its own retry policy. The next one starts once the condition check after this one has passed.`,
    example: [STEP_EXAMPLE, { url: 'https://abc123.lambda-url.eu-central-1.on.aws/orders/ship', method: 'POST', body: { orderId: 42 } }],
  })
  @IsArray({ message: 'steps must be an array of HTTP calls' })
  @ArrayMinSize(1, { message: 'steps must contain at least 1 step' })
  @ArrayMaxSize(ORCHESTRATION_LIMITS.maxSteps, { message: `steps must contain at most ${ORCHESTRATION_LIMITS.maxSteps} steps` })
  @ValidateNested({ each: true })
  @Type(() => RetryingCallDto)
  steps!: RetryingCallDto[];

  @ApiProperty({
    type: ConditionCheckDto,
    description:
      'Called after each successful step until it answers 2xx: first after delayMs, then every retryIntervalMs, at most retries more times.',
    example: {
      url: 'https://abc123.lambda-url.eu-central-1.on.aws/orders/42/ready',
      method: 'GET',
      delayMs: 5000,
      retries: 3,
      retryIntervalMs: 2000,
    },
  })
  @IsObject({ message: 'conditionCheck must be an object: the HTTP call that confirms each step' })
  @ValidateNested()
  @Type(() => ConditionCheckDto)
  conditionCheck!: ConditionCheckDto;

  @ApiPropertyOptional({
    type: RetryingCallDto,
    description:
      'Called (under its own retry policy) when a step fails for good or its condition checks are exhausted; the orchestration then ends failed.',
    example: { url: 'https://abc123.lambda-url.eu-central-1.on.aws/orders/42/undo', method: 'POST', retries: 3, retryIntervalMs: 10000 },
  })
  @Omittable()
  @IsObject({ message: 'fallback must be an object: an HTTP call' })
  @ValidateNested()
  @Type(() => RetryingCallDto)
  fallback?: RetryingCallDto;

  @ApiPropertyOptional({
    description:
      'When the first step starts: ISO 8601 with an offset, years 1000 to 9998. Not with initialDelayMs. A time in the past starts at once. Neither = now.',
    example: '2026-11-24T14:05:00Z',
    pattern: `^${DATE_TIME_PATTERN}$`,
  })
  @Omittable()
  @IsIsoDateTimeWithOffset()
  @NotTogetherWith('initialDelayMs')
  runAt?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_DELAY_MS,
    description: 'Start the first step after this many ms. Not with runAt.',
    example: 90000,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  initialDelayMs?: number;

  @ApiPropertyOptional({ description: 'A label of your own.', example: 'order 42 fulfilment', maxLength: 200 })
  @Omittable()
  @IsString()
  @MaxChars(200)
  name?: string;
}
