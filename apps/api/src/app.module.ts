import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../../../libs/runtime/config';
import { AuthModule } from './auth/auth.module';
import { BulkModule } from './bulk/bulk.module';
import { CodecModule } from './codec/codec.module';
import { ConfigModule } from './core/config.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DispatchModule } from './dispatch/dispatch.module';
import { FunctionsModule } from './functions/functions.module';
import { DispatchLagMeter } from './health/dispatch-lag';
import { HealthController } from './health/health.controller';
import { MeController } from './me/me.controller';
import { ApiMetrics } from './observability/api-metrics';
import { MetricsController } from './observability/metrics.controller';
import { OrchestrationsModule } from './orchestrations/orchestrations.module';
import { SchedulesModule } from './schedules/schedules.module';
import { TasksModule } from './tasks/tasks.module';
import { TemporalModule } from './temporal/temporal.module';

@Module({})
export class AppModule {
  /** The API; `config.auth` must be set (createApiApp checks). */
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.auth) throw new Error('AppModule needs an authentication mode (config.auth)');
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        AuthModule.forRoot(config.auth),
        TemporalModule,
        DispatchModule,
        TasksModule,
        OrchestrationsModule,
        SchedulesModule,
        FunctionsModule,
        BulkModule,
        DashboardModule,
        CodecModule,
      ],
      controllers: [HealthController, MeController, MetricsController],
      providers: [{ provide: ApiMetrics, useValue: new ApiMetrics() }, DispatchLagMeter],
    };
  }
}
