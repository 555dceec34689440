import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { RetryingCallDto } from '../../calls/call.dto';
import { IsIsoDateTimeWithOffset } from '../../core/validation';
import { MAX_AT_TIMES } from '../schedule-timing';

/** How a run that comes due while the previous one still runs is handled. */
export const OVERLAP_POLICIES = ['skip', 'bufferOne', 'allowAll'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

const YEAR_MS = 366 * 24 * 3_600_000;

/** What every run of a schedule calls: a call with its retry fields, as a task takes them. */
export class ScheduleTaskDto extends RetryingCallDto {}

/** `POST /schedules`: a task to run on a timing (exactly one of cron, everyMs, at). */
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
      '5-field cron (minute hour day-of-month month day-of-week; names like MON and JAN allowed) or @yearly, @monthly, @weekly, @daily, @hourly; read in `timezone`. When both day fields are restricted, a day matching either runs.',
    example: '0 9 * * 1-5',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cron?: string;

  @ApiPropertyOptional({ description: 'Run every this many ms: whole seconds, at least 1000; aligned to the Unix epoch.', example: 30000 })
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(YEAR_MS)
  everyMs?: number;

  @ApiPropertyOptional({
    type: [String],
    description: `Exact times to run (ISO 8601 with an offset, whole seconds, in the future), at most ${MAX_AT_TIMES}.`,
    example: ['2026-12-24T18:00:00+01:00', '2026-12-31T23:59:00+01:00'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_AT_TIMES)
  @IsIsoDateTimeWithOffset({ each: true })
  at?: string[];

  @ApiPropertyOptional({ description: 'IANA time zone the cron is read in.', default: 'UTC', example: 'Europe/Berlin' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  timezone?: string;

  @ApiPropertyOptional({ description: 'No run before this time.', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsIsoDateTimeWithOffset()
  startAt?: string;

  @ApiPropertyOptional({ description: 'No run after this time.', example: '2027-12-01T00:00:00Z' })
  @IsOptional()
  @IsIsoDateTimeWithOffset()
  endAt?: string;

  @ApiPropertyOptional({ description: 'Delay each run by a random amount up to this many ms.', default: 0, example: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(YEAR_MS)
  jitterMs?: number;

  @ApiPropertyOptional({
    enum: OVERLAP_POLICIES,
    default: 'skip',
    description: 'A run due while the previous one still runs: skip it, buffer one, or start it anyway.',
  })
  @IsOptional()
  @IsIn(OVERLAP_POLICIES, { message: `overlap must be one of ${OVERLAP_POLICIES.join(', ')}` })
  overlap?: OverlapPolicy;

  @ApiPropertyOptional({
    description: 'After an outage, runs missed by at most this many ms are made up; older ones are dropped (at least 10000).',
    default: 60000,
    example: 60000,
  })
  @IsOptional()
  @IsInt()
  @Min(10_000)
  @Max(YEAR_MS)
  catchupWindowMs?: number;

  @ApiPropertyOptional({ description: 'Create it paused.', default: false, example: false })
  @IsOptional()
  @IsBoolean()
  paused?: boolean;

  @ApiPropertyOptional({ description: 'A label of your own; also the name of every run.', example: 'weekday report' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}
