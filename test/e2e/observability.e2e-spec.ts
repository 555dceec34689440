import request from 'supertest';
import { createApiApp } from '../../apps/api/src/app.setup';
import { loadConfig } from '../../libs/runtime/config';
import { TEST_JWT_SECRET } from '../support/jwt';
import { TEST_PAYLOAD_KEYS } from '../support/payload-keys';
import { TEST_WEBHOOK_SECRET } from '../support/webhook-secret';
import { testSystemPerFile } from '../support/test-system';
import { eventually } from '../support/wait';

/** The value of one Prometheus sample, e.g. `name{a="b"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('health and metrics (e2e, dev server)', () => {
  const system = testSystemPerFile();
  const anonymous = () => request(system.baseUrl);

  it('answers liveness and readiness without a token', async () => {
    expect((await anonymous().get('/health/live').expect(200)).body).toEqual({ status: 'up' });
    const ready = await anonymous().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', api: 'up', temporal: { status: 'up', address: system.config.temporal.address } });
    expect((await anonymous().get('/health').expect(200)).body.status).toBe('ok');
  });

  it('reports readiness 503 with the reason while Temporal is unreachable, and stays live', async () => {
    // An API alone, pointed at a closed port: its lazy connection fails on the check.
    const app = await createApiApp(
      loadConfig({
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        JWT_SECRET: TEST_JWT_SECRET,
        WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
        PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
        LOG_LEVEL: 'silent',
      }),
    );
    await app.init();
    try {
      const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ status: 'degraded', api: 'up', temporal: { status: 'down', address: '127.0.0.1:1' } });
      expect(res.body.temporal.error).toEqual(expect.any(String));
      await request(app.getHttpServer()).get('/health/live').expect(200);
    } finally {
      await app.close();
    }
  });

  it('counts API requests by route template and status, with their latency, on /metrics', async () => {
    await system.api().get('/tasks/task-00000000-0000-0000-0000-000000000000').expect(404);
    await system.api().get('/tasks/task-00000000-0000-0000-0000-000000000001').expect(404);
    const { text } = await anonymous()
      .get('/metrics')
      .expect(200)
      .expect('content-type', /text\/plain/);
    expect(sample(text, 'scheduler_api_requests_total{method="GET",route="/tasks/:id",status="404"}')).toBe(2);
    expect(sample(text, 'scheduler_api_request_duration_seconds_count{method="GET",route="/tasks/:id"}')).toBe(2);
    expect(text).toContain('scheduler_api_process_cpu_seconds_total');
    expect(text).not.toContain('task-00000000');
  });

  it("serves the worker's metrics: the SDK's, and the product's attempts and fire lateness", async () => {
    const metricsUrl = process.env.TEST_WORKER_METRICS_URL!;
    const { body: task } = await system
      .api()
      .post('/tasks')
      .send({ url: system.target.url('/metered'), delayMs: 1_000 })
      .expect(201);
    await system.target.waitForRequests('/metered', 1, 10_000);
    const text = await eventually(async () => {
      const body = await (await fetch(metricsUrl)).text();
      return /scheduler_fire_lateness_count\{[^}]*target="http"[^}]*\} [1-9]/.test(body) ? body : undefined;
    });
    expect(text).toMatch(/scheduler_call_attempts\{[^}]*outcome="succeeded"[^}]*target="http"[^}]*\} [1-9]/);
    expect(text).toMatch(/scheduler_fire_lateness_bucket\{[^}]*le="1000"[^}]*\} [1-9]/);
    expect(text).toContain('scheduler_calls_held');
    expect(text).toMatch(/temporal_(workflow_task|activity)/);
    expect(task.id).toMatch(/^task-/);
  });
});
