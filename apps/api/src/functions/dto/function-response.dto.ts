import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LAMBDA_RUNTIMES, type LambdaRuntime } from '../lambda-package';
import { ApiClosedResponse } from '../../openapi/schema-decorators';

/** A deployed function, as Lambda reports it once it is Active. */
@ApiClosedResponse()
export class FunctionResponseDto {
  @ApiProperty({ example: 'order-report' })
  name!: string;
  @ApiProperty({ example: 'arn:aws:lambda:eu-central-1:123456789012:function:order-report', description: 'What tasks invoke.' })
  arn!: string;
  @ApiProperty({ enum: LAMBDA_RUNTIMES, example: 'python3.12' })
  runtime!: LambdaRuntime;
  @ApiProperty({ example: 'app.handler' })
  handler!: string;
  @ApiProperty({ example: 'Active', description: "Lambda's state of the function: Active once it can be invoked." })
  state!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'https://abc123.lambda-url.eu-central-1.on.aws/',
    description: 'The function URL; null when functionUrl was none.',
  })
  functionUrl!: string | null;
  @ApiPropertyOptional({ example: '$LATEST', description: 'The version Lambda created.' })
  version?: string;
  @ApiPropertyOptional({ example: 'task-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a', description: 'The task made with it (with task).' })
  taskId?: string;
  @ApiPropertyOptional({ example: 'sched-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a', description: 'The schedule made with it (with schedule).' })
  scheduleId?: string;
}
