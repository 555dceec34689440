import { ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, ValidateIf, ValidateNested } from 'class-validator';
import { CallbackDto } from '../../calls/run-extras.dto';
import { ApiOneOf, ApiSchemaKeywords } from '../../openapi/schema-decorators';
import { CreateOrchestrationDto, OrchestrationCallDto, ORCHESTRATION_START } from './create-orchestration.dto';

/**
 * `PATCH /orchestrations/{id}`: while it is scheduled, a new start (runAt, or initialDelayMs from
 * now) and any part of the plan (name, steps, conditionCheck, fallback, tags, callback), each replacing the one it
 * has, validated as at create. Absent fields stay as they are.
 */
@ApiOneOf('start', [...ORCHESTRATION_START, { title: 'start unchanged', fields: [] }])
@ApiSchemaKeywords({ minProperties: 1 })
export class ModifyOrchestrationDto extends PartialType(OmitType(CreateOrchestrationDto, ['fallback', 'callback'] as const), {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({
    type: OrchestrationCallDto,
    nullable: true,
    description: 'The new fallback; null removes it.',
    example: { url: 'https://abc123.lambda-url.eu-central-1.on.aws/orders/42/undo', method: 'POST' },
  })
  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined && value !== null)
  @IsObject({ message: 'fallback must be an object (a call) or null' })
  @ValidateNested()
  @Type(() => OrchestrationCallDto)
  fallback?: OrchestrationCallDto | null;

  @ApiPropertyOptional({ type: CallbackDto, nullable: true, description: 'The new callback; null removes it.' })
  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined && value !== null)
  @IsObject({ message: 'callback must be an object (a call with its retry fields and on) or null' })
  @ValidateNested()
  @Type(() => CallbackDto)
  callback?: CallbackDto | null;
}
