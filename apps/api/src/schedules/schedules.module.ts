import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { SchedulesController } from './schedules.controller';
import { SchedulesRepository } from './schedules.repository';

@Module({ imports: [RunsModule], controllers: [SchedulesController], providers: [SchedulesRepository], exports: [SchedulesRepository] })
export class SchedulesModule {}
