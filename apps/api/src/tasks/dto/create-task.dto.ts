import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsIsoDateTimeWithOffset, NotTogetherWith } from '../../core/validation';
import { MAX_DELAY_MS, RetryingCallDto } from '../../calls/call.dto';

/** `POST /tasks`: one HTTP call, when to make it, and how to retry it. */
export class CreateTaskDto extends RetryingCallDto {
  @ApiPropertyOptional({
    description: 'When to call: ISO 8601 with an offset. Not with delayMs. A time in the past runs at once. Neither = now.',
    example: '2026-11-24T14:05:00Z',
  })
  @IsOptional()
  @IsIsoDateTimeWithOffset()
  @NotTogetherWith('delayMs')
  runAt?: string;

  @ApiPropertyOptional({ description: 'Call after this many ms. Not with runAt.', example: 90000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  delayMs?: number;

  @ApiPropertyOptional({ description: 'A label of your own.', example: 'nightly report' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}
