import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { RUN_STATUSES, type RunStatus } from '../../../../common';
import { OwnerQuery } from './list-scope';

/** Page size of a list that gives no limit. */
export const DEFAULT_PAGE_SIZE = 20;

/** Paging (and, for admins, whose resources) of every list endpoint. */
export class PageQuery extends OwnerQuery {
  @ApiPropertyOptional({ description: 'Page size (1 to 100).', default: DEFAULT_PAGE_SIZE, example: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

/** Query of the run list endpoints (`GET /tasks`, `GET /orchestrations`). */
export class ListRunsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: [...RUN_STATUSES, 'all'], default: 'all', example: 'scheduled' })
  @IsOptional()
  @IsIn([...RUN_STATUSES, 'all'], { message: `status must be one of ${[...RUN_STATUSES, 'all'].join(', ')}` })
  status?: RunStatus | 'all';
}

/** Query of `GET /tasks`: a list of runs, optionally of one recurring schedule. */
export class ListTasksQuery extends ListRunsQuery {
  @ApiPropertyOptional({ description: 'Only the runs of this recurring schedule.', example: 'sched-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  scheduleId?: string;
}
