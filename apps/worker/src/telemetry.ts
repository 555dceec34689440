import type { Logger } from 'pino';
import { CALL_METRIC_BUCKETS } from '../../../activities';
import { installSdkRuntime } from '../../../libs/observability/sdk-runtime';
import type { AppConfig } from '../../../libs/runtime/config';

/**
 * The worker's SDK runtime: logs through pino and, when configured, a Prometheus endpoint serving
 * the SDK's metrics and the product's (calls by outcome, fire lateness, held calls).
 */
export function installTelemetry(config: AppConfig, logger: Logger): void {
  const address = config.worker.metricsAddress;
  installSdkRuntime(
    logger,
    address ? { bindAddress: address, histogramBucketOverrides: { ...CALL_METRIC_BUCKETS } } : undefined,
    // Worker heartbeats tell the server (and, through ListWorkers, the other workers) that this
    // one is alive: how a dead worker's held calls are noticed in seconds (held-call-adopter.ts).
    { workerHeartbeatInterval: config.worker.heartbeatIntervalMs },
  );
}
