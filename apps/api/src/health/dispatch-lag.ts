import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { SearchAttr } from '../../../../common';
import { TEMPORAL_CLIENT } from '../temporal/temporal.module';

/** How far behind the runs are: those past their due time and still not fired. */
export interface DispatchLag {
  /** Runs more than LAG_GRACE_MS past their due time, still scheduled (not woken, or their call not yet reported). */
  overdueRuns: number;
  /** How long ago the oldest of them was due (to the second); 0 when none is. */
  lagMs: number;
}

/**
 * A run is overdue once it is this late and still published as scheduled. A task whose call is
 * in flight in a local activity is published as scheduled until its call reports, so a call
 * that takes longer than this counts too.
 */
export const LAG_GRACE_MS = 10_000;

/** The longest lag measured (beyond it, "at least a day"). */
const LAG_MAX_MS = 24 * 3_600_000;

/** How long one measurement is reused: a readiness probe every second costs one measurement. */
const LAG_CACHE_MS = 2_000;

/**
 * Measures the dispatch lag from Temporal visibility (no worker involved): a count of the overdue
 * runs, and the oldest one's lag by a binary search over counts (SQL visibility cannot sort by
 * a custom attribute): about 15 count queries, once every LAG_CACHE_MS at most.
 */
@Injectable()
export class DispatchLagMeter {
  private cached: { at: number; lag: Promise<DispatchLag> } | null = null;

  constructor(@Inject(TEMPORAL_CLIENT) private readonly client: Client) {}

  /** The current lag (at most LAG_CACHE_MS old). */
  current(): Promise<DispatchLag> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > LAG_CACHE_MS) {
      const lag = this.measure(now);
      this.cached = { at: now, lag };
      lag.catch(() => (this.cached = null));
    }
    return this.cached.lag;
  }

  private async measure(now: number): Promise<DispatchLag> {
    const overdueSince = (ms: number) => this.count(now - ms);
    const overdueRuns = await overdueSince(LAG_GRACE_MS);
    if (overdueRuns === 0) return { overdueRuns, lagMs: 0 };
    // The largest lag (in seconds) with an overdue run: some run is due before now - low, none before now - high.
    let low = LAG_GRACE_MS / 1_000;
    let high = LAG_MAX_MS / 1_000;
    if ((await overdueSince(high * 1_000)) > 0) return { overdueRuns, lagMs: LAG_MAX_MS };
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if ((await overdueSince(mid * 1_000)) > 0) low = mid;
      else high = mid;
    }
    return { overdueRuns, lagMs: low * 1_000 };
  }

  /** Open runs still published as scheduled whose due time is before `before`. */
  private async count(before: number): Promise<number> {
    const query = [
      `${SearchAttr.status.name} = 'scheduled'`,
      `${SearchAttr.runAt.name} < '${new Date(before).toISOString()}'`,
      `ExecutionStatus = 'Running'`,
    ].join(' AND ');
    return (await this.client.workflow.count(query)).count;
  }
}
