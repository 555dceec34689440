import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HTTP_METHODS, RETRY_ON, RUN_STATUSES, type RetryOn, type RunStatus } from '../../../../../common';
import { FlowControlResponseDto, LambdaInvocationResponseDto, SqsMessageResponseDto } from '../../calls/call.dto';
import { CallbackResponseDto, TAGS_RESPONSE } from '../../calls/run-extras.dto';
import { ApiClosedResponse, ANY_JSON } from '../../openapi/schema-decorators';
import { OVERLAP_POLICIES, type OverlapPolicy } from './create-schedule.dto';

/** A run of a schedule: a task. */
@ApiClosedResponse()
export class ScheduleRunDto {
  @ApiProperty({ example: 'task-sched-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a-2026-11-24T08:00:00Z', description: 'The task id.' })
  id!: string;
  @ApiProperty({ enum: RUN_STATUSES, example: 'completed' })
  status!: RunStatus;
  @ApiProperty({ example: '2026-11-24T08:00:00.000Z', description: 'Its nominal time.' })
  runAt!: string;
}

/** The call every run makes, as given. */
@ApiClosedResponse()
export class ScheduleTaskResponseDto {
  @ApiPropertyOptional({ example: 'https://abc123.lambda-url.eu-central-1.on.aws/jobs/report', description: 'An HTTP call only.' })
  url?: string;
  @ApiPropertyOptional({ enum: HTTP_METHODS, example: 'POST', description: 'An HTTP call only.' })
  method?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: {}, description: 'An HTTP call only.' })
  headers?: Record<string, string>;
  @ApiPropertyOptional({
    ...ANY_JSON,
    example: { report: 'daily' },
    description: 'The JSON body sent (an HTTP call only; absent when none).',
  })
  body?: unknown;
  @ApiPropertyOptional({ type: LambdaInvocationResponseDto, description: 'The invocation (a Lambda call), as given.' })
  lambda?: LambdaInvocationResponseDto;
  @ApiPropertyOptional({ type: SqsMessageResponseDto, description: 'The message (an SQS call), as given.' })
  sqs?: SqsMessageResponseDto;
  @ApiProperty({ type: 'integer', example: 10000 })
  timeoutMs!: number;
  @ApiPropertyOptional({ type: FlowControlResponseDto, description: 'Its flow control, as given.' })
  flowControl?: FlowControlResponseDto;
  @ApiProperty({ type: 'integer', example: 3 })
  retries!: number;
  @ApiProperty({ type: 'integer', example: 1000 })
  retryIntervalMs!: number;
  @ApiProperty({ type: 'number', example: 1 })
  retryBackoff!: number;
  @ApiProperty({ enum: RETRY_ON, example: 'any' })
  retryOn!: RetryOn;
  @ApiProperty({ type: CallbackResponseDto, nullable: true, description: "Each run's callback, as given (its status: waiting)." })
  callback!: CallbackResponseDto | null;
}

/** A schedule as lists show it. */
@ApiClosedResponse()
export class ScheduleSummaryDto {
  @ApiProperty({ example: 'sched-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a', description: 'Also the Temporal Schedule id.' })
  id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'weekday report' })
  name!: string | null;
  @ApiProperty({ example: 'alice', description: 'The user it belongs to.' })
  owner!: string;
  @ApiProperty({ enum: ['active', 'paused'], example: 'active' })
  state!: 'active' | 'paused';
  @ApiPropertyOptional({ example: '0 9 * * 1-5' })
  cron?: string;
  @ApiPropertyOptional({ type: 'integer', example: 30000 })
  everyMs?: number;
  @ApiPropertyOptional({ type: [String], example: ['2099-12-24T18:00:00+01:00'] })
  at?: string[];
  @ApiProperty({ example: 'Europe/Berlin' })
  timezone!: string;
  @ApiProperty({ type: [String], example: ['2026-11-24T08:00:00.000Z'], description: 'The next (up to 5) run times; empty while paused.' })
  nextRuns!: string[];
  @ApiProperty(TAGS_RESPONSE)
  tags!: Record<string, string>;
}

/** The whole schedule: its timing, policies, task, next and recent runs. */
@ApiClosedResponse()
export class ScheduleResponseDto extends ScheduleSummaryDto {
  @ApiProperty({ type: String, nullable: true, example: null })
  startAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null })
  endAt!: string | null;
  @ApiProperty({ type: 'integer', example: 0 })
  jitterMs!: number;
  @ApiProperty({ enum: OVERLAP_POLICIES, example: 'skip' })
  overlap!: OverlapPolicy;
  @ApiProperty({ type: 'integer', example: 60000 })
  catchupWindowMs!: number;
  @ApiProperty({ type: ScheduleTaskResponseDto })
  task!: ScheduleTaskResponseDto;
  @ApiProperty({ type: [ScheduleRunDto], description: 'The latest (up to 5) runs, newest first.' })
  recentRuns!: ScheduleRunDto[];
  @ApiProperty({ example: '2026-11-23T09:00:00.000Z' })
  createdAt!: string;
  @ApiProperty({ type: String, nullable: true, example: null })
  updatedAt!: string | null;
}

/** `GET /schedules`. */
@ApiClosedResponse()
export class ScheduleListDto {
  @ApiProperty({ type: [ScheduleSummaryDto] })
  items!: ScheduleSummaryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last.' })
  nextCursor!: string | null;
}

/** `DELETE /schedules/{id}`. */
@ApiClosedResponse()
export class ScheduleDeletedDto {
  @ApiProperty({ example: 'sched-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a' })
  id!: string;
  @ApiProperty({ type: 'boolean', enum: [true], example: true })
  deleted!: true;
}
