import { Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import { CALL_METRIC_BUCKETS } from '../../../activities';
import { sdkLogger } from '../../../libs/observability/logger';
import type { AppConfig } from '../../../libs/runtime/config';

/**
 * Installs the SDK's runtime, once per process and before any connection: its log lines (and
 * the core's, forwarded at warn and above) through pino, and, when configured, a Prometheus
 * endpoint serving the SDK's metrics and the product's (calls by outcome, fire lateness, held calls).
 */
export function installTelemetry(config: AppConfig, logger: Logger): void {
  const address = config.worker.metricsAddress;
  Runtime.install({
    logger: sdkLogger(logger),
    // Worker heartbeats tell the server (and, through ListWorkers, the other workers) that this
    // one is alive: how a dead worker's held calls are noticed in seconds (held-call-adopter.ts).
    workerHeartbeatInterval: config.worker.heartbeatIntervalMs,
    telemetryOptions: {
      logging: { forward: {}, filter: { core: 'WARN', other: 'WARN' } },
      ...(address ? { metrics: { prometheus: { bindAddress: address, histogramBucketOverrides: { ...CALL_METRIC_BUCKETS } } } } : {}),
    },
  });
}
