import { setTimeout as sleep } from 'node:timers/promises';
import { FaultSystem } from './support/fault-system';

describe('kill -9 of the Temporal dev server, restarted on the same SQLite file', () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start();
  });
  afterAll(async () => {
    await system?.teardown();
  });

  it('fires every task exactly once after the restart, and all of them end completed', async () => {
    const burstStart = Date.now();
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        system.mustCreateTask({
          url: system.target.url('/later'),
          delayMs: 3_000 + i * 250,
          body: { i },
          retries: 1,
          retryIntervalMs: 200,
        }),
      ),
    );
    const createdMs = Date.now() - burstStart;

    await sleep(burstStart + 1_000 - Date.now());
    const killAt = Date.now();
    const { downMs } = await system.restartServer();
    await system.waitForHealthy();
    const healthyAfterMs = Date.now() - killAt;

    const ids = created.map((t) => t.id);
    const finished = await system.waitUntilFinished(ids, 90_000);
    const allDoneMs = Date.now() - burstStart;
    await sleep(500); // a stray late call would show up here

    const calls = system.callsByKey('/later');
    const lateness = created.map((t) => (calls.get(t.id)?.[0]?.arrivedAt ?? NaN) - Date.parse(t.runAt));
    const lost = ids.filter((id) => !calls.has(id));
    const repeated = ids.filter((id) => (calls.get(id)?.length ?? 0) > 1);
    console.log(
      [
        `server kill -9: ${ids.length} tasks due 3..8 s later (created in ${createdMs} ms), server killed at +${killAt - burstStart} ms,`,
        `back up ${downMs} ms after the kill (API healthy after ${healthyAfterMs} ms), all finished at +${allDoneMs} ms;`,
        `${lost.length} lost, ${repeated.length} repeated;`,
        `lateness min ${Math.min(...lateness)} ms, max ${Math.max(...lateness)} ms, ${lateness.filter((ms) => ms > 1_000).length} more than 1 s late`,
      ].join(' '),
    );

    expect(lost).toEqual([]);
    expect(repeated).toEqual([]);
    expect([...calls.keys()].sort()).toEqual([...ids].sort());
    expect([...finished.values()].filter((t) => t.status !== 'completed').map((t) => `${t.id}: ${t.status}`)).toEqual([]);
    for (const view of finished.values()) expect(view.attempts).toMatchObject([{ number: 1, statusCode: 200, error: null }]);
  });
});
