import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath, PickType } from '@nestjs/swagger';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import {
  CALL_ID_PATTERN,
  CALL_LIMITS,
  CONDITION_CHECK_DEFAULTS,
  JOIN_MODES,
  ORCHESTRATION_LIMITS,
  type JoinMode,
} from '../../../../../common';
import { anchored, DATE_TIME_PATTERN } from '../../core/patterns';
import { IsIsoDateTimeWithOffset, MaxChars, NotTogetherWith, Omittable } from '../../core/validation';
import { CallDto, MAX_DELAY_MS, RetryingCallDto } from '../../calls/call.dto';
import { CallbackDto, CallbackField, TagsField, type Tags } from '../../calls/run-extras.dto';
import { ApiOneOf, type OneOfAlternative } from '../../openapi/schema-decorators';

/** When an orchestration starts: at runAt, after initialDelayMs, or (neither) now. */
export const ORCHESTRATION_START: readonly OneOfAlternative[] = [
  { title: 'at runAt', fields: ['runAt'], required: ['runAt'] },
  { title: 'after initialDelayMs', fields: ['initialDelayMs'], required: ['initialDelayMs'] },
];

const STEP_EXAMPLE = {
  id: 'reserve',
  url: 'https://abc123.lambda-url.eu-central-1.on.aws/orders/reserve',
  method: 'POST',
  body: { orderId: 42 },
  retries: 2,
  retryIntervalMs: 5000,
};

const ID_DOC = {
  description:
    'Names the call, so that later calls can use its answer: `{{calls.<id>.status}}` or `{{calls.<id>.body.<path>}}` in their url, header values, body strings or Lambda payload strings. Unique in the orchestration.',
  example: 'reserve',
  pattern: `^${CALL_ID_PATTERN}$`,
  maxLength: 40,
};
const CALL_ID = anchored(CALL_ID_PATTERN);
/** A call's `id`: `[a-z][a-z0-9_]{0,39}`. */
function IsCallId(): PropertyDecorator {
  return Matches(CALL_ID, {
    message: ({ property }) => `${property} must be a lower-case letter followed by up to 39 lower-case letters, digits or _`,
  });
}

/** A call of an orchestration: a step, a call of a parallel branch, or the fallback; under its own retry policy. */
export class OrchestrationCallDto extends RetryingCallDto {
  @ApiPropertyOptional(ID_DOC)
  @Omittable()
  @IsString()
  @IsCallId()
  id?: string;
}

/** A parallel group: every branch (a sequence of calls) runs at the same time; the group is one step. */
export class ParallelStepDto {
  @ApiProperty({
    type: 'array',
    minItems: 1,
    maxItems: ORCHESTRATION_LIMITS.maxBranches,
    items: { type: 'array', minItems: 1, items: { $ref: getSchemaPath(OrchestrationCallDto) } },
    description: `The branches (1 to ${ORCHESTRATION_LIMITS.maxBranches}), each a sequence of 1 or more calls made in order; the branches run at the same time.`,
    example: [[{ url: 'https://api.example.com/stock/reserve', id: 'stock' }], [{ url: 'https://api.example.com/payment/hold' }]],
  })
  @Transform(({ value }: { value: unknown }) =>
    Array.isArray(value)
      ? value.map((branch: unknown) =>
          Array.isArray(branch) ? (branch as unknown[]).map((call) => asInstance(OrchestrationCallDto, call)) : branch,
        )
      : value,
  )
  @IsArray({ message: 'parallel must be an array of branches, each an array of calls' })
  @ArrayMinSize(1, { message: 'parallel must have at least 1 branch' })
  @ArrayMaxSize(ORCHESTRATION_LIMITS.maxBranches, { message: `parallel must have at most ${ORCHESTRATION_LIMITS.maxBranches} branches` })
  @EachBranchHasCalls()
  @ValidateNested({ each: true })
  parallel!: OrchestrationCallDto[][];

  @ApiPropertyOptional({
    enum: JOIN_MODES,
    default: 'all',
    description:
      'all: every branch must complete (one failed branch fails the group, the others are cancelled); any: the first branch to complete wins and the others are cancelled (their calls not yet made are never made).',
  })
  @Omittable()
  @IsIn(JOIN_MODES, { message: `join must be one of ${JOIN_MODES.join(', ')}` })
  join?: JoinMode;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: ORCHESTRATION_LIMITS.maxBranches,
    description: 'At most this many branches run at once (the others start as slots free up); default: all.',
    example: 2,
  })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(ORCHESTRATION_LIMITS.maxBranches)
  maxConcurrency?: number;
}

