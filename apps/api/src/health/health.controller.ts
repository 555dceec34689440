import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Client } from '@temporalio/client';
import type { Response } from 'express';
import type { AppConfig } from '../../../../libs/runtime/config';
import { APP_CONFIG } from '../core/config.module';
import { Public } from '../auth/public.decorator';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';

class TemporalHealthDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status!: 'up' | 'down';
  @ApiProperty({ example: '127.0.0.1:7233' })
  address!: string;
  @ApiProperty({ example: 'default' })
  namespace!: string;
  @ApiProperty({ example: 4, description: 'Round trip of a GetSystemInfo call, in ms.' })
  latencyMs!: number;
  @ApiProperty({ required: false, example: undefined, description: 'Why Temporal is down.' })
  error?: string;
}

class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' })
  status!: 'ok' | 'degraded';
  @ApiProperty({ enum: ['up'], example: 'up' })
  api!: 'up';
  @ApiProperty({ type: TemporalHealthDto })
  temporal!: TemporalHealthDto;
}

const HEALTH_TIMEOUT_MS = 2_000;

@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'API and Temporal connectivity (200 when both are up, 503 otherwise)' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const started = Date.now();
    const temporal: TemporalHealthDto = {
      status: 'up',
      address: this.config.temporal.address,
      namespace: this.config.temporal.namespace,
      latencyMs: 0,
    };
    try {
      await this.client.withDeadline(started + HEALTH_TIMEOUT_MS, () => this.client.workflowService.getSystemInfo({}));
    } catch (err) {
      temporal.status = 'down';
      temporal.error = err instanceof Error ? err.message : String(err);
    }
    temporal.latencyMs = Date.now() - started;
    const healthy = temporal.status === 'up';
    res.status(healthy ? 200 : 503);
    return { status: healthy ? 'ok' : 'degraded', api: 'up', temporal };
  }
}
