import { Module } from '@nestjs/common';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulesModule } from '../schedules/schedules.module';
import { TasksModule } from '../tasks/tasks.module';
import { FunctionsController } from './functions.controller';
import { FunctionsService, LAMBDA_CLIENT } from './functions.service';

/**
 * `POST /functions`. The Lambda client takes credentials, region and endpoint from the standard
 * chains (env, shared config, container or instance role; AWS_ENDPOINT_URL_LAMBDA); tests
 * override LAMBDA_CLIENT to point it elsewhere.
 */
@Module({
  imports: [TasksModule, SchedulesModule],
  controllers: [FunctionsController],
  providers: [FunctionsService, { provide: LAMBDA_CLIENT, useFactory: () => new LambdaClient({}) }],
})
export class FunctionsModule {}
