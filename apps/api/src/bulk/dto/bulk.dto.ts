import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsObject, Matches, ValidateNested } from 'class-validator';
import {
  BULK_ACTION_STATUSES,
  BULK_ACTIONS,
  BULK_LIMITS,
  RUN_STATUSES,
  type BulkAction,
  type BulkJobStatus,
  type RunKind,
  type RunStatus,
} from '../../../../../common';
import { anchored, DATE_TIME_PATTERN, ORCHESTRATION_ID_PATTERN, SCHEDULE_ID_PATTERN, TASK_ID_PATTERN } from '../../core/patterns';
import { IsIsoDateTimeWithOffset, Omittable } from '../../core/validation';
import { ApiClosedResponse, ApiOneOf } from '../../openapi/schema-decorators';
import { OwnerQuery } from '../../runs/list-scope';
import { TagFilter } from '../../runs/list-runs.query';

const RUN_ID_PATTERN = `(?:${TASK_ID_PATTERN}|${ORCHESTRATION_ID_PATTERN})`;
/** Every status some action selects (which one may, the request's schema says by action). */
const BULK_STATUSES = [...new Set(Object.values(BULK_ACTION_STATUSES).flat())];

/** Which runs a bulk job acts on: every one that meets all the given fields. */
export class BulkFilterDto extends OwnerQuery {
  @ApiPropertyOptional({
    enum: BULK_STATUSES,
    description: 'cancel: `scheduled` (the default); retry: `failed` (the default) or `cancelled`.',
    example: 'failed',
  })
  @Omittable()
  @IsIn(BULK_STATUSES, { message: `status must be one of ${BULK_STATUSES.join(', ')}` })
  status?: RunStatus;

  @ApiPropertyOptional({ description: "Only this recurring schedule's runs (tasks).", pattern: `^${SCHEDULE_ID_PATTERN}$` })
  @Omittable()
  @Matches(anchored(SCHEDULE_ID_PATTERN), { message: 'scheduleId must be a schedule id (sched-<uuid>)' })
  scheduleId?: string;

  @TagFilter({ in: 'body' })
  tag?: string[];

  @ApiPropertyOptional({
    description: 'Only those created at or after this time.',
    pattern: `^${DATE_TIME_PATTERN}$`,
    example: '2026-12-06T18:00:00Z',
  })
  @Omittable()
  @IsIsoDateTimeWithOffset()
  createdAfter?: string;

  @ApiPropertyOptional({
    description: 'Only those created before this time (never later than the job itself).',
    pattern: `^${DATE_TIME_PATTERN}$`,
    example: '2026-12-07T09:00:00Z',
  })
  @Omittable()
  @IsIsoDateTimeWithOffset()
  createdBefore?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: `^${RUN_ID_PATTERN}$` },
    minItems: 1,
    maxItems: BULK_LIMITS.maxIds,
    uniqueItems: true,
    description: 'Only these runs (a selection of at least one), if they meet the other fields too.',
  })
  @Omittable()
  @IsArray({ message: 'ids must be an array of ids' })
  // An empty selection is refused: leaving the field out means every run that matches.
  @ArrayMinSize(1, { message: 'ids must name at least 1 run (leave it out for every run that matches)' })
  @ArrayMaxSize(BULK_LIMITS.maxIds, { message: `ids may name at most ${BULK_LIMITS.maxIds} runs` })
  @ArrayUnique({ message: 'ids must not repeat an id' })
  @Matches(anchored(RUN_ID_PATTERN), { each: true, message: 'each of ids must be a task or orchestration id' })
  ids?: string[];
}

