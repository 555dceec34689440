import { OmitType, PartialType } from '@nestjs/swagger';
import { CALL_CHANGE_TARGETS } from '../../calls/call.dto';
import { ApiOneOf, ApiSchemaKeywords } from '../../openapi/schema-decorators';
import { CreateTaskDto, TASK_TIMING } from './create-task.dto';

/**
 * `PATCH /tasks/{id}`: a new time (runAt or delayMs, from now) and/or new call or retry
 * fields for a task that is still scheduled. Absent fields stay as they are; none is null.
 */
@ApiOneOf('target', CALL_CHANGE_TARGETS)
@ApiOneOf('timing', TASK_TIMING)
@ApiSchemaKeywords({ minProperties: 1 })
export class ModifyTaskDto extends PartialType(OmitType(CreateTaskDto, ['name', 'tags', 'callback'] as const), {
  skipNullProperties: false,
}) {}