/** How long a `waitFor` step waits. */
export class WaitForDto {
  @ApiProperty({
    type: 'integer',
    minimum: ORCHESTRATION_LIMITS.minWaitMs,
    maximum: ORCHESTRATION_LIMITS.maxWaitMs,
    description: 'How long to wait to be resumed, in ms (1 s to 30 days); then the fallback runs and the orchestration fails.',
    example: 86400000,
  })
  @IsInt()
  @Min(ORCHESTRATION_LIMITS.minWaitMs)
  @Max(ORCHESTRATION_LIMITS.maxWaitMs)
  timeoutMs!: number;
}

/** A pause until the outside world resumes the orchestration (a POST to its resume URL, or its owner), or the wait times out. */
export class WaitStepDto {
  @ApiPropertyOptional({ ...ID_DOC, description: `${ID_DOC.description} A wait's answer is the JSON it was resumed with (status 200).` })
  @Omittable()
  @IsString()
  @IsCallId()
  id?: string;

  @ApiProperty({ type: WaitForDto })
  @IsObject({ message: 'waitFor must be an object: { timeoutMs }' })
  @ValidateNested()
  @Type(() => WaitForDto)
  waitFor!: WaitForDto;
}

/** One step as the request gives it, made the instance of its kind so that each kind validates its own fields. */
export type OrchestrationStepDto = OrchestrationCallDto | ParallelStepDto | WaitStepDto;

/** The DTO class of a step, by the field that marks its kind (`parallel`, `waitFor`, else a call). */
function stepInstance(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  if ('parallel' in value) return asInstance(ParallelStepDto, value);
  if ('waitFor' in value) return asInstance(WaitStepDto, value);
  return asInstance(OrchestrationCallDto, value);
}

function asInstance<T>(cls: new () => T, value: unknown): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? plainToInstance(cls, value) : value;
}

/** Every branch of a parallel group is a non-empty array of calls. */
function EachBranchHasCalls(): PropertyDecorator {
  return ValidateBy({
    name: 'eachBranchHasCalls',
    validator: {
      validate: (value: unknown) => !Array.isArray(value) || value.every((branch) => Array.isArray(branch) && branch.length > 0),
      defaultMessage: (args?: ValidationArguments) => {
        const branches = (args?.value ?? []) as unknown[];
        const bad = branches.findIndex((branch) => !Array.isArray(branch) || branch.length === 0);
        return `parallel[${bad}] must be an array of at least 1 call (a branch)`;
      },
    },
  });
}

/** The condition check: a call a 2xx answer of which says the step took effect, and when to call it. */
export class ConditionCheckDto extends CallDto {
  @ApiPropertyOptional({ ...ID_DOC, description: `${ID_DOC.description} Refers to the latest check's answer.` })
  @Omittable()
  @IsString()
  @IsCallId()
  id?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: CALL_LIMITS.maxRetryIntervalMs,
    description: 'Wait after each successful step before its first check, in ms.',
    default: CONDITION_CHECK_DEFAULTS.delayMs,
    example: 5000,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(CALL_LIMITS.maxRetryIntervalMs)
  delayMs?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: CALL_LIMITS.maxRetries,
    description: 'Re-checks after a failed check; a check fails on a non-2xx status, a timeout or a network error.',
    default: CONDITION_CHECK_DEFAULTS.retries,
    example: 3,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(CALL_LIMITS.maxRetries)
  retries?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: CALL_LIMITS.maxRetryIntervalMs,
    description: 'Wait after a failed check before the next one, in ms.',
    default: CONDITION_CHECK_DEFAULTS.retryIntervalMs,
    example: 2000,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(CALL_LIMITS.maxRetryIntervalMs)
  retryIntervalMs?: number;
}

/**
 * `POST /orchestrations`: steps made in order (a call, a parallel group of branches, or a wait for
 * the outside world), each confirmed by the condition check; a fallback if one fails.
 */
