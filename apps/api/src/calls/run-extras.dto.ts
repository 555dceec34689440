import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, ValidateBy, ValidateNested, type ValidationArguments } from 'class-validator';
import {
  CALLBACK_STATUSES,
  DEFAULT_CALLBACK_ON,
  LAMBDA_INVOCATION_TYPES,
  RUN_ENDS,
  TAG_KEY_PATTERN,
  TAG_LIMITS,
  TAG_VALUE_PATTERN,
  type CallbackStatus,
  type LambdaInvocationType,
  type RunEnd,
  type Tags,
} from '../../../../common';
import { anchored } from '../core/patterns';
import { Omittable } from '../core/validation';
import { ApiClosedResponse, ApiOneOf } from '../openapi/schema-decorators';
import {
  AttemptDto,
  CallResultDto,
  FlowControlResponseDto,
  HTTP_CALL_FIELDS,
  LambdaInvocationDto,
  RetryingCallDto,
  SqsMessageDto,
} from './call.dto';

const TAG_KEY = anchored(TAG_KEY_PATTERN);
const TAG_VALUE = anchored(TAG_VALUE_PATTERN);

/** Why `tags` is not a valid set of tags, or null. */
function tagsProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'tags must be an object of keys to string values';
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > TAG_LIMITS.maxTags) return `tags has ${entries.length} tags; at most ${TAG_LIMITS.maxTags}`;
  for (const [key, tag] of entries) {
    if (!TAG_KEY.test(key)) return `tags key "${key}" must be 1 to 40 of a-z 0-9 _ . -`;
    if (typeof tag !== 'string' || !TAG_VALUE.test(tag))
      return `tags.${key} must be a string of up to ${TAG_LIMITS.maxValueChars} printable characters`;
  }
  return null;
}

/** The `tags` field of a run or a schedule: at most 10, key `[a-z0-9_.-]{1,40}`, value up to 100 printable characters. */
export function TagsField(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'object',
      maxProperties: TAG_LIMITS.maxTags,
      propertyNames: { pattern: `^${TAG_KEY_PATTERN}$` },
      additionalProperties: { type: 'string', pattern: `^${TAG_VALUE_PATTERN}$` },
      description,
      example: { customer: '42', campaign: 'black-friday' },
    } as never),
    Omittable(),
    ValidateBy({
      name: 'isTags',
      validator: {
        validate: (value: unknown) => tagsProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => tagsProblem(args?.value) ?? '',
      },
    }),
  );
}

/** A callback's Lambda invocation: its payload is the run's outcome. */
export class CallbackLambdaDto extends OmitType(LambdaInvocationDto, ['payload'] as const) {}

/** A callback's SQS message: its body is the run's outcome. */
export class CallbackSqsDto extends OmitType(SqsMessageDto, ['messageBody'] as const) {}

/**
 * A call made once the run ends (completed or failed; `on` may add cancelled), with its own retry
 * fields: the run's outcome `{ id, kind, status, owner, runAt, finishedAt, attempts, result, error }`
 * is its JSON body (an HTTP body, signed as every call is; a Lambda payload; an SQS message).
 */
@ApiOneOf('target', [
  { title: 'HTTP call', fields: HTTP_CALL_FIELDS.filter((f) => f !== 'body'), required: ['url'] },
  { title: 'Lambda invocation', fields: ['lambda'], required: ['lambda'] },
  { title: 'SQS message', fields: ['sqs'], required: ['sqs'] },
])
export class CallbackDto extends OmitType(RetryingCallDto, ['body', 'lambda', 'sqs'] as const) {
  @ApiPropertyOptional({
    type: CallbackLambdaDto,
    description: 'The Lambda function to invoke instead of a url (the outcome is its payload).',
  })
  @Omittable()
  @ValidateNested({ message: 'lambda must be an object: { function, qualifier?, invocationType? }' })
  @Type(() => CallbackLambdaDto)
  lambda?: CallbackLambdaDto;

  @ApiPropertyOptional({ type: CallbackSqsDto, description: 'The SQS queue to send the outcome to instead of a url.' })
  @Omittable()
  @ValidateNested({ message: 'sqs must be an object: { queueUrl, messageGroupId?, messageDeduplicationId?, delaySeconds? }' })
  @Type(() => CallbackSqsDto)
  sqs?: CallbackSqsDto;

