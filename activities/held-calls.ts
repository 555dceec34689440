import type { ReleaseReason } from '../common';

/** How a hold ended: at the due time, or handed back without the call. */
export type HoldEnd = 'due' | ReleaseReason;

/**
 * A release that arrives before its call is held (the workflow's sink can run before the
 * activity task reaches this worker) is remembered this long, so the hold ends as soon as it begins.
 */
const EARLY_RELEASE_TTL_MS = 60_000;

/**
 * The calls this worker holds until their due time, by `workflowId/activityId`. A workflow
 * hands one back through a sink (a cancel or a modify while held); a shutdown hands back all of
 * them, so that none is made early and another worker (or this one, restarted) dispatches them again.
 * Everything here runs on the worker's one thread: a hold that reached its due time has left the
 * map before a release can look for it, so "released" and "made" never both happen.
 */
export class HeldCalls {
  private readonly holds = new Map<string, (end: HoldEnd) => void>();
  private readonly earlyReleases = new Map<string, number>();
  private closing = false;

  /** How many calls are held now. */
  get size(): number {
    return this.holds.size;
  }

  /**
   * Holds until `untilMs` (epoch ms, this worker's clock), unless released first.
   * @returns 'due' when the call should be made now; why it was handed back otherwise.
   */
  hold(key: string, untilMs: number): Promise<HoldEnd> {
    if (this.closing) return Promise.resolve('shutdown');
    if (this.takeEarlyRelease(key)) return Promise.resolve('requested');
    return new Promise<HoldEnd>((resolve) => {
      const timer = setTimeout(() => end('due'), Math.max(0, untilMs - Date.now()));
      const end = (how: HoldEnd) => {
        clearTimeout(timer);
        this.holds.delete(key);
        resolve(how);
      };
      this.holds.set(key, end);
    });
  }

  /**
   * Hands back the call held under `key`.
   * @returns true when it was held here (it will not be made); false when it is not held here
   *   (it has gone out, or it is held elsewhere, or not yet: then a hold that begins soon ends at once).
   */
  release(key: string): boolean {
    const end = this.holds.get(key);
    if (end) {
      end('requested');
      return true;
    }
    this.rememberEarlyRelease(key);
    return false;
  }

  /** Ends the hold under `key`, if any, without remembering a release (its activity was cancelled). */
  drop(key: string): void {
    this.holds.get(key)?.('requested');
  }

  /** Hands back every held call and any that would begin from now on: the worker shuts down. */
  releaseAll(): number {
    this.closing = true;
    const ends = [...this.holds.values()];
    for (const end of ends) end('shutdown');
    return ends.length;
  }

  private rememberEarlyRelease(key: string): void {
    const now = Date.now();
    for (const [k, expiry] of this.earlyReleases) if (expiry <= now) this.earlyReleases.delete(k);
    this.earlyReleases.set(key, now + EARLY_RELEASE_TTL_MS);
  }

  private takeEarlyRelease(key: string): boolean {
    const expiry = this.earlyReleases.get(key);
    this.earlyReleases.delete(key);
    return expiry !== undefined && expiry > Date.now();
  }
}

/** The key of a held call: its workflow and its activity. */
export function heldCallKey(workflowId: string, activityId: string): string {
  return `${workflowId}/${activityId}`;
}
