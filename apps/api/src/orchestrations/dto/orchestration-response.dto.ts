import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CALL_STATUSES,
  FALLBACK_STATUSES,
  HTTP_METHODS,
  JOIN_MODES,
  ORCHESTRATION_FAILURE_REASONS,
  RETRY_ON,
  RUN_STATUSES,
  STEP_STATUSES,
  type CallStatus,
  type FallbackStatus,
  type HttpMethod,
  type JoinMode,
  type OrchestrationFailureReason,
  type RetryOn,
  type RunStatus,
  type StepStatus,
} from '../../../../../common';
import {
  AttemptDto,
  CallResultDto,
  FlowControlResponseDto,
  LambdaInvocationResponseDto,
  SqsMessageResponseDto,
} from '../../calls/call.dto';
import { ANY_JSON, ApiClosedResponse } from '../../openapi/schema-decorators';
import { CallbackResponseDto, TAGS_RESPONSE } from '../../calls/run-extras.dto';

/** An orchestration as lists show it (from Temporal visibility, no worker needed). */
@ApiClosedResponse()
export class OrchestrationSummaryDto {
  @ApiProperty({ example: 'orch-7d0e4a1c-2b8f-4c6e-9a3d-5f1b2c3d4e5f', description: 'Also the Temporal workflow id.' })
  id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'order 42 fulfilment', description: 'The label given on create.' })
  name!: string | null;
  @ApiProperty({ example: 'alice', description: "The user it belongs to (the creator's token sub)." })
  owner!: string;
  @ApiProperty({
    enum: RUN_STATUSES,
    example: 'scheduled',
    description: 'scheduled, running, waiting (in a waitFor step), completed, failed or cancelled.',
  })
  status!: RunStatus;
  @ApiProperty({ type: 'integer', minimum: 0, example: 3, description: 'Number of steps.' })
  stepCount!: number;
  @ApiProperty({ example: '2026-11-24T14:05:00.000Z', description: 'When the first step is (or was) due.' })
  runAt!: string;
  @ApiProperty({ example: '2026-11-23T09:00:00.000Z', description: 'When the orchestration was created.' })
  createdAt!: string;
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

/**
 * Where one call of an orchestration goes and what it sends, as given: an HTTP call's url, method,
 * headers (their values read "<redacted>" to anyone but the owner) and body; a Lambda call's
 * function; an SQS call's message; its timeout and flow control. Absent on a group or a wait.
 */
@ApiClosedResponse()
export class OrchestrationCallViewDto {
  @ApiPropertyOptional({
    example: 'https://abc123.lambda-url.eu-central-1.on.aws/orders/reserve',
    description: 'URL it calls (an HTTP call).',
  })
  url?: string;
  @ApiPropertyOptional({ enum: HTTP_METHODS, example: 'POST', description: 'HTTP method (an HTTP call).' })
  method?: HttpMethod;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'x-api-key': 'k-123' },
    description: 'Headers it sends (an HTTP call).',
  })
  headers?: Record<string, string>;
  @ApiPropertyOptional({ ...ANY_JSON, description: 'The JSON body it sends (an HTTP call; absent when none).', example: { orderId: 42 } })
  body?: unknown;
  @ApiPropertyOptional({ type: LambdaInvocationResponseDto, description: 'The function it invokes (a Lambda call).' })
  lambda?: LambdaInvocationResponseDto;
  @ApiPropertyOptional({ type: SqsMessageResponseDto, description: 'The message it sends (an SQS call).' })
  sqs?: SqsMessageResponseDto;
  @ApiPropertyOptional({ type: 'integer', example: 10000, description: 'Timeout of each attempt, in ms.' })
  timeoutMs?: number;
  @ApiPropertyOptional({ type: FlowControlResponseDto, description: 'Its flow control, as given.' })
  flowControl?: FlowControlResponseDto;
}

/** A call of an orchestration with its retries (a step's call, a branch's call, the fallback). */
@ApiClosedResponse()
export class RetryingOrchestrationCallViewDto extends OrchestrationCallViewDto {
  @ApiPropertyOptional({ type: 'integer', example: 3, description: 'Retries after a failed attempt.' })
  retries?: number;
  @ApiPropertyOptional({ type: 'integer', example: 10000, description: 'Wait before the first retry, in ms.' })
  retryIntervalMs?: number;
  @ApiPropertyOptional({ type: 'number', example: 1, description: 'Multiplier of the wait after each retry.' })
  retryBackoff?: number;
  @ApiPropertyOptional({ enum: RETRY_ON, example: 'any', description: 'Which failures are retried.' })
  retryOn?: RetryOn;
}

