import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HTTP_METHODS, RETRY_ON, RUN_STATUSES, type HttpMethod, type RetryOn, type RunStatus } from '../../../../../common';
import {
  AttemptDto,
  CallResultDto,
  FlowControlResponseDto,
  LambdaInvocationResponseDto,
  SqsMessageResponseDto,
} from '../../calls/call.dto';
import { ApiClosedResponse, ANY_JSON } from '../../openapi/schema-decorators';
import { CallbackResponseDto, TAGS_RESPONSE } from '../../calls/run-extras.dto';

/** A task as lists show it (from Temporal visibility, no worker needed). */
@ApiClosedResponse()
export class TaskSummaryDto {
  @ApiProperty({ example: 'task-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a', description: 'Also the Temporal workflow id.' })
  id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'nightly report' })
  name!: string | null;
  @ApiProperty({ example: 'alice', description: "The user it belongs to (the creator's token sub)." })
  owner!: string;
  @ApiProperty({ enum: RUN_STATUSES, example: 'scheduled' })
  status!: RunStatus;
  @ApiPropertyOptional({
    example: 'https://abc123.lambda-url.eu-central-1.on.aws/jobs/report',
    description: 'The URL called (an HTTP call).',
  })
  url?: string;
  @ApiPropertyOptional({ enum: HTTP_METHODS, example: 'POST', description: 'The method (an HTTP call).' })
  method?: HttpMethod;
  @ApiPropertyOptional({
    example: 'arn:aws:lambda:eu-central-1:123456789012:function:report',
    description: 'The function invoked (a Lambda call; lists only).',
  })
  function?: string;
  @ApiPropertyOptional({
    example: 'https://sqs.eu-central-1.amazonaws.com/123456789012/orders',
    description: 'The queue sent to (an SQS call; lists only).',
  })
  queue?: string;
  @ApiProperty({ example: '2026-11-24T14:05:00.000Z', description: "When it is (or was) due; a schedule's run: its nominal time." })
  runAt!: string;
  @ApiProperty({ example: '2026-11-23T09:00:00.000Z' })
  createdAt!: string;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'The recurring schedule that started it.' })
  scheduleId!: string | null;
  @ApiProperty(TAGS_RESPONSE)
  tags!: Record<string, string>;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'When it ended (completed, failed or cancelled); null while open.',
  })
  finishedAt!: string | null;
}

/** The whole task: its request, retry policy, every attempt and the result. */
@ApiClosedResponse()
export class TaskResponseDto extends TaskSummaryDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'x-api-key': 'k-123' },
    description: 'An HTTP call only.',
  })
  headers?: Record<string, string>;
  @ApiPropertyOptional({ type: LambdaInvocationResponseDto, description: 'The invocation (a Lambda call), as given.' })
  lambda?: LambdaInvocationResponseDto;
  @ApiPropertyOptional({ type: SqsMessageResponseDto, description: 'The message (an SQS call), as given.' })
  sqs?: SqsMessageResponseDto;
  @ApiPropertyOptional({ type: FlowControlResponseDto, description: 'Its flow control, as given.' })
  flowControl?: FlowControlResponseDto;
  @ApiPropertyOptional({ ...ANY_JSON, description: 'The JSON body sent (an HTTP call only; absent when none).', example: { reportId: 42 } })
  body?: unknown;
  @ApiProperty({ type: 'integer', example: 10000 })
  timeoutMs!: number;
  @ApiProperty({ type: 'integer', example: 3 })
  retries!: number;
  @ApiProperty({ type: 'integer', example: 10000 })
  retryIntervalMs!: number;
  @ApiProperty({ type: 'number', example: 1 })
  retryBackoff!: number;
  @ApiProperty({ enum: RETRY_ON, example: 'any' })
  retryOn!: RetryOn;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'When the call started.' })
  startedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null })
  override finishedAt!: string | null;
  @ApiProperty({ type: [AttemptDto] })
  attempts!: AttemptDto[];
  @ApiProperty({ type: CallResultDto, nullable: true, description: "The last attempt's response, or null." })
  result!: CallResultDto | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why the task failed.' })
  error!: string | null;
  @ApiProperty({ type: CallbackResponseDto, nullable: true, description: 'Its callback and how it went; null when none.' })
  callback!: CallbackResponseDto | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'The task this one retries (POST /tasks/{id}/retry).' })
  retryOf!: string | null;
}

/** `GET /tasks`. */
@ApiClosedResponse()
export class TaskListDto {
  @ApiProperty({ type: [TaskSummaryDto] })
  items!: TaskSummaryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last.' })
  nextCursor!: string | null;
}