/** `POST /tasks/bulk`, `POST /orchestrations/bulk`: the statuses `filter.status` may name depend on the action. */
@ApiOneOf(
  'action',
  BULK_ACTIONS.map((action) => ({
    title: action,
    fields: [],
    schema: {
      properties: { action: { const: action }, filter: { properties: { status: { enum: [...BULK_ACTION_STATUSES[action]] } } } },
    },
  })),
)
export class CreateBulkJobDto {
  @ApiProperty({ enum: BULK_ACTIONS, example: 'retry' })
  @IsIn(BULK_ACTIONS, { message: `action must be one of ${BULK_ACTIONS.join(', ')}` })
  action!: BulkAction;

  @ApiPropertyOptional({ type: BulkFilterDto, description: 'Which runs: every one of the caller that meets all the given fields.' })
  @Omittable()
  @IsObject({ message: 'filter must be an object' })
  @ValidateNested()
  @Type(() => BulkFilterDto)
  filter?: BulkFilterDto;

  @ApiPropertyOptional({ type: 'boolean', default: false, description: 'Only count the runs that match (200): no job, nothing acted on.' })
  @Omittable()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}

@ApiClosedResponse()
export class BulkFailureDto {
  @ApiProperty({ example: 'task-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a' })
  id!: string;
  @ApiProperty({ type: 'integer', example: 409, description: 'What the single-run call answered.' })
  statusCode!: number;
  @ApiProperty({ example: 'task is running; only a scheduled task can be changed or cancelled' })
  message!: string;
}

/** The filter as the job applies it (its status filled in). */
@ApiClosedResponse()
export class BulkFilterResponseDto {
  @ApiProperty({ enum: RUN_STATUSES })
  status!: RunStatus;
  @ApiPropertyOptional()
  scheduleId?: string;
  @ApiPropertyOptional({ type: [String] })
  tag?: string[];
  @ApiPropertyOptional()
  createdAfter?: string;
  @ApiPropertyOptional()
  createdBefore?: string;
  @ApiPropertyOptional()
  owner?: string;
  @ApiPropertyOptional({ type: [String] })
  ids?: string[];
}

/** A bulk job: `202` of its creation, and `GET /bulk/{id}`. */
@ApiClosedResponse()
export class BulkJobResponseDto {
  @ApiProperty({ example: 'bulk-7d0e4a1c-2b8f-4c6e-9a3d-5f1b2c3d4e5f' })
  id!: string;
  @ApiProperty({ enum: ['task', 'orchestration'] })
  kind!: RunKind;
  @ApiProperty({ enum: BULK_ACTIONS })
  action!: BulkAction;
  @ApiProperty({ type: BulkFilterResponseDto })
  filter!: BulkFilterResponseDto;
  @ApiProperty({
    enum: ['running', 'completed', 'stopped'],
    example: 'running',
    description: '`stopped`: ended from outside (an operator) before acting on every run.',
  })
  status!: BulkJobStatus;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Runs that matched when the job was created.', example: 1200 })
  matched!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Acted on as asked.', example: 800 })
  done!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Refused by the single-run rules (the first ones in failures).', example: 2 })
  failed!: number;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description:
      'Once completed: matched at creation, but no longer when the job reached them (e.g. a scheduled task that started meanwhile).',
    example: 0,
  })
  skipped!: number;
  @ApiProperty({ type: [BulkFailureDto], description: `The first ${BULK_LIMITS.keptFailures} refusals.` })
  failures!: BulkFailureDto[];
  @ApiProperty({ example: '2026-12-07T09:00:00.000Z' })
  createdAt!: string;
  @ApiProperty({ type: String, nullable: true, example: null })
  finishedAt!: string | null;
}

/** `dryRun`: how many runs the job would act on. */
@ApiClosedResponse()
export class BulkDryRunResponseDto {
  @ApiProperty({ enum: BULK_ACTIONS })
  action!: BulkAction;
  @ApiProperty({ type: BulkFilterResponseDto })
  filter!: BulkFilterResponseDto;
  @ApiProperty({ type: 'integer', minimum: 0, example: 1200 })
  matched!: number;
  @ApiProperty({ type: 'boolean', enum: [true] })
  dryRun!: true;
}
