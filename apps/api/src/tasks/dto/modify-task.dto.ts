import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateTaskDto } from './create-task.dto';

/**
 * `PATCH /tasks/{id}`: a new time (runAt or delayMs, from now) and/or new call or retry
 * fields for a task that is still scheduled. Absent fields stay as they are.
 */
export class ModifyTaskDto extends PartialType(OmitType(CreateTaskDto, ['name'] as const)) {}
