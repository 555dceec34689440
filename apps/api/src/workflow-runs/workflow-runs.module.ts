import { Module } from '@nestjs/common';
import { WorkflowRunsRepository } from './workflow-runs.repository';

@Module({ providers: [WorkflowRunsRepository], exports: [WorkflowRunsRepository] })
export class WorkflowRunsModule {}
