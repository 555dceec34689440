import { ApiProperty } from '@nestjs/swagger';
import { RUN_STATUSES, type RunStatus } from '../../../../common';

/** `GET /{kind}/{id}/status`. */
export class RunStatusDto {
  @ApiProperty({ example: 'task-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a' })
  id!: string;
  @ApiProperty({ enum: RUN_STATUSES, example: 'scheduled' })
  status!: RunStatus;
}

/** `POST /{kind}/{id}/cancel`. */
export class CancelledDto {
  @ApiProperty({ example: 'task-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a' })
  id!: string;
  @ApiProperty({ example: true })
  cancelled!: true;
  @ApiProperty({ enum: ['cancelled'], example: 'cancelled' })
  status!: 'cancelled';
}

/** `GET /{kind}/counts`: how many there are in each status. */
export class RunCountsDto {
  @ApiProperty({ example: 12 })
  all!: number;
  @ApiProperty({ example: 3 })
  scheduled!: number;
  @ApiProperty({ example: 1 })
  running!: number;
  @ApiProperty({ example: 6 })
  completed!: number;
  @ApiProperty({ example: 1 })
  failed!: number;
  @ApiProperty({ example: 1 })
  cancelled!: number;
}
