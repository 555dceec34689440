import type { ReleaseReason } from '../common';

/**
 * How a hold ended: at the due time, handed back without the call, or superseded by a later
 * attempt of the same activity on this worker (the server timed the earlier one out and dispatched
 * it again while it still held; its result no longer counts, and it must not make the call).
 */
export type HoldEnd = 'due' | ReleaseReason | 'superseded';

/**
 * A release that arrives before its call is held (the workflow's sink can run before the
 * activity task reaches this worker) is remembered this long, so the hold ends as soon as it begins.
 */
const EARLY_RELEASE_TTL_MS = 60_000;

/**
 * Calls due at the same instant are let go this many at a time, with the event loop free for
 * I/O in between: started all in one go, 1,000 calls spent ~0.6 s of CPU setting up requests
 * before the first connection could even open, so the first one arrived 0.6 s late.
 */
export const RELEASE_CHUNK = 32;

/** How often calls due while this worker's lease has lapsed are looked at again. */
const LEASE_RECHECK_MS = 100;

interface Hold {
  end: (how: HoldEnd) => void;
  /** What hold() returned for it: drop() ends only the hold its caller began. */
  ended: Promise<HoldEnd>;
  dueMs: number;
  handBackOnShutdown: boolean;
}

/**
 * The calls this worker holds until their due time, by `workflowId/activityId`. A workflow
 * hands one back through a sink (a cancel or a modify while held); a shutdown hands back all of
 * them, so that none is made early and another worker (or this one, restarted) dispatches them again.
 * Everything here runs on the worker's one thread: a hold that reached its due time has left the
 * map before a release can look for it, so "released" and "made" never both happen.
 */
export class HeldCalls {
  /**
   * @param mayMakeHeldCalls whether this worker may make held calls now (its lease: see
   *   apps/worker/src/peer-liveness.ts); while it may not, held calls that come due wait, and
   *   their holds can still be handed back. Short holds of local activities are not affected.
   */
  constructor(private readonly mayMakeHeldCalls: () => boolean = () => true) {}

  private readonly holds = new Map<string, Hold>();
  /** One timer per distinct due time; the keys due then, in the order they began to hold; who waits for them all to go. */
  private readonly dueAt = new Map<number, { timer: NodeJS.Timeout; keys: Set<string>; drained: Array<() => void> }>();
  private readonly earlyReleases = new Map<string, number>();
  private closing = false;

  /** How many calls are held now. */
  get size(): number {
    return this.holds.size;
  }

  /** The workflows with a call held here until due (regular activities' holds, not local ones'). */
  heldWorkflows(): Set<string> {
    const ids = new Set<string>();
    for (const [key, hold] of this.holds) if (hold.handBackOnShutdown) ids.add(key.slice(0, key.lastIndexOf('/')));
    return ids;
  }

  /**
   * Holds until `untilMs` (epoch ms, this worker's clock), unless released first; a shutdown
   * hands it back unless `handBackOnShutdown` is false (a short hold the worker drains).
   * @returns 'due' when the call should be made now; why it was handed back otherwise.
   */
  hold(key: string, untilMs: number, { handBackOnShutdown = true }: { handBackOnShutdown?: boolean } = {}): Promise<HoldEnd> {
    if (this.closing && handBackOnShutdown) return Promise.resolve('shutdown');
    if (this.takeEarlyRelease(key)) return Promise.resolve('requested');
    this.end(key, 'superseded');
    let end!: (how: HoldEnd) => void;
    const ended = new Promise<HoldEnd>((resolve) => (end = resolve));
    const dueMs = Math.max(Date.now(), Math.floor(untilMs));
    this.holds.set(key, { end, ended, dueMs, handBackOnShutdown });
    let group = this.dueAt.get(dueMs);
    if (!group) {
      group = { timer: setTimeout(() => this.releaseDue(dueMs), dueMs - Date.now()), keys: new Set(), drained: [] };
      this.dueAt.set(dueMs, group);
    }
    group.keys.add(key);
    return ended;
  }

  /**
   * Hands back the call held under `key`.
   * @returns true when it was held here (it will not be made); false when it is not held here
   *   (it has gone out, or it is held elsewhere, or not yet: then a hold that begins soon ends at once).
   */
  release(key: string): boolean {
    if (this.end(key, 'requested')) return true;
    this.rememberEarlyRelease(key);
    return false;
  }

  /**
   * Ends the hold that `hold()` returned `ended` for, if it still holds, without remembering a
   * release (its activity was cancelled); a later hold under the same key is left alone.
   */
  drop(key: string, ended: Promise<HoldEnd>): void {
    if (this.holds.get(key)?.ended === ended) this.end(key, 'requested');
  }

  /**
   * Resolves once every call due at `untilMs` has been let go (at once when none is held): a
   * call that has been made waits for this before it reports, so that a burst's calls all go
   * out before the worker spends itself on recording them (the reports cost more than the calls).
   */
  allGone(untilMs: number): Promise<void> {
    const group = this.dueAt.get(Math.floor(untilMs));
    if (!group) return Promise.resolve();
    return new Promise((resolve) => group.drained.push(resolve));
  }

  /** Hands back every held call and any that would begin from now on: the worker shuts down. */
  releaseAll(): number {
    this.closing = true;
    const keys = [...this.holds].filter(([, hold]) => hold.handBackOnShutdown).map(([key]) => key);
    for (const key of keys) this.end(key, 'shutdown');
    return keys.length;
  }

  /**
   * Lets the calls due at `dueMs` go, RELEASE_CHUNK at a time, each chunk after pending I/O;
   * held calls (those handed back on shutdown) only while this worker's lease holds.
   */
  private releaseDue(dueMs: number): void {
    const group = this.dueAt.get(dueMs);
    if (!group) return;
    const leaseLapsed = !this.mayMakeHeldCalls();
    let released = 0;
    for (const key of group.keys) {
      if (leaseLapsed && this.holds.get(key)?.handBackOnShutdown) continue;
      group.keys.delete(key);
      if (this.end(key, 'due') && ++released === RELEASE_CHUNK) break;
    }
    if (group.keys.size === 0) this.drain(dueMs);
    else if (released === RELEASE_CHUNK) setImmediate(() => this.releaseDue(dueMs));
    // Only calls waiting for the lease are left: look again shortly (a hand-back clears this timer).
    else group.timer = setTimeout(() => this.releaseDue(dueMs), LEASE_RECHECK_MS);
  }

  private drain(dueMs: number): void {
    const group = this.dueAt.get(dueMs);
    if (!group) return;
    this.dueAt.delete(dueMs);
    for (const resolve of group.drained) resolve();
  }

  private end(key: string, how: HoldEnd): boolean {
    const hold = this.holds.get(key);
    if (!hold) return false;
    this.holds.delete(key);
    const group = this.dueAt.get(hold.dueMs);
    if (group && how !== 'due') {
      group.keys.delete(key);
      if (group.keys.size === 0) {
        clearTimeout(group.timer);
        this.drain(hold.dueMs);
      }
    }
    hold.end(how);
    return true;
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
