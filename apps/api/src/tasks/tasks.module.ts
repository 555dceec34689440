import { Module } from '@nestjs/common';
import { WorkflowRunsModule } from '../workflow-runs/workflow-runs.module';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

@Module({ imports: [WorkflowRunsModule], controllers: [TasksController], providers: [TasksService] })
export class TasksModule {}
