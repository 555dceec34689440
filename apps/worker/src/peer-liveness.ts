/**
 * Which workers of a task queue are alive, judged from the server's worker heartbeats
 * (`ListWorkers`), and this worker's lease: the pure part of held-call adoption
 * (held-call-adopter.ts), with the clock passed in.
 *
 * A peer is dead once its heartbeat has not changed for `deadAfterMs` of this worker's time:
 * changes are timed on the observer's own clock, so the peers' clocks need not agree. This
 * worker makes a held call only while its lease holds: its own latest heartbeat that the server
 * has shown back is younger than `deadAfterMs - LEASE_MARGIN_MS` (both times on its own clock).
 * An adopter cannot declare it dead before that heartbeat's age reaches `deadAfterMs`, so a
 * worker cut off from the server stops making held calls before another worker adopts them:
 * each call is made by one of them, not both.
 */

/** One worker as ListWorkers shows it. */
export interface PeerHeartbeat {
  /** Unique per worker (a new one per process start). */
  instanceKey: string;
  /** The identity activities record as their worker's (pid@host by default). */
  identity: string;
  /** When the worker sent its latest heartbeat, on its own clock (epoch ms). */
  heartbeatAtMs: number;
}

/** A dead peer, to adopt from. */
export interface DeadPeer {
  instanceKey: string;
  identity: string;
  /** How long ago (observer's clock) its heartbeat last changed. */
  silentForMs: number;
}

/** How much earlier than an adopter could act this worker gives up its lease (scheduling and request latency). */
export const LEASE_MARGIN_MS = 1_000;

interface Peer {
  identity: string;
  heartbeatAtMs: number;
  /** Observer's clock when `heartbeatAtMs` last changed (or the peer was first seen). */
  changedAtMs: number;
  adopted: boolean;
}

export class PeerLiveness {
  private readonly peers = new Map<string, Peer>();
  /** This worker's latest heartbeat the server showed back (own clock), or when it started. */
  private confirmedAtMs: number;

  /**
   * @param identity this worker's identity (as in its heartbeats)
   * @param deadAfterMs silence after which a peer counts as dead
   * @param startedAtMs when this worker started (its lease runs from there until the first confirmation)
   * @param nothingLeftAfterMs a peer first seen silent for longer than this (its own clock against
   *   ours) has nothing left to adopt: the server has timed its held calls out by then
   */
  constructor(
    private readonly identity: string,
    private readonly deadAfterMs: number,
    startedAtMs: number,
    private readonly nothingLeftAfterMs = Infinity,
  ) {
    this.confirmedAtMs = startedAtMs;
  }

  /** Records what ListWorkers showed at `nowMs` (this worker's clock). */
  observe(heartbeats: readonly PeerHeartbeat[], nowMs: number): void {
    for (const hb of heartbeats) {
      const peer = this.peers.get(hb.instanceKey);
      if (!peer) {
        const long = nowMs - hb.heartbeatAtMs > this.nothingLeftAfterMs;
        this.peers.set(hb.instanceKey, { identity: hb.identity, heartbeatAtMs: hb.heartbeatAtMs, changedAtMs: nowMs, adopted: long });
      } else if (peer.heartbeatAtMs !== hb.heartbeatAtMs) {
        peer.heartbeatAtMs = hb.heartbeatAtMs;
        peer.changedAtMs = nowMs;
        // Back from the dead (it was only cut off): it may die again and be adopted from again.
        peer.adopted = false;
      }
      // Our own heartbeat, as the server has it: the lease runs from when it was sent.
      if (hb.identity === this.identity && hb.heartbeatAtMs <= nowMs) this.confirmedAtMs = Math.max(this.confirmedAtMs, hb.heartbeatAtMs);
    }
    // Peers the server no longer lists (evicted long after they died, or shut down) are forgotten once adopted from.
    const listed = new Set(heartbeats.map((hb) => hb.instanceKey));
    for (const [key, peer] of this.peers) if (!listed.has(key) && peer.adopted) this.peers.delete(key);
  }

  /** True while this worker may make its held calls (see the file's comment). */
  leaseHolds(nowMs: number): boolean {
    return nowMs < this.leaseEndsAtMs();
  }

  /** When this worker's lease runs out unless the server shows a newer heartbeat of it. */
  leaseEndsAtMs(): number {
    return this.confirmedAtMs + this.deadAfterMs - LEASE_MARGIN_MS;
  }

  /**
   * The peers dead at `nowMs` and not yet adopted from, when this worker is the one to adopt:
   * the live worker whose identity sorts first (every live worker computes the same from the
   * same listing). Empty otherwise, and while this worker's own view is stale.
   */
  deadPeersToAdopt(nowMs: number): DeadPeer[] {
    const alive = (peer: Peer) => nowMs - peer.changedAtMs <= this.deadAfterMs;
    const self = [...this.peers.values()].find((peer) => peer.identity === this.identity);
    // Unless the server shows us alive, our listing says nothing reliable about the others.
    if (!self || !alive(self)) return [];
    const leader = [...this.peers.values()]
      .filter(alive)
      .map((peer) => peer.identity)
      .sort()[0];
    if (leader !== this.identity) return [];
    return [...this.peers]
      .filter(([, peer]) => !alive(peer) && !peer.adopted && peer.identity !== this.identity)
      .map(([instanceKey, peer]) => ({ instanceKey, identity: peer.identity, silentForMs: nowMs - peer.changedAtMs }));
  }

  /** Marks a dead peer's held calls adopted (until its heartbeat changes again). */
  adopted(instanceKey: string): void {
    const peer = this.peers.get(instanceKey);
    if (peer) peer.adopted = true;
  }
}
