import { PickType } from '@nestjs/swagger';
import { CreateOrchestrationDto } from './create-orchestration.dto';

/** `PATCH /orchestrations/{id}`: a new start (runAt, or initialDelayMs from now) for an orchestration that is still scheduled. */
export class ModifyOrchestrationDto extends PickType(CreateOrchestrationDto, ['runAt', 'initialDelayMs'] as const) {}
