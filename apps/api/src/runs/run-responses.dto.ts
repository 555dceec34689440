import { ApiProperty } from '@nestjs/swagger';
import { RUN_STATUSES, type RunStatus } from '../../../../common';
import { ApiClosedResponse } from '../openapi/schema-decorators';

/** `GET /{kind}/{id}/status`. */
@ApiClosedResponse()
export class RunStatusDto {
  @ApiProperty({ example: 'task-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a' })
  id!: string;
  @ApiProperty({ enum: RUN_STATUSES, example: 'scheduled' })
  status!: RunStatus;
}

/** `POST /{kind}/{id}/cancel`. */
@ApiClosedResponse()
export class CancelledDto {
  @ApiProperty({ example: 'task-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a' })
  id!: string;
  @ApiProperty({ type: 'boolean', enum: [true], example: true })
  cancelled!: true;
  @ApiProperty({ enum: ['cancelled'], example: 'cancelled' })
  status!: 'cancelled';
}

/** `GET /{kind}/counts`: how many there are in each status. */
@ApiClosedResponse()
export class RunCountsDto {
  @ApiProperty({ type: 'integer', minimum: 0, example: 12 })
  all!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 3 })
  scheduled!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 1 })
  running!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 6 })
  completed!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 1 })
  failed!: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 1 })
  cancelled!: number;
}

/** `GET /orchestrations/counts`: an orchestration may also be waiting (in a `waitFor` step). */
@ApiClosedResponse()
export class OrchestrationCountsDto extends RunCountsDto {
  @ApiProperty({ type: 'integer', minimum: 0, example: 1 })
  waiting!: number;
}
