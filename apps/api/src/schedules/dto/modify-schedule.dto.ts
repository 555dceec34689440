import { ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { ValidateIf } from 'class-validator';
import { DATE_TIME_PATTERN } from '../../core/patterns';
import { IsIsoDateTimeWithOffset } from '../../core/validation';
import { ApiOneOf, ApiSchemaKeywords } from '../../openapi/schema-decorators';
import { CreateScheduleDto, SCHEDULE_TIMINGS } from './create-schedule.dto';

/** A time bound of a PATCH: a new one, or null to remove it. */
const nullableTime = (description: string, example: string) =>
  ApiPropertyOptional({ type: 'string', nullable: true, description, pattern: `^${DATE_TIME_PATTERN}$`, example });

/**
 * `PATCH /schedules/{id}`: the fields to change. A cron, everyMs or at replaces the timing (of
 * whichever kind it was); `task` replaces what later runs call; `startAt`/`endAt` null removes
 * them; `paused` pauses or resumes. Absent fields stay as they are. The name is fixed at creation.
 */
@ApiOneOf('timing', [...SCHEDULE_TIMINGS, { title: 'same timing kind', fields: [] }])
@ApiSchemaKeywords({ minProperties: 1 })
export class ModifyScheduleDto extends PartialType(OmitType(CreateScheduleDto, ['name', 'startAt', 'endAt'] as const), {
  skipNullProperties: false,
}) {
  @nullableTime('No run before this time; null removes the bound.', '2026-12-01T00:00:00Z')
  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined && value !== null)
  @IsIsoDateTimeWithOffset()
  startAt?: string | null;

  @nullableTime('No run after this time (after startAt); null removes the bound.', '2027-12-01T00:00:00Z')
  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined && value !== null)
  @IsIsoDateTimeWithOffset()
  endAt?: string | null;
}
