import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateScheduleDto } from './create-schedule.dto';

/**
 * `PATCH /schedules/{id}`: the fields to change. A cron, everyMs or at replaces the timing (of
 * whichever kind it was); `task` replaces what later runs call; `startAt`/`endAt` null removes
 * them; `paused` pauses or resumes. Absent fields stay as they are. The name is fixed at creation.
 */
export class ModifyScheduleDto extends PartialType(OmitType(CreateScheduleDto, ['name'] as const)) {}
