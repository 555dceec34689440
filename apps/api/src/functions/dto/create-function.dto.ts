import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Allow,
  IsBase64,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { JsonAtMost, NotTogetherWith, Omittable } from '../../core/validation';
import { ANY_JSON, ApiOneOf } from '../../openapi/schema-decorators';
import { CreateScheduleDto, SCHEDULE_TIMINGS, ScheduleTaskDto } from '../../schedules/dto/create-schedule.dto';
import { CreateTaskDto, TASK_TIMING } from '../../tasks/dto/create-task.dto';
import { LAMBDA_INVOCATION_TYPES, LAMBDA_PAYLOAD_LIMIT_BYTES, type LambdaInvocationType } from '../../../../../common';

/** The fields of a call's target: a task or schedule made with a function targets the function. */
const TARGET_FIELDS = ['url', 'method', 'headers', 'body', 'lambda', 'sqs'] as const;
import { handlerProblem, LAMBDA_RUNTIMES, SOURCE_RUNTIMES, type LambdaRuntime } from '../lambda-package';

/** Who may call a function's URL: no URL, IAM-signed callers (AWS_IAM), or anyone (NONE). */
export const FUNCTION_URL_MODES = ['none', 'iam', 'public'] as const;
export type FunctionUrlMode = (typeof FUNCTION_URL_MODES)[number];

/** Lambda's limits on memory (MB) and timeout (s). */
export const FUNCTION_LIMITS = { minMemoryMb: 128, maxMemoryMb: 10_240, minTimeoutS: 1, maxTimeoutS: 900 } as const;

const isRuntime = (value: unknown): value is LambdaRuntime => (LAMBDA_RUNTIMES as readonly unknown[]).includes(value);

/** A handler that the object's `runtime` can load (not checked while the runtime itself is bad). */
function IsHandlerForRuntime(options?: ValidationOptions): PropertyDecorator {
  const runtimeOf = (args?: ValidationArguments) => (args?.object as { runtime?: unknown } | undefined)?.runtime;
  return ValidateBy(
    {
      name: 'isHandlerForRuntime',
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          const runtime = runtimeOf(args);
          return !isRuntime(runtime) || (typeof value === 'string' && handlerProblem(runtime, value) === null);
        },
        defaultMessage: (args?: ValidationArguments) => {
          const runtime = runtimeOf(args);
          return isRuntime(runtime) ? (handlerProblem(runtime, String(args?.value)) ?? '') : 'handler must be a string';
        },
      },
    },
    options,
  );
}

/** An object with exactly one of the two code fields. */
function HasOneCodeForm(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasOneCodeForm',
      validator: {
        validate: (value: unknown) => {
          const code = (value ?? {}) as { zipBase64?: unknown; source?: unknown };
          return (code.zipBase64 === undefined) !== (code.source === undefined);
        },
        defaultMessage: () => 'code must have exactly one of zipBase64 and source',
      },
    },
    options,
  );
}

/** The function's code: a deployment package, or one source file that the API zips. */
@ApiOneOf('form', [
  { title: 'deployment package', fields: ['zipBase64'], required: ['zipBase64'] },
  { title: 'source file', fields: ['source'], required: ['source'] },
])
export class FunctionCodeDto {
  @ApiPropertyOptional({
    description: 'The deployment package, base64: a .zip (for java21 a .zip or .jar of compiled classes). At most 50 MB. Not with source.',
    example: 'UEsDBBQAAAAIAAAAISg3j2gYNQAAADwAAAAGAAAAYXBwLnB5...',
    format: 'byte',
  })
  @Omittable()
  @IsBase64(undefined, { message: 'zipBase64 must be base64' })
  @NotTogetherWith('source')
  zipBase64?: string;

  @ApiPropertyOptional({
    description:
      `${SOURCE_RUNTIMES.join(' and ')} only: the source of a single file, zipped as the handler's module ` +
      '(handler app.handler: app.py; app.mjs, or app.js when the source is CommonJS). Not with zipBase64.',
    example: 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n',
    minLength: 1,
  })
  @Omittable()
  @IsString()
  @MinLength(1)
  source?: string;
}

/** The fields of a Lambda invocation besides the function, for a task or a schedule made with the function. */
class InvocationFieldsDto {
  @ApiPropertyOptional({
    ...ANY_JSON,
    description: 'The event the function receives (at most 262,144 bytes as JSON).',
    example: { reportId: 42 },
  })
  @Allow()
  @JsonAtMost(LAMBDA_PAYLOAD_LIMIT_BYTES)
  payload?: unknown;

  @ApiPropertyOptional({ enum: LAMBDA_INVOCATION_TYPES, default: 'RequestResponse' })
  @Omittable()
  @IsIn(LAMBDA_INVOCATION_TYPES, { message: `invocationType must be one of ${LAMBDA_INVOCATION_TYPES.join(', ')}` })
  invocationType?: LambdaInvocationType;
}

/** A task to create with the function: the task fields but the target, which is the new function. */
@ApiOneOf('timing', TASK_TIMING)
export class FunctionTaskDto extends IntersectionType(OmitType(CreateTaskDto, [...TARGET_FIELDS]), InvocationFieldsDto) {}

/** A schedule's task, made with the function: its fields but the target. */
export class FunctionScheduleTaskDto extends IntersectionType(OmitType(ScheduleTaskDto, [...TARGET_FIELDS]), InvocationFieldsDto) {}

