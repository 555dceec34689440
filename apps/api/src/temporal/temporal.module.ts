import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { payloadDataConverter } from '../../../../libs/codec';
import type { AppConfig } from '../../../../libs/runtime/config';
import { APP_CONFIG } from '../core/config.module';

/** Injection token of the Temporal {@link Client}. */
export const TEMPORAL_CLIENT = Symbol('TEMPORAL_CLIENT');

/**
 * The Temporal client. The connection is lazy, so the API starts (and /health says why it is
 * degraded) even while Temporal is down. Everything it writes and reads goes through the
 * payload codec (createApiApp refuses to start without PAYLOAD_KEYS).
 */
@Global()
@Module({
  providers: [
    {
      provide: TEMPORAL_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new Client({
          connection: Connection.lazy({ address: config.temporal.address }),
          namespace: config.temporal.namespace,
          ...(config.payloadKeys ? { dataConverter: payloadDataConverter(config.payloadKeys) } : {}),
        }),
    },
  ],
  exports: [TEMPORAL_CLIENT],
})
export class TemporalModule implements OnApplicationShutdown {
  constructor(@Inject(TEMPORAL_CLIENT) private readonly client: Client) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.connection.close();
  }
}
