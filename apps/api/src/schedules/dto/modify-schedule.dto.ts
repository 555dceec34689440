import { ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, ValidateIf, ValidateNested } from 'class-validator';
import { CALL_CHANGE_TARGETS } from '../../calls/call.dto';
import { DATE_TIME_PATTERN } from '../../core/patterns';
import { IsIsoDateTimeWithOffset, Omittable } from '../../core/validation';
import { ApiOneOf, ApiSchemaKeywords } from '../../openapi/schema-decorators';
import { CreateScheduleDto, SCHEDULE_TIMINGS, ScheduleTaskDto } from './create-schedule.dto';

/** A time bound of a PATCH: a new one, or null to remove it. */
const nullableTime = (description: string, example: string) =>
  ApiPropertyOptional({ type: 'string', nullable: true, description, pattern: `^${DATE_TIME_PATTERN}$`, example });

/**
 * A change to what a schedule's later runs call, merged as a task's `PATCH` is: HTTP fields into an
 * HTTP call, `lambda` or `sqs` for a new target, `url` to turn a Lambda or SQS call into an HTTP
 * one; the retry fields one by one; `callback` replaces the callback. Absent fields stay as they are.
 */
@ApiOneOf('target', CALL_CHANGE_TARGETS)
@ApiSchemaKeywords({ minProperties: 1 })
export class ModifyScheduleTaskDto extends PartialType(ScheduleTaskDto, { skipNullProperties: false }) {}

/**
 * `PATCH /schedules/{id}`: the fields to change. A cron, everyMs or at replaces the timing (of
 * whichever kind it was); `task` changes what later runs call, merged as a task's `PATCH` is;
 * `startAt`/`endAt` null removes them; `paused` pauses or resumes. Absent fields stay as they are.
 * The name is fixed at creation.
 */
@ApiOneOf('timing', [...SCHEDULE_TIMINGS, { title: 'same timing kind', fields: [] }])
@ApiSchemaKeywords({ minProperties: 1 })
export class ModifyScheduleDto extends PartialType(OmitType(CreateScheduleDto, ['name', 'task', 'startAt', 'endAt'] as const), {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({
    type: ModifyScheduleTaskDto,
    description:
      'What later runs call: only the fields to change, merged as a task PATCH merges them (HTTP fields into an HTTP call; lambda or sqs replaces the target; url turns a Lambda or SQS call into an HTTP one); callback replaces the callback.',
    example: { url: 'https://abc123.lambda-url.eu-central-1.on.aws/v2/report', retries: 5 },
  })
  @Omittable()
  @IsObject({ message: 'task must be an object: the call fields to change' })
  @ValidateNested()
  @Type(() => ModifyScheduleTaskDto)
  task?: ModifyScheduleTaskDto;

  @nullableTime('No run before this time; null removes the bound.', '2026-12-01T00:00:00Z')
  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined && value !== null)
  @IsIsoDateTimeWithOffset()
  startAt?: string | null;

  @nullableTime('No run after this time (after startAt); null removes the bound.', '2027-12-01T00:00:00Z')
  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined && value !== null)
  @IsIsoDateTimeWithOffset()
  endAt?: string | null;
}
