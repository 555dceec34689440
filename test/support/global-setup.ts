import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startDevServer, type RunningDevServer } from '../../libs/runtime/dev-server';
import { temporalBinary } from '../../libs/runtime/temporal-binaries';
import { buildWorkflowBundle } from '../../scripts/build-workflow-bundle';

declare global {
  var __TEMPORAL_DEV_SERVER__: RunningDevServer | undefined;
}

/**
 * Runs once per jest run: installs the Temporal binaries if needed, starts one dev server and
 * bundles the workflows once. Test files find them through environment variables.
 */
export default async function globalSetup(): Promise<void> {
  process.env.TEMPORAL_TEST_SERVER_PATH ??= temporalBinary('temporal-test-server');
  const bundlePath = join(mkdtempSync(join(tmpdir(), 'workflow-bundle-')), 'workflow-bundle.js');
  const [metricsPort, httpPort] = [await freePort(), await freePort()];
  const [server] = await Promise.all([startDevServer({ headless: true, metricsPort, httpPort }), buildWorkflowBundle(bundlePath)]);
  globalThis.__TEMPORAL_DEV_SERVER__ = server;
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_TEMPORAL_METRICS_URL = `http://127.0.0.1:${metricsPort}/metrics`;
  // Its HTTP API and metrics: endpoints of the system that calls must never reach (as npm start denies them).
  process.env.TEST_TEMPORAL_OWN_ENDPOINTS = `127.0.0.1:${httpPort},127.0.0.1:${metricsPort}`;
}
