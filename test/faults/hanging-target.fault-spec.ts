import { FaultSystem } from './support/fault-system';

const HANG_MS = 5_000;

describe('a target that hangs (built worker and API as processes)', () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start();
  });
  afterAll(async () => {
    // The target's stop() clears its pending HANG_MS answers.
    await system?.teardown();
  });

  it('fails a task with timeoutMs 500 and retries 2 after exactly 3 timed-out attempts, each cut at ~500 ms', async () => {
    system.target.respond('/hang', () => ({ status: 200, body: { late: true }, delayMs: HANG_MS }));
    const task = await system.mustCreateTask({ url: system.target.url('/hang'), timeoutMs: 500, retries: 2, retryIntervalMs: 200 });

    const done = (await system.waitUntilFinished([task.id], 30_000)).get(task.id)!;
    console.log(`hanging target: status ${done.status}, attempt durations ${done.attempts.map((a) => a.durationMs).join(', ')} ms`);
    expect(done.status).toBe('failed');
    expect(done.attempts).toHaveLength(3);
    done.attempts.forEach((attempt, i) => {
      expect(attempt).toMatchObject({ number: i + 1, statusCode: null, error: 'timed out after 500 ms' });
      expect(attempt.durationMs).toBeGreaterThanOrEqual(500);
      expect(attempt.durationMs).toBeLessThanOrEqual(900);
    });

    const calls = system.target.requests('/hang');
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.headers['x-task-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(calls.map((c) => c.headers['idempotency-key']))).toEqual(new Set([task.id]));
  });
});
