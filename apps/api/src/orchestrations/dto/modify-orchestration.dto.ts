import { PickType } from '@nestjs/swagger';
import { ApiOneOf } from '../../openapi/schema-decorators';
import { CreateOrchestrationDto, ORCHESTRATION_START } from './create-orchestration.dto';

/** `PATCH /orchestrations/{id}`: a new start (runAt, or initialDelayMs from now) for an orchestration that is still scheduled. */
@ApiOneOf('start', ORCHESTRATION_START)
export class ModifyOrchestrationDto extends PickType(CreateOrchestrationDto, ['runAt', 'initialDelayMs'] as const) {}
