import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../support/wait';
import { FaultSystem, type CreateOutcome } from '../faults/support/fault-system';
import { startTestCluster, type TestCluster } from './support/test-cluster';

const TOTAL = 200;
const BATCH = 20;

describe('kill -9 of processes of a Temporal cluster: the history service, an API replica', () => {
  let cluster: TestCluster;
  let system: FaultSystem;

  beforeAll(async () => {
    cluster = await startTestCluster();
    system = await FaultSystem.start({ workers: 2, apis: 2, temporal: cluster.temporal });
  });
  afterAll(async () => {
    await system?.teardown();
    await cluster?.stop();
  });

  it('loses and repeats no task due while the history service is killed and restarted', async () => {
    const burstStart = Date.now();
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        system.mustCreateTask(
          { url: system.target.url('/history'), delayMs: 3_000 + i * 150, body: { i }, retries: 1, retryIntervalMs: 200 },
          i % 2,
        ),
      ),
    );
    await sleep(burstStart + 2_000 - Date.now());
    const killAt = Date.now();
    await cluster.temporal.kill('history');
    await cluster.temporal.start('history');
    const backAfterMs = Date.now() - killAt;

    const ids = created.map((t) => t.id);
    const finished = await system.waitUntilFinished(ids, 120_000);
    await sleep(1_000); // a stray repeat would show up here
    const calls = system.callsByKey('/history');
    const lateness = created.map((t) => (calls.get(t.id)?.[0]?.arrivedAt ?? NaN) - Date.parse(t.runAt));
    const lost = ids.filter((id) => !calls.has(id));
    const repeated = ids.filter((id) => (calls.get(id)?.length ?? 0) > 1);
    console.log(
      `cluster history kill -9: ${ids.length} tasks due 3..9 s after creation, history killed at +${killAt - burstStart} ms and serving again ${backAfterMs} ms later; ` +
        `${lost.length} lost, ${repeated.length} repeated; lateness max ${Math.max(...lateness)} ms, ${lateness.filter((ms) => ms > 1_000).length} more than 1 s late`,
    );
    expect(lost).toEqual([]);
    expect(repeated).toEqual([]);
    expect(lateness.filter((ms) => ms < 0)).toEqual([]);
    expect([...finished.values()].filter((t) => t.status !== 'completed').map((t) => `${t.id}: ${t.status}`)).toEqual([]);
  });

  it('creates and fires every task exactly once when a replica is killed mid-burst and clients retry on the other with the same Idempotency-Key', async () => {
    const body = (i: number) => ({ url: system.target.url(`/replica/${i}`), delayMs: 4_000, body: { i } });
    const key = (i: number) => `replica-kill-${i}`;
    const outcomes: CreateOutcome[] = [];
    let answered = 0;
    const burst = (async () => {
      for (let first = 0; first < TOTAL; first += BATCH) {
        await Promise.all(
          Array.from({ length: BATCH }, async (_, j) => {
            outcomes[first + j] = await system.createTask(body(first + j), key(first + j), 0);
            answered++;
          }),
        );
      }
    })();
    await eventually(() => Promise.resolve(answered >= TOTAL / 2 - BATCH / 2 ? true : undefined), 60_000, 5);
    await system.killApi(0);
    await burst;
    // Each client whose POST failed retries it, same key and body, on the replica still up.
    const lost = outcomes.flatMap((o, i) => (o.ok ? [] : [i]));
    for (const i of lost) outcomes[i] = await system.createTask(body(i), key(i), 1);
    const retried = lost.map((i) => outcomes[i]);

    const ids = outcomes.map((o) => (o.ok ? o.task.id : `failed ${o.status}: ${o.error}`));
    await system.waitUntilFinished(ids, 90_000, 1);
    await sleep(1_500);
    const callsPerTask = outcomes.map((_, i) => system.target.requests(`/replica/${i}`).length);
    console.log(
      `cluster API replica kill -9: ${lost.length} of ${TOTAL} POSTs lost and retried on the other replica ` +
        `(${retried.filter((o) => o.ok && o.status === 200).length} answered 200: created before the kill; ` +
        `${retried.filter((o) => o.ok && o.status === 201).length} answered 201: never created); ` +
        `${callsPerTask.filter((n) => n === 1).length} tasks called exactly once, ${callsPerTask.filter((n) => n !== 1).length} not`,
    );
    expect(lost.length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(new Set(ids).size).toBe(TOTAL);
    expect(callsPerTask).toEqual(Array.from({ length: TOTAL }, () => 1));
    await system.startApi(0);
  });
});
