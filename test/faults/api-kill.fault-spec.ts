import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../support/wait';
import { FaultSystem, type CreateOutcome } from './support/fault-system';

const TOTAL = 200;
const BATCH = 20;

describe('kill -9 of the API in the middle of a burst of task creations', () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start();
  });
  afterAll(async () => {
    await system?.teardown();
  });

  it('fires every task whose POST answered 201 exactly once; a task whose POST was lost fires at most once', async () => {
    // Warm the API up (JIT, its Temporal connection), so the kill lands mid-burst rather than in its cold start.
    const warmUp = await Promise.all(Array.from({ length: BATCH }, () => system.mustCreateTask({ url: system.target.url('/warm-up') })));
    await system.waitUntilFinished(
      warmUp.map((t) => t.id),
      30_000,
    );

    // Each POST calls its own path, so a task whose 201 was lost can still be told apart.
    const outcomes: CreateOutcome[] = [];
    let answered = 0;
    const burstStart = Date.now();
    const burst = (async () => {
      for (let first = 0; first < TOTAL; first += BATCH) {
        await Promise.all(
          Array.from({ length: BATCH }, async (_, j) => {
            const i = first + j;
            outcomes[i] = await system.createTask({
              url: system.target.url(`/burst/${i}`),
              delayMs: 3_000,
              body: { i },
              retries: 1,
              retryIntervalMs: 200,
            });
            answered++;
          }),
        );
      }
    })();
    // Killed in the middle of the burst (and of a batch), whatever this machine's pace.
    await eventually(() => Promise.resolve(answered >= TOTAL / 2 - BATCH / 2 ? true : undefined), 60_000, 5);
    const killAt = Date.now();
    await system.killApi();
    await burst;
    const burstMs = Date.now() - burstStart;

    const succeeded = outcomes.flatMap((o, i) => (o.ok ? [{ i, id: o.task.id }] : []));
    const failed = outcomes.flatMap((o, i) => (o.ok ? [] : [{ i, error: o.error, refused: o.error.includes('ECONNREFUSED') }]));
    const errorKinds = new Map<string, number>();
    for (const f of failed) errorKinds.set(f.error, (errorKinds.get(f.error) ?? 0) + 1);

    const restartAt = Date.now();
    await system.startApi();
    const apiBackMs = Date.now() - restartAt;

    const finished = await system.waitUntilFinished(
      succeeded.map((s) => s.id),
      90_000,
    );
    // Every task was due 3 s after its POST; a lost-201 task created before the kill is due by now too.
    await sleep(Math.max(0, killAt + 3_000 + 1_500 - Date.now()));

    const calls = system.callsByKey();
    const pathCalls = (i: number) => system.target.requests(`/burst/${i}`);
    const succeededTwice = succeeded.filter((s) => (calls.get(s.id)?.length ?? 0) !== 1);
    const failedThatFired = failed.filter((f) => pathCalls(f.i).length > 0);
    console.log(
      [
        `api kill -9: ${TOTAL} POSTs in batches of ${BATCH}, API killed at +${killAt - burstStart} ms, burst over at +${burstMs} ms, API back after ${apiBackMs} ms;`,
        `${succeeded.length} answered 201, ${failed.length} failed (${failed.filter((f) => !f.refused).length} lost in flight, the rest refused:`,
        `${[...errorKinds].map(([e, n]) => `${n} x "${e}"`).join(', ')});`,
        `of the 201s: ${succeeded.length - succeededTwice.length} fired exactly once, ${succeededTwice.length} not;`,
        `of the failed POSTs: ${failedThatFired.length} fired anyway (their workflow started before the response was lost)`,
      ].join(' '),
    );

    // The kill landed mid-burst: some creations succeeded, some did not.
    expect(succeeded.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    // Every task whose creation the client saw succeed fired exactly once, on its own path, and completed.
    expect(succeededTwice.map((s) => `${s.id}: ${calls.get(s.id)?.length ?? 0} calls`)).toEqual([]);
    for (const { i, id } of succeeded) expect(pathCalls(i).map((r) => r.headers['idempotency-key'])).toEqual([id]);
    expect([...finished.values()].filter((t) => t.status !== 'completed').map((t) => `${t.id}: ${t.status}`)).toEqual([]);
    // A task whose 201 was lost fired at most once, and the restarted API knows it as completed.
    for (const { i } of failedThatFired) {
      const seen = pathCalls(i);
      expect(seen).toHaveLength(1);
      const id = String(seen[0].headers['idempotency-key']);
      expect((await system.waitUntilFinished([id], 15_000)).get(id)?.status).toBe('completed');
    }
    // A POST the API never received (connection refused) created nothing.
    expect(failed.filter((f) => f.refused && pathCalls(f.i).length > 0)).toEqual([]);
  });

  it('creates and fires every task exactly once when clients retry their lost POSTs with the same Idempotency-Key', async () => {
    const body = (i: number) => ({ url: system.target.url(`/keyed/${i}`), delayMs: 3_000, body: { i } });
    const key = (i: number) => `keyed-${i}`;
    const outcomes: CreateOutcome[] = [];
    let answered = 0;
    const burst = (async () => {
      for (let first = 0; first < TOTAL; first += BATCH) {
        await Promise.all(
          Array.from({ length: BATCH }, async (_, j) => {
            outcomes[first + j] = await system.createTask(body(first + j), key(first + j));
            answered++;
          }),
        );
      }
    })();
    await eventually(() => Promise.resolve(answered >= TOTAL / 2 - BATCH / 2 ? true : undefined), 60_000, 5);
    await system.killApi();
    await burst;
    const lost = outcomes.flatMap((o, i) => (o.ok ? [] : [i]));
    await system.startApi();

    // Each client retries what failed, with the same key and body, until it gets an answer.
    for (const i of lost) outcomes[i] = await system.createTask(body(i), key(i));
    const retried = lost.map((i) => outcomes[i]);
    const ids = outcomes.map((o) => (o.ok ? o.task.id : `failed ${o.status}: ${o.error}`));
    await system.waitUntilFinished(ids, 90_000);
    await sleep(1_500);

    const callsPerTask = outcomes.map((_, i) => system.target.requests(`/keyed/${i}`).length);
    console.log(
      `api kill -9 with Idempotency-Keys: ${lost.length} of ${TOTAL} POSTs lost and retried after the restart ` +
        `(${retried.filter((o) => o.ok && o.status === 200).length} answered 200: created before the kill; ` +
        `${retried.filter((o) => o.ok && o.status === 201).length} answered 201: never created); calls per task: ` +
        `${callsPerTask.filter((n) => n === 1).length} exactly once, ${callsPerTask.filter((n) => n !== 1).length} not`,
    );
    expect(lost.length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(new Set(ids).size).toBe(TOTAL);
    expect(callsPerTask).toEqual(Array.from({ length: TOTAL }, () => 1));
    for (const [i, id] of ids.entries()) expect(system.target.requests(`/keyed/${i}`)[0].headers['idempotency-key']).toBe(id);
  });
});
