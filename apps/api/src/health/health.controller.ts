import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Client } from '@temporalio/client';
import type { Response } from 'express';
import type { AppConfig } from '../../../../libs/runtime/config';
import { Public } from '../auth/public.decorator';
import { APP_CONFIG } from '../core/config.module';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';
import { DispatchLagMeter, LAG_GRACE_MS } from './dispatch-lag';

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

class LagDto {
  @ApiProperty({ example: 0, description: `Runs more than ${LAG_GRACE_MS / 1_000} s past their due time and not fired yet.` })
  overdueRuns!: number;
  @ApiProperty({ example: 0, description: 'How long ago the oldest of them was due, in ms (to the second); 0 when none is.' })
  lagMs!: number;
}

class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' })
  status!: 'ok' | 'degraded';
  @ApiProperty({ enum: ['up'], example: 'up' })
  api!: 'up';
  @ApiProperty({ type: TemporalHealthDto })
  temporal!: TemporalHealthDto;
  @ApiProperty({
    type: LagDto,
    required: false,
    description:
      'How far behind the scheduler is (absent when Temporal is down). A lag does not make the API unready: it still accepts work, and nothing accepted is lost.',
  })
  lag?: LagDto;
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
    private readonly lagMeter: DispatchLagMeter,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The API process answers (200 while it runs; restart it otherwise)' })
  @ApiOkResponse({ type: LiveDto })
  live(): LiveDto {
    return { status: 'up' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Ready to serve: Temporal reachable (200), else 503; with how far behind the runs are' })
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
    const lag = healthy ? await this.lagMeter.current().catch(() => undefined) : undefined;
    return { status: healthy ? 'ok' : 'degraded', api: 'up', temporal, ...(lag ? { lag } : {}) };
  }
}
