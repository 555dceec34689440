import { Module } from '@nestjs/common';
import { DashboardBuild } from './dashboard-build';
import { DashboardController, DashboardPagesController } from './dashboard.controller';

/**
 * The web dashboard: the page and its files (built by `npm run build` into dist/dashboard) and
 * its two public endpoints. The dashboard itself only calls the API as its user.
 */
@Module({
  controllers: [DashboardController, DashboardPagesController],
  providers: [{ provide: DashboardBuild, useFactory: () => new DashboardBuild() }],
})
export class DashboardModule {}
