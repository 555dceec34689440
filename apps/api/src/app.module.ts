import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../../../libs/runtime/config';
import { ConfigModule } from './core/config.module';
import { HealthController } from './health/health.controller';
import { OrchestrationsModule } from './orchestrations/orchestrations.module';
import { SchedulesModule } from './schedules/schedules.module';
import { TasksModule } from './tasks/tasks.module';
import { TemporalModule } from './temporal/temporal.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), TemporalModule, TasksModule, OrchestrationsModule, SchedulesModule],
      controllers: [HealthController],
    };
  }
}
