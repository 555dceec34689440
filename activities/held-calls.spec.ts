import { heldCallKey, HeldCalls, RELEASE_CHUNK } from './held-calls';

describe('HeldCalls', () => {
  it('ends a hold at its due time', async () => {
    const held = new HeldCalls();
    const started = Date.now();
    const end = held.hold('wf/held-1', started + 50);
    expect(held.size).toBe(1);
    expect(await end).toBe('due');
    expect(Date.now() - started).toBeGreaterThanOrEqual(49);
    expect(held.size).toBe(0);
  });

  it('hands a held call back on release, and says so', async () => {
    const held = new HeldCalls();
    const end = held.hold('wf/held-1', Date.now() + 60_000);
    expect(held.release('wf/held-1')).toBe(true);
    expect(await end).toBe('requested');
    expect(held.size).toBe(0);
  });

  it('cannot release a call that has gone out', async () => {
    const held = new HeldCalls();
    expect(await held.hold('wf/held-1', Date.now())).toBe('due');
    expect(held.release('wf/held-1')).toBe(false);
  });

  it('ends at once a hold whose release arrived before it began', async () => {
    const held = new HeldCalls();
    expect(held.release('wf/held-1')).toBe(false);
    expect(await held.hold('wf/held-1', Date.now() + 60_000)).toBe('requested');
    // Remembered once only.
    const again = held.hold('wf/held-1', Date.now() + 10);
    expect(await again).toBe('due');
  });

  it('hands every held call back on shutdown, and any that begins after', async () => {
    const held = new HeldCalls();
    const ends = [held.hold('wf-1/held-1', Date.now() + 60_000), held.hold('wf-2/held-1', Date.now() + 60_000)];
    expect(held.releaseAll()).toBe(2);
    expect(await Promise.all(ends)).toEqual(['shutdown', 'shutdown']);
    expect(await held.hold('wf-3/held-1', Date.now() + 60_000)).toBe('shutdown');
    expect(held.size).toBe(0);
  });

  it(`lets calls due at one instant go in order, ${RELEASE_CHUNK} per turn of the event loop`, async () => {
    const held = new HeldCalls();
    const dueAt = Date.now() + 20;
    const order: string[] = [];
    const count = 2 * RELEASE_CHUNK + 1;
    const ends = Array.from({ length: count }, (_, i) => held.hold(`wf-${i}/held-1`, dueAt).then(() => order.push(`call ${i}`)));
    // Queued as the first chunk goes: it runs after the second chunk, before the third (a later turn).
    const marker = ends[0].then(() => setImmediate(() => order.push('next turn')));
    await Promise.all([...ends, marker]);
    expect(order.indexOf('next turn')).toBe(2 * RELEASE_CHUNK);
    expect(order.filter((o) => o !== 'next turn')).toEqual(Array.from({ length: count }, (_, i) => `call ${i}`));
  });

  it('keeps a short hold through a shutdown when asked to: the worker drains it', async () => {
    const held = new HeldCalls();
    const short = held.hold('local/wf/1/1', Date.now() + 30, { handBackOnShutdown: false });
    const long = held.hold('wf/held-1', Date.now() + 60_000);
    expect(held.releaseAll()).toBe(1);
    expect(await long).toBe('shutdown');
    expect(await short).toBe('due');
  });

  it('drops a hold without remembering a release', async () => {
    const held = new HeldCalls();
    const end = held.hold('wf/held-1', Date.now() + 60_000);
    held.drop('wf/held-1', end);
    expect(await end).toBe('requested');
    expect(await held.hold('wf/held-1', Date.now() + 10)).toBe('due');
  });

  it('ends an earlier hold under the same key as superseded, and a drop by the earlier holder leaves the later one holding', async () => {
    const held = new HeldCalls();
    const dueAt = Date.now() + 80;
    const first = held.hold('wf/held-1', dueAt);
    const second = held.hold('wf/held-1', dueAt);
    expect(await first).toBe('superseded');
    held.drop('wf/held-1', first);
    expect(held.size).toBe(1);
    expect(await second).toBe('due');
    expect(held.size).toBe(0);
  });

  it("holds a held call past its due time while the worker's lease has lapsed, and lets it go once the lease holds again", async () => {
    let lease = false;
    const held = new HeldCalls(() => lease);
    const dueAt = Date.now() + 20;
    let ended: string | null = null;
    const end = held.hold('wf/held-1', dueAt).then((how) => (ended = how));
    await new Promise((r) => setTimeout(r, 150));
    expect(ended).toBeNull();
    lease = true;
    expect(await end).toBe('due');
    expect(Date.now() - dueAt).toBeGreaterThanOrEqual(130);
  });

  it('lets a short hold (a local activity) go at its due time whatever the lease: its worker runs the workflow', async () => {
    const held = new HeldCalls(() => false);
    expect(await held.hold('local/wf/1/1', Date.now() + 20, { handBackOnShutdown: false })).toBe('due');
  });

  it('hands back a held call waiting for the lease', async () => {
    const held = new HeldCalls(() => false);
    const end = held.hold('wf/held-1', Date.now() + 10);
    await new Promise((r) => setTimeout(r, 50));
    expect(held.release('wf/held-1')).toBe(true);
    expect(await end).toBe('requested');
    await held.allGone(Date.now());
  });

  it('names the workflows whose calls it holds until due, not those of short local holds', () => {
    const held = new HeldCalls();
    void held.hold(heldCallKey('task-1', 'held-1'), Date.now() + 60_000);
    void held.hold(heldCallKey('orch-1', 'held-3'), Date.now() + 60_000);
    void held.hold('local/task-2/1/1', Date.now() + 60_000, { handBackOnShutdown: false });
    expect([...held.heldWorkflows()].sort()).toEqual(['orch-1', 'task-1']);
    held.releaseAll();
  });
});
