import { Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import { sdkLogger } from './logger';

/**
 * Installs the Temporal SDK's runtime, once per process and before any native connection: its log
 * lines (and the core's, forwarded at warn and above) through the process's pino logger, and,
 * when given, a Prometheus endpoint with the SDK's metrics and the process's own, and a worker
 * heartbeat interval (workers only).
 */
export function installSdkRuntime(
  logger: Logger,
  metrics?: { bindAddress: string; histogramBucketOverrides: Record<string, number[]> },
  { workerHeartbeatInterval }: { workerHeartbeatInterval?: number } = {},
): void {
  Runtime.install({
    logger: sdkLogger(logger),
    ...(workerHeartbeatInterval !== undefined ? { workerHeartbeatInterval } : {}),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: 'WARN', other: 'WARN' } },
      ...(metrics ? { metrics: { prometheus: metrics } } : {}),
    },
  });
}
