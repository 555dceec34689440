import { Module } from '@nestjs/common';
import type { AppConfig } from '../../../../libs/runtime/config';
import { APP_CONFIG } from '../core/config.module';
import { dashboardCsp } from './dashboard-assets';
import { DashboardBuild } from './dashboard-build';
import { DashboardController, DashboardPagesController, oidcOf } from './dashboard.controller';

/**
 * The web dashboard: the page and its files (built by `npm run build` into dist/dashboard) and
 * its two public endpoints. The dashboard itself only calls the API as its user.
 */
@Module({
  controllers: [DashboardController, DashboardPagesController],
  providers: [
    {
      provide: DashboardBuild,
      inject: [APP_CONFIG],
      // The sign-in through an identity provider fetches its discovery document and token endpoint.
      useFactory: (config: AppConfig) => {
        const oidc = oidcOf(config);
        return new DashboardBuild(undefined, dashboardCsp(oidc ? [new URL(oidc.issuer).origin] : []));
      },
    },
  ],
})
export class DashboardModule {}
