import { setTimeout as sleep } from 'node:timers/promises';
import { ActivityNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure, type MetricMeter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Logger } from 'pino';
import { HELD_HEARTBEAT_TIMEOUT_MS, HELD_STATUS, SearchAttr } from '../../../common';
import { LEASE_MARGIN_MS, PeerLiveness, type DeadPeer, type PeerHeartbeat } from './peer-liveness';

/**
 * Held calls of a dead worker, adopted by a live one (README, "Timing semantics").
 *
 * A held call is an activity that heartbeats once a minute (a heartbeat per call is a write on
 * the server, and 10,000 held calls must not outrun it), so the server notices a dead holder only
 * after the 180 s heartbeat timeout. Workers themselves are cheap to watch: each sends the server
 * a worker heartbeat every second (`RecordWorkerHeartbeat`, kept in matching's memory: no write),
 * and `ListWorkers` shows them all, at O(workers) cost. So every worker polls ListWorkers; when a
 * peer's heartbeat stops for `deadAfterMs`, the live worker whose identity sorts first finds the
 * dead peer's held calls (visibility: tasks whose status is `held`, due before the heartbeat
 * timeout could bring them back; then each one's pending activity and its worker) and fails that
 * activity attempt by id: the server dispatches the next attempt at once (after the held call's
 * 1 s retry interval) to a live worker, which holds it until due or, past due, makes it at once.
 * A held call whose workflow asked for it back (a cancel or a modify waiting on the dead worker)
 * is reported cancelled instead: handed back, never made.
 *
 * One attempt is failed only if it is still the dead worker's running attempt right after it was
 * read: a second adopter (or a late retry) meets the next attempt scheduled, not started, and
 * the server refuses (not found). The lease (peer-liveness.ts) keeps a worker that is only cut
 * off from making the calls another worker adopts.
 */
export interface HeldCallAdopterOptions {
  client: Client;
  namespace: string;
  taskQueue: string;
  /** This worker's identity (as its activities and worker heartbeats carry it). */
  identity: string;
  /** A peer whose worker heartbeat has not changed for this long is dead. */
  deadAfterMs: number;
  /** How often ListWorkers is read. */
  pollIntervalMs: number;
  logger: Logger;
  meter: MetricMeter;
  /** The workflows whose calls this worker holds: a task holds one call at a time, so its own need no look. */
  heldHere: () => Set<string>;
  now?: () => number;
}

/** The longest a look at the workers may take (the lease is renewed only by looks that answer). */
const LIST_WORKERS_DEADLINE_MS = 2_000;

/** The wait before a dead worker's held calls are looked for again after a pass that found some. */
const ADOPTION_REPASS_MS = 2_000;

/** Held calls due later than this from now are left to the server: its heartbeat timeout brings them back before they are due. */
const ADOPTION_HORIZON_MS = HELD_HEARTBEAT_TIMEOUT_MS + 60_000;

/**
 * Held calls examined at once (a describe, then a fail, each). Measured on the dev server (one
 * SQLite writer), 1,000 held calls of a killed worker: 8 at once took 1.8 s, 4 took 2.3 to 2.7 s,
 * 16 took 3.8 s and 32 took 3.4 s (more at once only queue for the one writer).
 */
const ADOPTION_CONCURRENCY = 8;

/**
 * The longest a read of an attempt may be acted on: the retry that follows a fail waits 1 s (the
 * held call's retry interval) before any worker can start it, so an attempt read as the dead
 * worker's running one is still that when the fail arrives this soon after. Read again otherwise.
 */
const READ_FRESH_MS = 500;

/** Reads of one workflow that came too late to act on before it is left to the next pass. */
const MAX_READS = 5;

const { PendingActivityState } = temporal.api.enums.v1;

export class HeldCallAdopter {
  private readonly liveness: PeerLiveness;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Whether the lease held at the last look (its changes are logged). */
  private leaseHeld = true;
  /** Adoptions under way, by the dead worker's instance key. */
  private readonly adopting = new Map<string, Promise<void>>();
  /**
   * The workflows already adopted from each dead worker: a later pass (run while visibility
   * still shows them held) skips them. Measured on the cluster: a second pass 2 s after the first
   * described 580 workflows for 6.6 s, 275 of them just adopted, while their calls were being made.
   */
  private readonly adoptedFrom = new Map<string, Set<string>>();
  private stopped = false;
  private readonly adoptedCounter;

  constructor(private readonly options: HeldCallAdopterOptions) {
    this.now = options.now ?? Date.now;
    this.liveness = new PeerLiveness(options.identity, options.deadAfterMs, this.now(), HELD_HEARTBEAT_TIMEOUT_MS);
    this.adoptedCounter = options.meter.createCounter(
      'scheduler_held_calls_adopted',
      '1',
      'Held calls of a dead worker this worker had dispatched again (outcome redispatched) or handed back (outcome cancelled: its workflow had asked for it back).',
    );
  }

