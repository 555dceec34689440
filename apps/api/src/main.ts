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
  new Logger('api').log(`listening on ${await app.getUrl()} (Swagger UI at /docs), Temporal at ${config.temporal.address}`);
}

main().catch((err: unknown) => {
  console.error('api: fatal', err);
  process.exitCode = 1;
});
