import { setTimeout as sleep } from 'node:timers/promises';
import { FaultSystem, type TaskView } from './support/fault-system';

describe('kill -9 of the worker while tasks are due', () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start();
  });
  afterAll(async () => {
    await system?.teardown();
  });

  it('completes every task; a task runs twice only when its call was in flight at the kill, and then as the same attempt with the same Idempotency-Key', async () => {
    // Short timeouts: a failed call is retried 200 ms later, at most twice.
    const retry = { timeoutMs: 2_000, retries: 2, retryIntervalMs: 200 };
    system.target.respond('/slow', () => ({ status: 200, body: { ok: true }, delayMs: 1_500 }));

    const burstStart = Date.now();
    const created: TaskView[] = await Promise.all([
      // 30 quick calls due over 1..4 s, across the kill at ~2 s.
      ...Array.from({ length: 30 }, (_, i) =>
        system.mustCreateTask({ url: system.target.url('/due'), delayMs: 1_000 + i * 100, body: { i }, ...retry }),
      ),
      // 6 calls the target answers after 1.5 s, due at 0.9..1.4 s: in flight at the kill.
      ...Array.from({ length: 6 }, (_, i) =>
        system.mustCreateTask({ url: system.target.url('/slow'), delayMs: 900 + i * 100, body: { i }, ...retry }),
      ),
      // One still asleep long after the kill: how soon can the API read it again (a query needs a worker)?
      system.mustCreateTask({ url: system.target.url('/probe'), delayMs: 12_000, ...retry }),
    ]);
    const probe = created.at(-1)!;
    const createdMs = Date.now() - burstStart;

    await sleep(burstStart + 2_000 - Date.now());
    const killAt = Date.now();
    await system.killWorker();
    const inFlight = system.target.requests('/slow').filter((r) => r.arrivedAt < killAt && r.arrivedAt + 1_500 > killAt).length;
    await system.startWorker();
    const workerBackAfterMs = Date.now() - killAt;
    const readable = system.mustGetTask(probe.id, 60_000).then((view) => ({ view, afterKillMs: Date.now() - killAt }));

    const ids = created.map((t) => t.id);
    const finished = await system.waitUntilFinished(ids, 90_000);
    const allDoneMs = Date.now() - burstStart;
    await sleep(500); // a stray late call would show up here
    const probeRead = await readable;

    const calls = system.callsByKey();
    const repeated = ids.filter((id) => (calls.get(id)?.length ?? 0) > 1);
    const extraCalls = repeated.reduce((n, id) => n + calls.get(id)!.length - 1, 0);
    const lateness = created.map((t) => (calls.get(t.id)?.[0]?.arrivedAt ?? NaN) - Date.parse(t.runAt));
    console.log(
      [
        `worker kill -9: ${ids.length} tasks (created in ${createdMs} ms), killed at +${killAt - burstStart} ms with ${inFlight} calls in flight,`,
        `new worker polling ${workerBackAfterMs} ms after the kill, all finished at +${allDoneMs} ms;`,
        `${ids.length - repeated.length} ran exactly once, ${repeated.length} ran more than once (${extraCalls} extra calls), 0 lost;`,
        `first-call lateness: max ${Math.max(...lateness)} ms, ${lateness.filter((ms) => ms > 1_000).length} of ${ids.length} more than 1 s late;`,
        `GET /tasks/{id} of a sleeping task answered 503 ${system.unavailable.length} times after the kill,`,
        `then 200 (${probeRead.view.status}) ${probeRead.afterKillMs} ms after the kill`,
      ].join(' '),
    );

    // None lost: every task reached the target and completed.
    expect(ids.filter((id) => !calls.has(id))).toEqual([]);
    expect([...finished.values()].filter((t) => t.status !== 'completed').map((t) => `${t.id}: ${t.status}`)).toEqual([]);
    // Nothing but these tasks called the target.
    expect([...calls.keys()].sort()).toEqual([...ids].sort());

    for (const id of ids) {
      const seen = calls.get(id)!;
      // Every call of a task carries its id as Idempotency-Key and X-Task-Id.
      expect(seen.map((r) => [r.headers['idempotency-key'], r.headers['x-task-id']])).toEqual(seen.map(() => [id, id]));
      if (seen.length === 1) continue;
      // A repeat is the same call made again because its worker died before reporting it: the
      // first call started before the kill. Calls due this soon are made in a local activity, so
      // the workflow task that scheduled it is replayed on the new worker and makes the same
      // attempt again: the same Idempotency-Key and the same X-Task-Attempt, and the task's
      // history records only the attempt that reported back.
      expect(seen[0].arrivedAt).toBeLessThan(killAt);
      expect(seen.map((r) => r.headers['x-task-attempt'])).toEqual(seen.map(() => '1'));
      const view = finished.get(id)!;
      expect(view.attempts).toEqual([expect.objectContaining({ number: 1, statusCode: 200, error: null })]);
    }
    // Calls that started after the kill ran exactly once.
    const startedAfterKill = ids.filter((id) => calls.get(id)![0].arrivedAt > killAt);
    expect(startedAfterKill.filter((id) => calls.get(id)!.length !== 1)).toEqual([]);
    // Once a new worker polls, tasks are on time again: the dead worker's cached workflows move
    // to it within stickyQueueScheduleToStartTimeout (1 s), not the SDK's default 10 s.
    const dueAfterRecovery = created.filter((t) => Date.parse(t.runAt) > killAt + workerBackAfterMs + 2_000);
    expect(dueAfterRecovery.map((t) => t.id)).toContain(probe.id);
    expect(dueAfterRecovery.filter((t) => calls.get(t.id)![0].arrivedAt - Date.parse(t.runAt) > 1_000).map((t) => t.id)).toEqual([]);
  });
});
