import { START_LEAD_MS } from '../../../../common';

/** How the API spreads the wakes of tasks due at the same time. */
export interface WakePlanning {
  /** Wakes planned into any one second; more are moved a second earlier, and so on. */
  wakesPerSecond: number;
  /** The earliest a task wakes before its due time; its call is held on a worker meanwhile. */
  maxLeadMs: number;
}

/**
 * When each task wakes (its dispatch lead): as late as it can, START_LEAD_MS before it is due,
 * unless that second already has `wakesPerSecond` wakes planned; then a second earlier, and so
 * on, back to `maxLeadMs` before it is due (and never before now). So 1,000 tasks due at one
 * instant wake over the preceding 1,000 / wakesPerSecond seconds, each holding its call on a
 * worker until due, and only the calls themselves happen at the due time. A task that finds no
 * room wakes at the latest, like a lone one.
 *
 * The calendar lives in one API process and counts only what that process planned: with several
 * replicas, each spreads its own share (README, "Performance").
 */
export class WakeCalendar {
  private readonly planned = new Map<number, number>();
  private plannedSinceSweep = 0;

  constructor(private readonly planning: WakePlanning) {}

  /**
   * Plans the wake of a task due at `runAtMs`, created at `nowMs`.
   * @returns its dispatch lead: how long before `runAtMs` it wakes.
   */
  leadFor(runAtMs: number, nowMs: number): number {
    const latest = runAtMs - START_LEAD_MS;
    if (latest <= nowMs) return START_LEAD_MS;
    this.sweep(nowMs);
    const earliest = Math.max(nowMs, runAtMs - this.planning.maxLeadMs);
    for (let wake = latest; wake >= earliest; wake -= 1_000) {
      const second = Math.floor(wake / 1_000);
      const count = this.planned.get(second) ?? 0;
      if (count < this.planning.wakesPerSecond) {
        this.planned.set(second, count + 1);
        return runAtMs - wake;
      }
    }
    const second = Math.floor(latest / 1_000);
    this.planned.set(second, (this.planned.get(second) ?? 0) + 1);
    return START_LEAD_MS;
  }

  /** Wakes planned into the second that contains `atMs`. */
  plannedAt(atMs: number): number {
    return this.planned.get(Math.floor(atMs / 1_000)) ?? 0;
  }

  /** Forgets seconds that have passed (every 1,000 plans, so a plan stays O(1) on average). */
  private sweep(nowMs: number): void {
    if (++this.plannedSinceSweep < 1_000) return;
    this.plannedSinceSweep = 0;
    const current = Math.floor(nowMs / 1_000);
    for (const second of this.planned.keys()) if (second < current) this.planned.delete(second);
  }
}