/** One call of a parallel branch, and how it went. */
@ApiClosedResponse()
export class BranchCallDto extends RetryingOrchestrationCallViewDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1, description: '1-based, in its branch.' })
  number!: number;
  @ApiPropertyOptional({ example: 'stock', description: 'The id later calls refer to it by.' })
  id?: string;
  @ApiProperty({
    enum: CALL_STATUSES,
    example: 'completed',
    description: 'pending, running, completed, failed, cancelled (cut off: its group no longer needed it) or skipped (never made).',
  })
  status!: CallStatus;
  @ApiProperty({ type: [AttemptDto] })
  attempts!: AttemptDto[];
  @ApiProperty({ type: CallResultDto, nullable: true })
  result!: CallResultDto | null;
}

/** One branch of a parallel group: its calls, in order. */
@ApiClosedResponse()
export class BranchDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1, description: '1-based, in its group.' })
  number!: number;
  @ApiProperty({ enum: CALL_STATUSES, example: 'completed' })
  status!: CallStatus;
  @ApiProperty({ type: [BranchCallDto] })
  calls!: BranchCallDto[];
}

/** How long a wait step waits. */
@ApiClosedResponse()
export class WaitForResponseDto {
  @ApiProperty({ type: 'integer', example: 86400000 })
  timeoutMs!: number;
}

/**
 * One step: a call (`kind: call`), a parallel group (`parallel`) or a wait (`wait`); its attempts,
 * and the condition check's tries after it.
 */
@ApiClosedResponse()
export class OrchestrationStepDto extends RetryingOrchestrationCallViewDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1, description: '1-based step number.' })
  number!: number;
  @ApiProperty({ enum: ['call', 'parallel', 'wait'], example: 'call', description: 'What the step is.' })
  kind!: 'call' | 'parallel' | 'wait';
  @ApiPropertyOptional({ example: 'reserve', description: 'The id later calls refer to it by (a call or a wait).' })
  id?: string;
  @ApiPropertyOptional({ enum: JOIN_MODES, example: 'all', description: 'A parallel group: how its branches join.' })
  join?: JoinMode;
  @ApiPropertyOptional({ type: 'integer', nullable: true, example: null, description: 'A parallel group: branches at once (null: all).' })
  maxConcurrency?: number | null;
  @ApiPropertyOptional({ type: [BranchDto], description: 'A parallel group: its branches.' })
  branches?: BranchDto[];
  @ApiPropertyOptional({ type: WaitForResponseDto, description: 'A wait: how long it waits.' })
  waitFor?: WaitForResponseDto;
  @ApiPropertyOptional({ type: String, nullable: true, example: null, description: 'A wait: when it began waiting.' })
  waitingSince?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: null, description: 'A wait: when it times out.' })
  expiresAt?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: null, description: 'A wait: when it was resumed.' })
  resumedAt?: string | null;
  @ApiProperty({
    enum: STEP_STATUSES,
    example: 'passed',
    description:
      'pending (not reached), running (its calls), checking (condition check), waiting (a wait), passed, failed, or skipped (after an earlier failure or a cancel).',
  })
  status!: StepStatus;
  @ApiProperty({ type: [AttemptDto], description: "Every attempt at the step's call (none for a group or a wait)." })
  attempts!: AttemptDto[];
  @ApiProperty({
    type: CallResultDto,
    nullable: true,
    description:
      "The response of the step's last attempt; a group joined by any: its winning branch's last response; a wait: the JSON it was resumed with (status 200); else null.",
  })
  result!: CallResultDto | null;
  @ApiProperty({ type: [AttemptDto], description: 'Every condition check try after this step, numbered 1..k (none after a wait).' })
  checkAttempts!: AttemptDto[];
  @ApiProperty({ type: CallResultDto, nullable: true, description: 'The response of the last condition check try, or null.' })
  checkResult!: CallResultDto | null;
}

/** A waiting orchestration: which step waits, the URL that resumes it, and when the wait times out. */
@ApiClosedResponse()
export class WaitingDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 2 })
  step!: number;
  @ApiProperty({
    example: 'https://scheduler.example.com/orchestrations/orch-7d0e4a1c-2b8f-4c6e-9a3d-5f1b2c3d4e5f/resume/AbC...',
    description:
      'POST JSON (up to 256 KB) here, with no bearer token, to resume it: 202, and the step completes with that JSON as its body; works once. Shown to the owner only.',
  })
  resumeUrl!: string;
  @ApiProperty({ example: '2026-11-25T14:05:00.000Z', description: 'When the wait times out (then the fallback runs).' })
  expiresAt!: string;
}