/** A schedule to create with the function: the schedule fields, its task without the target. */
@ApiOneOf('timing', SCHEDULE_TIMINGS)
export class FunctionScheduleDto extends OmitType(CreateScheduleDto, ['task'] as const) {
  @ApiPropertyOptional({ type: FunctionScheduleTaskDto, description: "What each run passes the function, and the runs' retry fields." })
  @Omittable()
  @IsObject({ message: 'schedule.task must be an object' })
  @ValidateNested()
  @Type(() => FunctionScheduleTaskDto)
  task?: FunctionScheduleTaskDto;
}

/** `POST /functions`: a Lambda function to deploy from code, and who may call its URL. */
export class CreateFunctionDto {
  @ApiProperty({
    description: 'Function name: 1 to 64 letters, digits, hyphens or underscores.',
    example: 'order-report',
    pattern: '^[a-zA-Z0-9_-]{1,64}$',
  })
  @Matches(/^[a-zA-Z0-9_-]{1,64}$/, { message: 'name must be 1 to 64 letters, digits, hyphens or underscores' })
  name!: string;

  @ApiProperty({ enum: LAMBDA_RUNTIMES, description: 'Runtime of the function.', example: 'python3.12' })
  @IsIn(LAMBDA_RUNTIMES, { message: `runtime must be one of ${LAMBDA_RUNTIMES.join(', ')}` })
  runtime!: LambdaRuntime;

  @ApiProperty({
    description:
      'What the runtime calls: nodejs20.x `file.export` (src/app.handler), python3.12 `module.function` (app.handler), ' +
      'java21 `package.Class::method`. At most 128 characters.',
    example: 'app.handler',
    maxLength: 128,
  })
  @IsString()
  @IsHandlerForRuntime()
  handler!: string;

  @ApiProperty({
    type: FunctionCodeDto,
    description: 'The code: zipBase64, or (nodejs20.x, python3.12) source.',
    example: { source: 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n' },
  })
  @IsObject({ message: 'code must be an object: { zipBase64 } or { source }' })
  @HasOneCodeForm()
  @ValidateNested()
  @Type(() => FunctionCodeDto)
  code!: FunctionCodeDto;

  @ApiProperty({
    description: 'The execution role the function runs as; Lambda must be allowed to assume it.',
    example: 'arn:aws:iam::123456789012:role/lambda-exec',
    pattern: '^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/?[A-Za-z0-9_+=,.@/-]+$',
  })
  @Matches(/^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role\/?[A-Za-z0-9_+=,.@/-]+$/, {
    message: 'roleArn must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/lambda-exec',
  })
  roleArn!: string;

  @ApiPropertyOptional({
    description: `Memory in MB (${FUNCTION_LIMITS.minMemoryMb} to ${FUNCTION_LIMITS.maxMemoryMb}); Lambda's default is 128.`,
    example: 256,
    type: 'integer',
    minimum: FUNCTION_LIMITS.minMemoryMb,
    maximum: FUNCTION_LIMITS.maxMemoryMb,
  })
  @Omittable()
  @IsInt()
  @Min(FUNCTION_LIMITS.minMemoryMb)
  @Max(FUNCTION_LIMITS.maxMemoryMb)
  memoryMb?: number;

  @ApiPropertyOptional({
    description: `Time limit of one invocation in seconds (${FUNCTION_LIMITS.minTimeoutS} to ${FUNCTION_LIMITS.maxTimeoutS}); Lambda's default is 3.`,
    example: 30,
    type: 'integer',
    minimum: FUNCTION_LIMITS.minTimeoutS,
    maximum: FUNCTION_LIMITS.maxTimeoutS,
  })
  @Omittable()
  @IsInt()
  @Min(FUNCTION_LIMITS.minTimeoutS)
  @Max(FUNCTION_LIMITS.maxTimeoutS)
  timeoutS?: number;

  @ApiPropertyOptional({
    enum: FUNCTION_URL_MODES,
    default: 'none',
    description: 'A function URL: none; iam (callers sign with SigV4, AuthType AWS_IAM); public (anyone, AuthType NONE).',
    example: 'public',
  })
  @Omittable()
  @IsIn(FUNCTION_URL_MODES, { message: `functionUrl must be one of ${FUNCTION_URL_MODES.join(', ')}` })
  functionUrl?: FunctionUrlMode;

  @ApiPropertyOptional({
    type: FunctionTaskDto,
    description:
      'Also create a task that invokes the new function: the task fields but the target (a payload and invocationType may be given). Not with schedule.',
    example: { delayMs: 60000, payload: { reportId: 42 }, retries: 2 },
  })
  @Omittable()
  @IsObject({ message: 'task must be an object: the task fields but the target' })
  @ValidateNested()
  @Type(() => FunctionTaskDto)
  @NotTogetherWith('schedule')
  task?: FunctionTaskDto;

  @ApiPropertyOptional({
    type: FunctionScheduleDto,
    description:
      'Also create a schedule whose runs invoke the new function: the schedule fields, its task without the target. Not with task.',
    example: { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', task: { payload: { report: 'daily' }, retries: 3 } },
  })
  @Omittable()
  @IsObject({ message: 'schedule must be an object: the schedule fields, its task without the target' })
  @ValidateNested()
  @Type(() => FunctionScheduleDto)
  schedule?: FunctionScheduleDto;
}
