import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { TasksController } from './tasks.controller';

@Module({ imports: [RunsModule], controllers: [TasksController] })
export class TasksModule {}
