import { join } from 'node:path';
import { NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { projectRoot } from '../../../../libs/runtime/paths';
import { UnavailableError } from '../core/errors';
import { DASHBOARD_CSP, DashboardAssets } from './dashboard-assets';

/** Where `npm run build` puts the dashboard (vite's outDir in apps/dashboard/vite.config.ts). */
export const DASHBOARD_BUILD_DIR = join(projectRoot(), 'dist', 'dashboard');

/**
 * The dashboard's build, read on first use rather than at start-up: the API runs without it
 * (its e2e tests never build it), and a build made after the API started is still found.
 */
export class DashboardBuild {
  private assets: DashboardAssets | null = null;

  constructor(
    private readonly dir: string = DASHBOARD_BUILD_DIR,
    /** The page's Content-Security-Policy (dashboardCsp). */
    private readonly csp: string = DASHBOARD_CSP,
  ) {}

  /** The page itself (index.html): every client-side route answers it, so a reload works. */
  page(req: Request, res: Response): void {
    this.loaded().send('/index.html', req, res);
  }

  /**
   * A file of the build (`/assets/...`).
   * @throws NotFoundException for a file the build does not have: never the page in its stead,
   *   which a browser would try to run as a script.
   */
  asset(path: string, req: Request, res: Response): void {
    const assets = this.loaded();
    if (!assets.has(path)) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `no dashboard file ${path}` });
    assets.send(path, req, res);
  }

  private loaded(): DashboardAssets {
    this.assets ??= DashboardAssets.load(this.dir, this.csp);
    if (!this.assets) throw new UnavailableError(`the dashboard is not built (no ${this.dir}/index.html): run npm run build`);
    return this.assets;
  }
}
