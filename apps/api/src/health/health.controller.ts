import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Client } from '@temporalio/client';
import type { Response } from 'express';
import type { AppConfig } from '../../../../libs/runtime/config';
import { Public } from '../auth/public.decorator';
import { APP_CONFIG } from '../core/config.module';
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

class LiveDto {
  @ApiProperty({ enum: ['up'], example: 'up' })
  status!: 'up';
}

const HEALTH_TIMEOUT_MS = 2_000;

/** Liveness and readiness, for orchestrators and load balancers: public, like /metrics. */
@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The API process answers (200 while it runs; restart it otherwise)' })
  @ApiOkResponse({ type: LiveDto })
  live(): LiveDto {
    return { status: 'up' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Ready to serve: Temporal reachable (200), else 503' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    return this.check(res);
  }

  @Get()
  @ApiOperation({ summary: 'The same as /health/ready' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  health(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    return this.check(res);
  }

  private async check(res: Response): Promise<HealthDto> {
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