/** The condition check as configured. */
@ApiClosedResponse()
export class ConditionCheckResponseDto extends OrchestrationCallViewDto {
  @ApiPropertyOptional({ example: 'ready', description: "The id later calls refer to the latest check's answer by." })
  id?: string;
  @ApiProperty({ type: 'integer', example: 5000, description: 'Wait after each successful step before its first check, in ms.' })
  delayMs!: number;
  @ApiProperty({ type: 'integer', example: 3, description: 'Re-checks after a failed check.' })
  retries!: number;
  @ApiProperty({ type: 'integer', example: 2000, description: 'Wait after a failed check before the next one, in ms.' })
  retryIntervalMs!: number;
}

/** The fallback and its outcome. */
@ApiClosedResponse()
export class FallbackResponseDto extends RetryingOrchestrationCallViewDto {
  @ApiPropertyOptional({ example: 'undo', description: 'The id of the fallback.' })
  id?: string;
  @ApiProperty({
    enum: FALLBACK_STATUSES,
    example: 'not_run',
    description: 'not_run, running, completed (a 2xx) or failed (after its retries).',
  })
  status!: FallbackStatus;
  @ApiProperty({ type: [AttemptDto], description: "Every attempt at the fallback's call." })
  attempts!: AttemptDto[];
  @ApiProperty({ type: CallResultDto, nullable: true, description: "The response of the fallback's last attempt, or null." })
  result!: CallResultDto | null;
}

/** Why an orchestration failed. */
@ApiClosedResponse()
export class OrchestrationFailureDto {
  @ApiProperty({
    enum: ORCHESTRATION_FAILURE_REASONS,
    example: 'checks_exhausted',
    description:
      'step_failed: a step (or a parallel group) failed after its retries; checks_exhausted: the condition check never passed; wait_timed_out: a wait was not resumed in time.',
  })
  reason!: OrchestrationFailureReason;
  @ApiProperty({ type: 'integer', minimum: 1, example: 2, description: '1-based number of the step concerned.' })
  step!: number;
  @ApiProperty({ example: 'condition check after step 2 did not pass in 4 tries: HTTP 409', description: 'What went wrong, in words.' })
  message!: string;
}

/** The whole orchestration: every step with its attempts and checks, the fallback, and why it failed. */
@ApiClosedResponse()
export class OrchestrationResponseDto extends OrchestrationSummaryDto {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 1,
    description: 'The step being worked on (the last one reached once finished); null before the start.',
  })
  currentStep!: number | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'When the first step started.' })
  startedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'When it completed, failed or was cancelled.' })
  override finishedAt!: string | null;
  @ApiProperty({ type: [OrchestrationStepDto], description: 'The steps, in order.' })
  steps!: OrchestrationStepDto[];
  @ApiProperty({ type: ConditionCheckResponseDto, description: 'The condition check as configured.' })
  conditionCheck!: ConditionCheckResponseDto;
  @ApiProperty({ type: FallbackResponseDto, nullable: true, description: 'The fallback and its outcome; null when none was given.' })
  fallback!: FallbackResponseDto | null;
  @ApiProperty({ type: OrchestrationFailureDto, nullable: true, description: 'Why it failed; null unless failed.' })
  failure!: OrchestrationFailureDto | null;
  @ApiProperty({ type: WaitingDto, nullable: true, description: 'While it waits in a waitFor step: how to resume it; else null.' })
  waiting!: WaitingDto | null;
  @ApiProperty({ type: CallbackResponseDto, nullable: true, description: 'Its callback and how it went; null when none.' })
  callback!: CallbackResponseDto | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'The orchestration this one retries (POST /orchestrations/{id}/retry).',
  })
  retryOf!: string | null;
}

/** `POST /orchestrations/{id}/resume` and a resume URL. */
@ApiClosedResponse()
export class ResumedDto {
  @ApiProperty({ example: 'orch-7d0e4a1c-2b8f-4c6e-9a3d-5f1b2c3d4e5f' })
  id!: string;
  @ApiProperty({ type: 'boolean', enum: [true], example: true })
  resumed!: true;
  @ApiProperty({ type: 'integer', minimum: 1, example: 2, description: 'The wait step it resumed.' })
  step!: number;
}

/** `GET /orchestrations`. */
@ApiClosedResponse()
export class OrchestrationListDto {
  @ApiProperty({ type: [OrchestrationSummaryDto], description: 'One page of orchestrations.' })
  items!: OrchestrationSummaryDto[];
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Pass as ?cursor= for the next page; null on the last.' })
  nextCursor!: string | null;
}
