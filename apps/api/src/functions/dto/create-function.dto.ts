import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
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
import { NotTogetherWith, Omittable } from '../../core/validation';
import { ApiOneOf } from '../../openapi/schema-decorators';
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
}
