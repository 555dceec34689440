import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { OrchestrationsController } from './orchestrations.controller';

@Module({ imports: [RunsModule], controllers: [OrchestrationsController] })
export class OrchestrationsModule {}
