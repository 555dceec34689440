import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { RetryingCallDto } from '../../calls/call.dto';
import { CallbackDto, CallbackField, TagsField, type Tags } from '../../calls/run-extras.dto';
import { anchored, DATE_TIME_PATTERN, SCHEDULE_TIME_PATTERN } from '../../core/patterns';
import { IsIsoDateTimeWithOffset, MaxChars, Omittable } from '../../core/validation';
import { ApiOneOf, type OneOfAlternative } from '../../openapi/schema-decorators';
import { CRON_PATTERN, MAX_AT_TIMES } from '../schedule-timing';
import { TIME_ZONES } from '../time-zones';

/** How a run that comes due while the previous one still runs is handled. */
export const OVERLAP_POLICIES = ['skip', 'bufferOne', 'allowAll'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

const YEAR_MS = 366 * 24 * 3_600_000;

/** A schedule's timing kinds: exactly one on create; on PATCH, at most one (it replaces the timing). */
export const SCHEDULE_TIMINGS: readonly OneOfAlternative[] = [
  { title: 'cron', fields: ['cron'], required: ['cron'] },
  { title: 'everyMs', fields: ['everyMs'], required: ['everyMs'] },
  { title: 'at', fields: ['at'], required: ['at'] },
];

const DATE_TIME = anchored(DATE_TIME_PATTERN);
const SCHEDULE_TIME = anchored(SCHEDULE_TIME_PATTERN);

/**
 * Each of an array's date-times (those IsIsoDateTimeWithOffset takes; it names the others) is on a
 * whole second in the years 2000 to 2099: what a Temporal Schedule's calendar can hold.
 */
function IsScheduleTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isScheduleTime',
      validator: {
        validate: (value: unknown) =>
          !Array.isArray(value) || value.every((t) => typeof t !== 'string' || !DATE_TIME.test(t) || SCHEDULE_TIME.test(t)),
        defaultMessage: () => 'at must list times on whole seconds in the years 2000 to 2099',
      },
    },
    options,
  );
}

/** What every run of a schedule calls: a call with its retry fields, and a callback, as a task takes them. */
export class ScheduleTaskDto extends RetryingCallDto {
  @CallbackField()
  callback?: CallbackDto;
}

/** `POST /schedules`: a task to run on a timing (exactly one of cron, everyMs, at). */
@ApiOneOf('timing', SCHEDULE_TIMINGS)
export class CreateScheduleDto {
  @ApiProperty({
    type: ScheduleTaskDto,
    description: 'What every run calls, with its retry policy. Each run is a task under /tasks with this scheduleId.',
    example: { url: 'https://abc123.lambda-url.eu-central-1.on.aws/jobs/report', method: 'POST', body: { report: 'daily' }, retries: 3 },
  })
  @IsObject({ message: 'task must be an object: the call every run makes' })
  @ValidateNested()
  @Type(() => ScheduleTaskDto)
  task!: ScheduleTaskDto;

  @ApiPropertyOptional({
    description:
      '5-field cron (minute hour day-of-month month day-of-week, separated by spaces; names like MON and JAN allowed; ranges run forwards) or @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly; read in `timezone`. When both day fields are restricted, a day matching either runs.',
    example: '0 9 * * 1-5',
    maxLength: 200,
    pattern: `^${CRON_PATTERN}$`,
  })
  @Omittable()
  @IsString()
  @MaxChars(200)
  cron?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1000,
    maximum: YEAR_MS,
    multipleOf: 1000,
    description: 'Run every this many ms: whole seconds, at least 1000; aligned to the Unix epoch.',
    example: 30000,
  })
  @Omittable()
  @IsInt()
  @Min(1000)
  @Max(YEAR_MS)
  everyMs?: number;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: `^${SCHEDULE_TIME_PATTERN}$` },
    minItems: 1,
    maxItems: MAX_AT_TIMES,
    description: `Exact times to run (ISO 8601 with an offset, whole seconds, years 2000 to 2099, in the future), 1 to ${MAX_AT_TIMES}.`,
    example: ['2099-12-24T18:00:00+01:00', '2099-12-31T23:59:00+01:00'],
  })
  @Omittable()
  @IsArray()
  @ArrayMinSize(1, { message: `at must list 1 to ${MAX_AT_TIMES} times` })
  @ArrayMaxSize(MAX_AT_TIMES)
  @IsIsoDateTimeWithOffset({ each: true })
  @IsScheduleTime()
  at?: string[];

  @ApiPropertyOptional({
    enum: TIME_ZONES,
    enumName: 'TimeZone',
    description:
      'IANA time zone the cron is read in, spelt as IANA spells it (shown back as ICU canonically names it, e.g. Asia/Kolkata as Asia/Calcutta).',
    default: 'UTC',
    example: 'Europe/Berlin',
  })
  @Omittable()
  @IsString()
  timezone?: string;

  @ApiPropertyOptional({ description: 'No run before this time.', example: '2026-12-01T00:00:00Z', pattern: `^${DATE_TIME_PATTERN}$` })
  @Omittable()
  @IsIsoDateTimeWithOffset()
  startAt?: string;

  @ApiPropertyOptional({
    description: 'No run after this time; after startAt.',
    example: '2027-12-01T00:00:00Z',
    pattern: `^${DATE_TIME_PATTERN}$`,
  })
  @Omittable()
  @IsIsoDateTimeWithOffset()
  endAt?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: YEAR_MS,
    description: 'Delay each run by a random amount up to this many ms.',
    default: 0,
    example: 0,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(YEAR_MS)
  jitterMs?: number;

  @ApiPropertyOptional({
    enum: OVERLAP_POLICIES,
    default: 'skip',
    description: 'A run due while the previous one still runs: skip it, buffer one, or start it anyway.',
  })
  @Omittable()
  @IsIn(OVERLAP_POLICIES, { message: `overlap must be one of ${OVERLAP_POLICIES.join(', ')}` })
  overlap?: OverlapPolicy;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 10_000,
    maximum: YEAR_MS,
    description: 'After an outage, runs missed by at most this many ms are made up; older ones are dropped.',
    default: 60000,
    example: 60000,
  })
  @Omittable()
  @IsInt()
  @Min(10_000)
  @Max(YEAR_MS)
  catchupWindowMs?: number;

  @ApiPropertyOptional({ description: 'Create it paused.', default: false, example: false })
  @Omittable()
  @IsBoolean()
  paused?: boolean;

  @ApiPropertyOptional({ description: 'A label of your own; also the name of every run.', example: 'weekday report', maxLength: 200 })
  @Omittable()
  @IsString()
  @MaxChars(200)
  name?: string;

  @TagsField(
    'Your own labels (at most 10; key a-z 0-9 _ . -, up to 40; value up to 100 characters), given to each run too: lists of tasks filter by them (?tag=key:value).',
  )
  tags?: Tags;
}
