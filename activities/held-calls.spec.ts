import { HeldCalls } from './held-calls';

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

  it('drops a hold without remembering a release', async () => {
    const held = new HeldCalls();
    const end = held.hold('wf/held-1', Date.now() + 60_000);
    held.drop('wf/held-1');
    expect(await end).toBe('requested');
    expect(await held.hold('wf/held-1', Date.now() + 10)).toBe('due');
  });
});
