import { ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { DATE_TIME_PATTERN } from '../../core/patterns';
import { IsIsoDateTimeWithOffset, MaxChars, NotTogetherWith, Omittable } from '../../core/validation';
import { MAX_DELAY_MS, RetryingCallDto } from '../../calls/call.dto';
import { CallbackDto, CallbackField, TagsField, type Tags } from '../../calls/run-extras.dto';
import { ApiOneOf, type OneOfAlternative } from '../../openapi/schema-decorators';

/** When a task runs: at runAt, after delayMs, or (neither) now. */
export const TASK_TIMING: readonly OneOfAlternative[] = [
  { title: 'at runAt', fields: ['runAt'], required: ['runAt'] },
  { title: 'after delayMs', fields: ['delayMs'], required: ['delayMs'] },
  { title: 'now', fields: [] },
];

/** `POST /tasks`: one HTTP call, when to make it, and how to retry it. */
@ApiOneOf('timing', TASK_TIMING)
export class CreateTaskDto extends RetryingCallDto {
  @ApiPropertyOptional({
    description:
      'When to call: ISO 8601 with an offset, years 1000 to 9998. Not with delayMs. A time in the past runs at once. Neither = now.',
    example: '2026-11-24T14:05:00Z',
    pattern: `^${DATE_TIME_PATTERN}$`,
  })
  @Omittable()
  @IsIsoDateTimeWithOffset()
  @NotTogetherWith('delayMs')
  runAt?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_DELAY_MS,
    description: 'Call after this many ms. Not with runAt.',
    example: 90000,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  delayMs?: number;

  @ApiPropertyOptional({ description: 'A label of your own.', example: 'nightly report', maxLength: 200 })
  @Omittable()
  @IsString()
  @MaxChars(200)
  name?: string;

  @TagsField(
    'Your own labels (at most 10; key a-z 0-9 _ . -, up to 40; value up to 100 characters): lists filter by them (?tag=key:value).',
  )
  tags?: Tags;

  @CallbackField()
  callback?: CallbackDto;
}

/** `POST /tasks/{id}/retry`: when the new task is due (neither: now). */
@ApiOneOf('timing', TASK_TIMING)
export class RetryTaskDto extends PickType(CreateTaskDto, ['runAt', 'delayMs'] as const) {}
