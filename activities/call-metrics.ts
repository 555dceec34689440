import type { MetricMeter } from '@temporalio/common';

/** Where a call went. */
export type CallTarget = 'http' | 'lambda' | 'sqs';

/** How an attempt ended: succeeded; failed (a retry may follow); refused (no retry can help). */
export type AttemptOutcomeLabel = 'succeeded' | 'failed' | 'refused';

/**
 * The worker's own metrics, beside the SDK's on the same Prometheus endpoint. Instruments are
 * made once (each is a native object) and tagged per observation.
 */
export interface CallMetrics {
  /** An attempt ended. */
  attempt(target: CallTarget, outcome: AttemptOutcomeLabel, durationMs: number): void;
  /** A call's first attempt went out `latenessMs` after its due time. */
  fired(target: CallTarget, latenessMs: number): void;
  /** Calls held (dispatched early, waiting for their due time) changed by `delta`. */
  held(delta: 1 | -1): void;
}

/** Every metric name, for the README and for histogram bucket overrides. */
export const CALL_METRICS = {
  attempts: 'scheduler_call_attempts',
  attemptDuration: 'scheduler_call_attempt_duration',
  fireLateness: 'scheduler_fire_lateness',
  held: 'scheduler_calls_held',
} as const;

/** Buckets (ms) of the histograms: lateness from "on time" to "a minute behind". */
export const CALL_METRIC_BUCKETS: Readonly<Record<string, number[]>> = {
  [CALL_METRICS.fireLateness]: [1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000],
  [CALL_METRICS.attemptDuration]: [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000],
};

/** The call metrics on `meter` (the worker's runtime meter; a no-op meter in unit tests). */
export function createCallMetrics(meter: MetricMeter): CallMetrics {
  const attempts = meter.createCounter(
    CALL_METRICS.attempts,
    '1',
    'Call attempts by target (http, lambda, sqs) and outcome (succeeded, failed, refused).',
  );
  const duration = meter.createHistogram(CALL_METRICS.attemptDuration, 'int', 'ms', 'Duration of call attempts, by target.');
  const lateness = meter.createHistogram(
    CALL_METRICS.fireLateness,
    'int',
    'ms',
    "How late calls' first attempts went out after their due time, by target: how far behind the scheduler is.",
  );
  const heldGauge = meter.createGauge(CALL_METRICS.held, 'int', '1', 'Calls dispatched ahead of their due time and held until it.');
  let heldNow = 0;
  return {
    attempt: (target, outcome, durationMs) => {
      attempts.add(1, { target, outcome });
      duration.record(Math.max(0, Math.round(durationMs)), { target });
    },
    fired: (target, latenessMs) => lateness.record(Math.max(0, Math.round(latenessMs)), { target }),
    held: (delta) => heldGauge.set((heldNow += delta)),
  };
}
