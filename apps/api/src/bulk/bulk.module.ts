import { Module } from '@nestjs/common';
import { CreationQuota } from '../core/quotas';
import { OrchestrationsModule } from '../orchestrations/orchestrations.module';
import { RunsModule } from '../runs/runs.module';
import { TasksModule } from '../tasks/tasks.module';
import { BulkActions } from './bulk-actions';
import { BulkJobs } from './bulk-jobs';
import { BulkController } from './bulk.controller';
import { BulkWorker } from './bulk-worker';

@Module({
  imports: [RunsModule, TasksModule, OrchestrationsModule],
  controllers: [BulkController],
  providers: [BulkJobs, BulkActions, BulkWorker, CreationQuota],
})
export class BulkModule {}