@ApiExtraModels(OrchestrationCallDto, ParallelStepDto, WaitStepDto)
@ApiOneOf('start', [...ORCHESTRATION_START, { title: 'now', fields: [] }])
export class CreateOrchestrationDto {
  @ApiProperty({
    type: 'array',
    minItems: 1,
    maxItems: ORCHESTRATION_LIMITS.maxSteps,
    items: {
      oneOf: [
        { $ref: getSchemaPath(OrchestrationCallDto), title: 'call' },
        { $ref: getSchemaPath(ParallelStepDto), title: 'parallel group' },
        { $ref: getSchemaPath(WaitStepDto), title: 'wait' },
      ],
    },
    description: `The steps, in order (1 to ${ORCHESTRATION_LIMITS.maxSteps}; ${ORCHESTRATION_LIMITS.maxCalls} calls in all, check and fallback included): a call under its own retry policy, a parallel group (\`parallel\`), or a wait (\`waitFor\`). The next one starts once the condition check after this one has passed (no check follows a wait).`,
    example: [
      STEP_EXAMPLE,
      { url: 'https://abc123.lambda-url.eu-central-1.on.aws/orders/{{calls.reserve.body.orderId}}/ship', method: 'POST' },
    ],
  })
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.map(stepInstance) : value))
  @IsArray({ message: 'steps must be an array of steps' })
  @ArrayMinSize(1, { message: 'steps must contain at least 1 step' })
  @ArrayMaxSize(ORCHESTRATION_LIMITS.maxSteps, { message: `steps must contain at most ${ORCHESTRATION_LIMITS.maxSteps} steps` })
  @ValidateNested({ each: true })
  steps!: OrchestrationStepDto[];

  @ApiProperty({
    type: ConditionCheckDto,
    description:
      'Called after each successful call step or parallel group until it answers 2xx: first after delayMs, then every retryIntervalMs, at most retries more times.',
    example: {
      url: 'https://abc123.lambda-url.eu-central-1.on.aws/orders/42/ready',
      method: 'GET',
      delayMs: 5000,
      retries: 3,
      retryIntervalMs: 2000,
    },
  })
  @IsObject({ message: 'conditionCheck must be an object: the HTTP call that confirms each step' })
  @ValidateNested()
  @Type(() => ConditionCheckDto)
  conditionCheck!: ConditionCheckDto;

  @ApiPropertyOptional({
    type: OrchestrationCallDto,
    description:
      'Called (under its own retry policy) when a step fails for good, its condition checks are exhausted or a wait times out; the orchestration then ends failed.',
    example: { url: 'https://abc123.lambda-url.eu-central-1.on.aws/orders/42/undo', method: 'POST', retries: 3, retryIntervalMs: 10000 },
  })
  @Omittable()
  @IsObject({ message: 'fallback must be an object: a call' })
  @ValidateNested()
  @Type(() => OrchestrationCallDto)
  fallback?: OrchestrationCallDto;

  @ApiPropertyOptional({
    description:
      'When the first step starts: ISO 8601 with an offset, years 1000 to 9998. Not with initialDelayMs. A time in the past starts at once. Neither = now.',
    example: '2026-11-24T14:05:00Z',
    pattern: `^${DATE_TIME_PATTERN}$`,
  })
  @Omittable()
  @IsIsoDateTimeWithOffset()
  @NotTogetherWith('initialDelayMs')
  runAt?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_DELAY_MS,
    description: 'Start the first step after this many ms. Not with runAt.',
    example: 90000,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  initialDelayMs?: number;

  @ApiPropertyOptional({ description: 'A label of your own.', example: 'order 42 fulfilment', maxLength: 200 })
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

/** `POST /orchestrations/{id}/retry`: from which step, and when (neither runAt nor initialDelayMs: now). */
@ApiOneOf('start', [...ORCHESTRATION_START, { title: 'now', fields: [] }])
export class RetryOrchestrationDto extends PickType(CreateOrchestrationDto, ['runAt', 'initialDelayMs'] as const) {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: ORCHESTRATION_LIMITS.maxSteps,
    description:
      "The 1-based step to start again from (default: the step that failed; 1 for a cancelled orchestration): one of the orchestration's steps (at most its stepCount), whose steps from it on refer to no call of the steps before it; else a 400.",
    example: 2,
  })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(ORCHESTRATION_LIMITS.maxSteps)
  fromStep?: number;
}