  /** True while this worker may make its held calls: the server has seen it alive recently enough (see PeerLiveness). */
  leaseHolds(): boolean {
    return this.liveness.leaseHolds(this.now());
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick().finally(() => {
        this.running = null;
        if (!this.stopped) this.timer = setTimeout(loop, this.options.pollIntervalMs);
      });
    };
    loop();
  }

  /** Stops polling; resolves once the adoptions under way have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.all(this.adopting.values());
  }

  /**
   * One look at the workers: record their heartbeats (this worker's own renews its lease), and
   * adopt from the dead when this worker is the one to. An adoption runs beside the next looks,
   * not in their way: while it runs (seconds, for a thousand held calls) this worker's lease must
   * go on being renewed, or its own held calls would wait.
   */
  async tick(): Promise<void> {
    let heartbeats: PeerHeartbeat[];
    try {
      heartbeats = await this.listWorkers();
    } catch (err) {
      this.options.logger.warn({ err }, 'held-call adoption: could not list the workers');
      return;
    }
    this.liveness.observe(heartbeats, this.now());
    const leaseHolds = this.liveness.leaseHolds(this.now());
    if (leaseHolds !== this.leaseHeld) {
      this.leaseHeld = leaseHolds;
      const lastSeenMs = this.now() - (this.liveness.leaseEndsAtMs() - this.options.deadAfterMs + LEASE_MARGIN_MS);
      if (leaseHolds) this.options.logger.info({ lastSeenMs }, 'held-call lease renewed: held calls go out again');
      else
        this.options.logger.warn(
          { lastSeenMs },
          'held-call lease lapsed: the server has not shown this worker alive lately; held calls wait',
        );
    }
    for (const dead of this.liveness.deadPeersToAdopt(this.now())) {
      if (this.stopped || this.adopting.has(dead.instanceKey)) continue;
      const adoption = this.adoptFrom(dead).then(
        // Done once a pass finds nothing left: visibility may show a call held just before the
        // worker died only after a first pass listed the others (seconds, on a loaded server).
        (acted) => {
          if (acted > 0) return sleep(ADOPTION_REPASS_MS);
          this.liveness.adopted(dead.instanceKey);
          this.adoptedFrom.delete(dead.instanceKey);
        },
        // Tried again on a later look: a call failed twice meets "not found", nothing worse.
        (err: unknown) => this.options.logger.warn({ err, deadWorker: dead.identity }, 'held-call adoption: failed; trying again'),
      );
      this.adopting.set(
        dead.instanceKey,
        adoption.finally(() => this.adopting.delete(dead.instanceKey)),
      );
    }
  }

  private async listWorkers(): Promise<PeerHeartbeat[]> {
    const { namespace, taskQueue } = this.options;
    const heartbeats: PeerHeartbeat[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      // With a deadline: an answer that hangs must not stop the looks, which renew this worker's lease.
      const page = await this.options.client.connection.withDeadline(Date.now() + LIST_WORKERS_DEADLINE_MS, () =>
        this.options.client.workflowService.listWorkers({
          namespace,
          pageSize: 1_000,
          nextPageToken,
          query: `TaskQueue = '${taskQueue.replace(/'/g, "\\'")}'`,
        }),
      );
      for (const info of page.workersInfo ?? []) {
        const hb = info.workerHeartbeat;
        if (!hb?.workerInstanceKey || !hb.workerIdentity) continue;
        const at = hb.heartbeatTime;
        heartbeats.push({
          instanceKey: hb.workerInstanceKey,
          identity: hb.workerIdentity,
          heartbeatAtMs: at ? Number(at.seconds ?? 0) * 1000 + Math.floor((at.nanos ?? 0) / 1e6) : 0,
        });
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return heartbeats;
  }

  /** Finds the dead peer's held calls due soon (earliest first) and has each dispatched again or handed back. */
  private async adoptFrom(dead: DeadPeer): Promise<number> {
    const startedAt = this.now();
    const { client, taskQueue } = this.options;
    const horizon = startedAt + ADOPTION_HORIZON_MS;
    const held: Array<{ workflowId: string; runId: string; dueMs: number }> = [];
    const query = `TaskQueue = '${taskQueue.replace(/'/g, "\\'")}' AND ExecutionStatus = 'Running' AND ${SearchAttr.status.name} = '${HELD_STATUS}'`;
    const heldHere = this.options.heldHere();
    const adoptedBefore = this.adoptedFrom.get(dead.instanceKey) ?? new Set<string>();
    this.adoptedFrom.set(dead.instanceKey, adoptedBefore);
    // Raw visibility pages: search attributes are plain JSON (never encoded by a payload codec),
    // and the memos, which may be, are not needed.
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await client.workflowService.listWorkflowExecutions({
        namespace: this.options.namespace,
        query,
        pageSize: 1_000,
        nextPageToken,
      });
      for (const info of page.executions ?? []) {
        const workflowId = info.execution?.workflowId;
        const runId = info.execution?.runId;
        if (!workflowId || !runId) continue;
        const fields = info.searchAttributes?.indexedFields ?? {};
        const dueMs = Date.parse(String(searchAttribute(fields[SearchAttr.runAt.name]))) || startedAt;
        // An orchestration may hold calls on several workers at once: only a task's is known to be this worker's alone.
        const mineAlone = heldHere.has(workflowId) && searchAttribute(fields[SearchAttr.kind.name]) === 'task';
        if (dueMs <= horizon && !mineAlone && !adoptedBefore.has(workflowId)) held.push({ workflowId, runId, dueMs });
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    held.sort((a, b) => a.dueMs - b.dueMs);
    const counts = { examined: held.length, redispatched: 0, cancelled: 0, left: 0 };
    let next = 0;
    let firstError: unknown = null;
    const work = async () => {
      while (next < held.length && !this.stopped) {
        const { workflowId, runId } = held[next++];
        try {
          const outcomes = await this.adoptOne(workflowId, runId, dead.identity);
          for (const outcome of outcomes) counts[outcome]++;
          if (outcomes.length > 0) adoptedBefore.add(workflowId);
        } catch (err) {
          counts.left++;
          firstError ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(ADOPTION_CONCURRENCY, held.length) }, work));
    this.options.logger.info(
      { deadWorker: dead.identity, silentForMs: dead.silentForMs, ...counts, durationMs: this.now() - startedAt },
      `held-call adoption: worker ${dead.identity} stopped heartbeating ${dead.silentForMs} ms ago; ${counts.redispatched} of its held calls dispatched again, ${counts.cancelled} handed back, ${counts.left} left for the next pass`,
    );
    // The peer stays dead and not adopted from: the next tick tries what is left.
    if (counts.left > 0) throw new Error(`${counts.left} held calls of ${dead.identity} left for the next pass`, { cause: firstError });
    return counts.redispatched + counts.cancelled;
  }

  /** The dead worker's held-call attempts of one workflow, each failed (dispatched again) or reported cancelled. */
  private async adoptOne(workflowId: string, runId: string, deadIdentity: string): Promise<Array<'redispatched' | 'cancelled'>> {
    const { client, namespace } = this.options;
    const done: Array<'redispatched' | 'cancelled'> = [];
    for (let read = 0; read < MAX_READS; read++) {
      let description;
      try {
        description = await client.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId, runId } });
      } catch (err) {
        if ((err as { code?: number }).code === 5 /* NOT_FOUND: finished and gone */) return [];
        throw err;
      }
      const readAt = this.now();
      const mine = (description.pendingActivities ?? []).filter(
        (a) =>
          a.activityType?.name === 'heldCall' &&
          a.lastWorkerIdentity === deadIdentity &&
          (a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED ||
            a.state === PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED),
      );
      let acted = 0;
      for (const activity of mine) {
        // Too slow to get here (a loaded worker): read again rather than act on an old read.
        if (this.now() - readAt > READ_FRESH_MS) break;
        const id = { workflowId, runId, activityId: activity.activityId! };
        acted++;
        try {
          if (activity.state === PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED) {
            await client.activity.reportCancellation(id, `handed back for ${deadIdentity}, which stopped heartbeating`);
            done.push('cancelled');
          } else {
            await client.activity.fail(
              id,
              ApplicationFailure.retryable(
                `held by worker ${deadIdentity}, which stopped heartbeating: dispatched again by ${this.options.identity}`,
                'HeldCallAdopted',
              ),
            );
            done.push('redispatched');
          }
          this.adoptedCounter.add(1, { outcome: done.at(-1)! });
        } catch (err) {
          // Gone meanwhile: it completed, timed out, or another adopter got there first.
          if (!(err instanceof ActivityNotFoundError)) throw err;
        }
      }
      // An orchestration may hold several calls at once (parallel branches): those not acted on
      // read again (the ones failed above then show their next attempt, not the dead worker's).
      if (acted === mine.length) return done;
    }
    throw new Error(`held calls of ${workflowId} not adopted: the reads came too late to act on`);
  }
}

/** A search attribute's value: its payload is JSON (search attributes are never encoded by a codec); null when absent or unreadable. */
function searchAttribute(payload: { data?: Uint8Array | null } | null | undefined): unknown {
  if (!payload?.data) return null;
  try {
    return JSON.parse(Buffer.from(payload.data).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}
