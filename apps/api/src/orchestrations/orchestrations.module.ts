import { Module } from '@nestjs/common';
import { decodeWebhookSecret } from '../../../../activities/webhook-signature';
import type { AppConfig } from '../../../../libs/runtime/config';
import { APP_CONFIG } from '../core/config.module';
import { RunsModule } from '../runs/runs.module';
import { OrchestrationCreation } from './orchestration-creation';
import { OrchestrationsController } from './orchestrations.controller';
import { ResumeTokens } from './resume-tokens';

@Module({
  imports: [RunsModule],
  controllers: [OrchestrationsController],
  providers: [
    OrchestrationCreation,
    {
      provide: ResumeTokens,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new ResumeTokens(decodeWebhookSecret(config.http.webhookSecret ?? '')),
    },
  ],
  exports: [OrchestrationCreation],
})
export class OrchestrationsModule {}
