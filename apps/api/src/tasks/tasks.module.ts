import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { TaskCreation } from './task-creation';
import { TasksController } from './tasks.controller';

@Module({ imports: [RunsModule], controllers: [TasksController], providers: [TaskCreation], exports: [TaskCreation] })
export class TasksModule {}