  @ApiPropertyOptional({
    type: 'array',
    items: { enum: [...RUN_ENDS] },
    minItems: 1,
    uniqueItems: true,
    default: DEFAULT_CALLBACK_ON,
    description: 'The ends of the run it is made on.',
    example: ['completed', 'failed', 'cancelled'],
  })
  @Omittable()
  @IsArray({ message: 'on must be an array of completed, failed, cancelled' })
  @ArrayMinSize(1, { message: 'on must list at least one end' })
  @ArrayUnique({ message: 'on must not list an end twice' })
  @IsIn(RUN_ENDS, { each: true, message: `on must list only ${RUN_ENDS.join(', ')}` })
  on?: RunEnd[];
}

/** A run's `callback` field. */
export function CallbackField(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: CallbackDto,
      description:
        'A call made once the run completes or fails (on may add cancelled), with its own retries; its JSON body is the outcome { id, kind, status, owner, runAt, finishedAt, attempts, result, error }. Its outcome shows as callback.status and callback.attempts.',
    }),
    Omittable(),
    ValidateNested({ message: 'callback must be an object: a call (url, lambda or sqs) with its retry fields and on' }),
    Type(() => CallbackDto),
  );
}

/** A callback's Lambda invocation, as a resource shows it: no payload (the run's outcome is). */
@ApiClosedResponse()
export class CallbackLambdaResponseDto {
  @ApiProperty({ example: 'arn:aws:lambda:eu-central-1:123456789012:function:report' })
  function!: string;
  @ApiPropertyOptional({ example: 'live' })
  qualifier?: string;
  @ApiProperty({ enum: LAMBDA_INVOCATION_TYPES, example: 'Event' })
  invocationType!: LambdaInvocationType;
}

/** A callback's SQS message, as a resource shows it: no messageBody (the run's outcome is). */
@ApiClosedResponse()
export class CallbackSqsResponseDto {
  @ApiProperty({ example: 'https://sqs.eu-central-1.amazonaws.com/123456789012/outcomes' })
  queueUrl!: string;
  @ApiPropertyOptional()
  messageGroupId?: string;
  @ApiPropertyOptional()
  messageDeduplicationId?: string;
  @ApiPropertyOptional({ type: 'integer' })
  delaySeconds?: number;
}

/** A callback and how it went, as a resource shows it (its target without the body: that is the run's outcome). */
@ApiClosedResponse()
export class CallbackResponseDto {
  @ApiPropertyOptional({ example: 'https://example.com/hooks/done' })
  url?: string;
  @ApiPropertyOptional({ example: 'POST' })
  method?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  headers?: Record<string, string>;
  @ApiPropertyOptional({ type: CallbackLambdaResponseDto })
  lambda?: CallbackLambdaResponseDto;
  @ApiPropertyOptional({ type: CallbackSqsResponseDto })
  sqs?: CallbackSqsResponseDto;
  @ApiProperty({ type: 'integer' })
  timeoutMs!: number;
  @ApiPropertyOptional({ type: FlowControlResponseDto })
  flowControl?: FlowControlResponseDto;
  @ApiProperty({ type: 'array', items: { enum: [...RUN_ENDS] }, example: ['completed', 'failed'] })
  on!: RunEnd[];
  @ApiProperty({ type: 'integer' })
  retries!: number;
  @ApiProperty({ type: 'integer' })
  retryIntervalMs!: number;
  @ApiProperty({ type: 'number' })
  retryBackoff!: number;
  @ApiProperty({
    enum: CALLBACK_STATUSES,
    example: 'completed',
    description: 'waiting (the run has not ended), running, completed, failed (after its retries), skipped (the run ended otherwise).',
  })
  status!: CallbackStatus;
  @ApiProperty({ type: [AttemptDto] })
  attempts!: AttemptDto[];
  @ApiProperty({ type: CallResultDto, nullable: true })
  result!: CallResultDto | null;
}

/** The response of a run's `tags`. */
export const TAGS_RESPONSE = {
  type: 'object',
  additionalProperties: { type: 'string' },
  example: { customer: '42' },
  description: 'Its tags ({} when none).',
} as const;

export type { Tags };
