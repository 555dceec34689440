import { LEASE_MARGIN_MS, PeerLiveness } from './peer-liveness';

const DEAD_AFTER_MS = 4_000;
const hb = (instanceKey: string, identity: string, heartbeatAtMs: number) => ({ instanceKey, identity, heartbeatAtMs });

describe('PeerLiveness', () => {
  it("takes a peer for dead once its heartbeat has not changed for the dead-after time, on the observer's clock", () => {
    const me = new PeerLiveness('1@a', DEAD_AFTER_MS, 0);
    // The peer's clock is a day behind: only changes count, not its timestamps.
    me.observe([hb('k-me', '1@a', 1_000), hb('k-peer', '2@b', 5)], 1_000);
    me.observe([hb('k-me', '1@a', 4_000), hb('k-peer', '2@b', 6)], 4_000);
    expect(me.deadPeersToAdopt(7_900)).toEqual([]);
    me.observe([hb('k-me', '1@a', 8_000), hb('k-peer', '2@b', 6)], 8_100);
    expect(me.deadPeersToAdopt(8_100)).toEqual([{ instanceKey: 'k-peer', identity: '2@b', silentForMs: 4_100 }]);
  });

  it('lets only the live worker whose identity sorts first adopt', () => {
    const first = new PeerLiveness('1@a', DEAD_AFTER_MS, 0);
    const second = new PeerLiveness('3@c', DEAD_AFTER_MS, 0);
    for (const w of [first, second]) {
      w.observe([hb('k1', '1@a', 0), hb('k2', '2@b', 0), hb('k3', '3@c', 0)], 0);
      w.observe([hb('k1', '1@a', 5_000), hb('k2', '2@b', 0), hb('k3', '3@c', 5_000)], 5_000);
    }
    expect(first.deadPeersToAdopt(5_000).map((d) => d.identity)).toEqual(['2@b']);
    expect(second.deadPeersToAdopt(5_000)).toEqual([]);
  });

  it('adopts from a dead peer once, and again only if it came back and died again', () => {
    const me = new PeerLiveness('1@a', DEAD_AFTER_MS, 0);
    me.observe([hb('k-me', '1@a', 0), hb('k-peer', '2@b', 0)], 0);
    me.observe([hb('k-me', '1@a', 5_000), hb('k-peer', '2@b', 0)], 5_000);
    expect(me.deadPeersToAdopt(5_000)).toHaveLength(1);
    me.adopted('k-peer');
    expect(me.deadPeersToAdopt(5_000)).toEqual([]);
    me.observe([hb('k-me', '1@a', 6_000), hb('k-peer', '2@b', 6_000)], 6_000);
    me.observe([hb('k-me', '1@a', 11_000), hb('k-peer', '2@b', 6_000)], 11_000);
    expect(me.deadPeersToAdopt(11_000)).toHaveLength(1);
  });

  it('judges no one while the server does not show this worker alive: its own view is stale', () => {
    const me = new PeerLiveness('1@a', DEAD_AFTER_MS, 0);
    me.observe([hb('k-me', '1@a', 0), hb('k-peer', '2@b', 0)], 0);
    me.observe([hb('k-me', '1@a', 0), hb('k-peer', '2@b', 0)], 5_000);
    expect(me.deadPeersToAdopt(5_000)).toEqual([]);
  });

  it('holds its lease until dead-after less a margin past its latest heartbeat the server showed back', () => {
    const me = new PeerLiveness('1@a', DEAD_AFTER_MS, 1_000);
    // Before any confirmation: from its start.
    expect(me.leaseEndsAtMs()).toBe(1_000 + DEAD_AFTER_MS - LEASE_MARGIN_MS);
    me.observe([hb('k-me', '1@a', 2_000)], 2_500);
    expect(me.leaseHolds(2_000 + DEAD_AFTER_MS - LEASE_MARGIN_MS - 1)).toBe(true);
    expect(me.leaseHolds(2_000 + DEAD_AFTER_MS - LEASE_MARGIN_MS)).toBe(false);
    // An adopter that saw that heartbeat change no earlier than it was sent cannot act before the lease ends.
    const adopter = new PeerLiveness('0@z', DEAD_AFTER_MS, 0);
    adopter.observe([hb('k0', '0@z', 2_000), hb('k-me', '1@a', 2_000)], 2_000);
    adopter.observe([hb('k0', '0@z', 6_000), hb('k-me', '1@a', 2_000)], 6_000);
    expect(adopter.deadPeersToAdopt(6_000)).toEqual([]);
    adopter.observe([hb('k0', '0@z', 6_001), hb('k-me', '1@a', 2_000)], 6_001);
    expect(adopter.deadPeersToAdopt(6_001).map((d) => d.identity)).toEqual(['1@a']);
    expect(me.leaseHolds(6_001)).toBe(false);
  });

  it('leaves alone a peer first seen long dead: the server has timed its held calls out already', () => {
    const me = new PeerLiveness('1@a', DEAD_AFTER_MS, 0, 180_000);
    me.observe([hb('k-me', '1@a', 200_000), hb('k-old', '2@b', 10_000), hb('k-recent', '3@c', 190_000)], 200_000);
    me.observe([hb('k-me', '1@a', 205_000), hb('k-old', '2@b', 10_000), hb('k-recent', '3@c', 190_000)], 205_000);
    expect(me.deadPeersToAdopt(205_000).map((d) => d.identity)).toEqual(['3@c']);
  });
});
