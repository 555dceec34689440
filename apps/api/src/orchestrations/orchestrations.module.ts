import { Module } from '@nestjs/common';
import { WorkflowRunsModule } from '../workflow-runs/workflow-runs.module';
import { OrchestrationsController } from './orchestrations.controller';
import { OrchestrationsService } from './orchestrations.service';

@Module({ imports: [WorkflowRunsModule], controllers: [OrchestrationsController], providers: [OrchestrationsService] })
export class OrchestrationsModule {}
