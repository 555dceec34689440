import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../../../../libs/runtime/config';
import { APP_CONFIG } from '../core/config.module';
import { WakeCalendar } from './wake-calendar';

/** The API process's one wake calendar: every task created or moved through it is planned against the others. */
@Global()
@Module({
  providers: [{ provide: WakeCalendar, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new WakeCalendar(config.dispatch) }],
  exports: [WakeCalendar],
})
export class DispatchModule {}
