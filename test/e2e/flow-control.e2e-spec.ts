import { testSystemPerFile } from '../support/test-system';
import { eventually } from '../support/wait';

/** The most arrivals in any window of `windowMs` (sliding). */
function mostInAnyWindow(arrivals: number[], windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('flow control across workers: calls over the limit wait their turn (e2e, dev server)', () => {
  const system = testSystemPerFile();
  const api = () => system.api();

  async function finished(kind: 'tasks' | 'orchestrations', id: string): Promise<Record<string, unknown>> {
    await eventually(
      async () => {
        const { status } = (await api().get(`/${kind}/${id}/status`).expect(200)).body as { status: string };
        return ['completed', 'failed', 'cancelled'].includes(status) ? status : undefined;
      },
      60_000,
      200,
    );
    return (await api().get(`/${kind}/${id}`).expect(200)).body as Record<string, unknown>;
  }

  it('sends 30 tasks due at one instant at 10 a second, in due-time order, none lost or twice, each waiting its turn', async () => {
    const runAt = new Date(Date.now() + 4_000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const { body } = await api()
        .post('/tasks')
        .send({ url: system.target.url(`/rate/${i}`), runAt, flowControl: { key: 'rate-test', ratePerSecond: 10 } })
        .expect(201);
      ids.push(body.id);
    }
    await eventually(() => Promise.resolve(system.target.requestsUnder('/rate/').length >= 30 ? true : undefined), 30_000, 100);
    const requests = system.target.requestsUnder('/rate/');
    expect(new Set(requests.map((r) => r.headers['idempotency-key'])).size).toBe(30);
    const arrivals = requests.map((r) => r.arrivedAt);
    const spanMs = Math.max(...arrivals) - Math.min(...arrivals);
    console.log(`flow control 10/s: 30 calls over ${spanMs} ms, at most ${mostInAnyWindow(arrivals, 1_000)} in any second`);
    expect(mostInAnyWindow(arrivals, 1_000)).toBeLessThanOrEqual(10);
    expect(spanMs).toBeGreaterThanOrEqual(2_700);
    expect(Math.min(...arrivals)).toBeGreaterThanOrEqual(Date.parse(runAt));

    const last = await finished('tasks', ids[29]);
    const attempts = last.attempts as Array<{ waitedMs?: number }>;
    expect(attempts).toHaveLength(1);
    expect(attempts[0].waitedMs).toBeGreaterThan(1_500);
    const counts = await Promise.all(ids.map((id) => finished('tasks', id).then((t) => (t.status === 'completed' ? 1 : 0))));
    expect(counts.reduce((a: number, b: number) => a + b, 0)).toBe(30);
  });

  it('records each wait in whole ms at a rate whose slots fall between them (3 a second: 333.3 ms apart)', async () => {
    const runAt = new Date(Date.now() + 3_000).toISOString();
    const ids = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const { body } = await api()
          .post('/tasks')
          .send({ url: system.target.url(`/thirds/${i}`), runAt, flowControl: { key: 'thirds', ratePerSecond: 3 } })
          .expect(201);
        return body.id as string;
      }),
    );
    const waits = (await Promise.all(ids.map((id) => finished('tasks', id))))
      .map((task) => (task.attempts as Array<{ waitedMs?: number }>)[0].waitedMs ?? 0)
      .sort((a, b) => a - b);
    expect(waits.map((ms) => Number.isInteger(ms))).toEqual([true, true, true, true]);
    // The fourth waits for three slots, 1,000 ms after the first's.
    expect(waits[3] - waits[0]).toBeGreaterThanOrEqual(999);
  });

  it('never has more than maxInFlight calls open at a slow target', async () => {
    system.target.respond('/slow', () => ({ status: 200, body: { ok: true }, delayMs: 1_000 }));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { body } = await api()
        .post('/tasks')
        .send({ url: system.target.url('/slow'), flowControl: { maxInFlight: 2 } })
        .expect(201);
      ids.push(body.id);
    }
    await Promise.all(ids.map((id) => finished('tasks', id)));
    const arrivals = system.target.requests('/slow').map((r) => r.arrivedAt);
    expect(arrivals).toHaveLength(5);
    // Each call is open for the target's 1 s: at most 2 at once means at most 2 arrivals in any 1 s.
    expect(mostInAnyWindow(arrivals, 990)).toBe(2);
  });

  it('holds parallel branches to the limit too, and records the wait on the attempts', async () => {
    system.target.respond('/branch', () => ({ status: 200, body: { ok: true }, delayMs: 300 }));
    const call = { url: system.target.url('/branch'), flowControl: { key: 'one-at-a-time', maxInFlight: 1 } };
    const { body } = await api()
      .post('/orchestrations')
      .send({ steps: [{ parallel: [[call], [call], [call]] }], conditionCheck: { url: system.target.url('/branch-check') } })
      .expect(201);
    const done = await finished('orchestrations', body.id);
    expect(done.status).toBe('completed');
    const arrivals = system.target.requests('/branch').map((r) => r.arrivedAt);
    expect(mostInAnyWindow(arrivals, 290)).toBe(1);
    const branches = (done.steps as Array<{ branches: Array<{ calls: Array<{ attempts: Array<{ waitedMs?: number }> }> }> }>)[0].branches;
    const waits = branches.map((b) => b.calls[0].attempts[0].waitedMs ?? 0).sort((a, b) => a - b);
    // The first waits only for the limiter to answer; the last for the two before it (300 ms each).
    expect(waits[0]).toBeLessThan(500);
    expect(waits[2] - waits[0]).toBeGreaterThanOrEqual(500);
  });

  it('refuses flow control without a limit, a rate of 0 or below one call in 10,000 s, and keys that are not printable', async () => {
    const { body } = await api()
      .post('/tasks')
      .send({ url: system.target.url('/never'), flowControl: { key: 'k' } })
      .expect(400);
    expect(body.errors).toEqual([{ field: 'flowControl', messages: ['flowControl needs ratePerSecond, maxInFlight, or both'] }]);
    for (const ratePerSecond of [0, 2.225073858507e-311, 0.00009]) {
      const slow = await api()
        .post('/tasks')
        .send({ url: system.target.url('/never'), flowControl: { ratePerSecond } })
        .expect(400);
      expect(slow.body.errors).toEqual([
        { field: 'flowControl.ratePerSecond', messages: ['flowControl.ratePerSecond must be at least 0.0001 (one call every 10000 s)'] },
      ]);
    }
    const key = await api()
      .post('/tasks')
      .send({ url: system.target.url('/never'), flowControl: { key: 'a\nb', maxInFlight: 1 } })
      .expect(400);
    expect(key.body.errors[0].field).toBe('flowControl.key');
  });
});
