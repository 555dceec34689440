import { Logger } from '@nestjs/common';
import { createLogger } from '../../../libs/observability/logger';
import { installSdkRuntime } from '../../../libs/observability/sdk-runtime';
import { loadConfig } from '../../../libs/runtime/config';
import { createApiApp } from './app.setup';

/** API entry point. */
async function main(): Promise<void> {
  const config = loadConfig();
  // The API runs an activity worker of its own (bulk jobs): its SDK logs go through the API's logger.
  installSdkRuntime(createLogger('api', config.log));
  const app = await createApiApp(config);
  await app.listen(config.api.port, config.api.host);
  const logger = new Logger('api');
  logger.log(`listening on ${await app.getUrl()} (Swagger UI at /docs), Temporal at ${config.temporal.address}`);
  // Production allows no Lambda function or SQS queue until the operator says which.
  for (const [kind, variable] of [
    ['lambda', 'LAMBDA_ALLOW'],
    ['sqs', 'SQS_ALLOW'],
  ] as const) {
    if (config.targets[kind].length === 0)
      logger.log(`${variable} is not set: no ${kind === 'lambda' ? 'Lambda function' : 'SQS queue'} may be a call target`);
  }
}

main().catch((err: unknown) => {
  console.error('api: fatal', err);
  process.exitCode = 1;
});
