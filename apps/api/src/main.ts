import { Logger } from '@nestjs/common';
import { loadConfig } from '../../../libs/runtime/config';
import { createApiApp } from './app.setup';

/** API entry point. */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.api.port, config.api.host);
  new Logger('api').log(`listening on ${await app.getUrl()} (Swagger UI at /docs), Temporal at ${config.temporal.address}`);
}

main().catch((err: unknown) => {
  console.error('api: fatal', err);
  process.exitCode = 1;
});
