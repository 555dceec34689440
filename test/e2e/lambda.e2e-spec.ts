import { setTimeout as sleep } from 'node:timers/promises';
import { LambdaTarget } from '../support/lambda-target';
import { startTestSystem, testSystemPerFile } from '../support/test-system';
import { eventually } from '../support/wait';

interface AttemptBody {
  number: number;
  statusCode: number | null;
  error: string | null;
}

describe('Lambda targets (e2e, dev server, a loopback Lambda Invoke endpoint)', () => {
  let lambda: LambdaTarget;
  let restoreEnv: () => void;

  beforeAll(async () => {
    lambda = await LambdaTarget.start({ region: 'eu-central-1' });
    // The worker finds Lambda as in production: AWS_ENDPOINT_URL_LAMBDA, region and credentials from the environment.
    restoreEnv = lambda.useAsAwsEndpoint();
  });
  const system = testSystemPerFile();
  const api = () => system.api();
  afterAll(async () => {
    restoreEnv?.();
    await lambda?.stop();
  });

  async function finished(path: 'tasks' | 'orchestrations', id: string) {
    return eventually(async () => {
      const { body } = await api().get(`/${path}/${id}`).expect(200);
      return ['completed', 'failed'].includes(body.status) ? body : undefined;
    }, 20_000);
  }

  it('invokes a function by ARN at its time, with the key in the client context, and shows the call as given', async () => {
    lambda.register('report', (event) => ({ statusCode: 200, body: JSON.stringify({ got: event }) }));
    const call = { function: lambda.arn('report'), payload: { reportId: 42 } };
    const { body: task } = await api().post('/tasks').send({ lambda: call, delayMs: 1_500, name: 'lambda report' }).expect(201);
    expect(task).toMatchObject({ status: 'scheduled', lambda: { ...call, invocationType: 'RequestResponse' }, timeoutMs: 10000 });
    expect(task).not.toHaveProperty('url');

    const done = await finished('tasks', task.id);
    const [invocation] = lambda.invocations('report');
    expect(invocation.arrivedAt - Date.parse(task.runAt)).toBeGreaterThanOrEqual(0);
    expect(invocation.arrivedAt - Date.parse(task.runAt)).toBeLessThan(1000);
    expect(invocation.clientContext).toEqual({ custom: { 'idempotency-key': task.id, 'x-task-id': task.id, 'x-task-attempt': '1' } });
    expect(JSON.parse(invocation.payload)).toEqual({ reportId: 42 });
    expect(done).toMatchObject({
      status: 'completed',
      attempts: [{ number: 1, statusCode: 200, error: null }],
      result: {
        statusCode: 200,
        body: { statusCode: 200, body: '{"got":{"reportId":42}}' },
        bodyTruncated: false,
        executedVersion: '$LATEST',
      },
    });
    const listed = await eventually(async () => {
      const { body } = await api().get('/tasks').query({ status: 'completed' }).expect(200);
      return body.items.find((t: { id: string }) => t.id === task.id);
    });
    expect(listed).toMatchObject({ name: 'lambda report', function: lambda.arn('report') });
    expect(listed).not.toHaveProperty('url');
  });

  it('retries a FunctionError under the task policy until the function succeeds', async () => {
    let calls = 0;
    lambda.register('flaky', () => {
      calls++;
      if (calls < 3) throw new Error(`not ready (${calls})`);
      return { ok: true };
    });
    const { body: task } = await api()
      .post('/tasks')
      .send({ lambda: { function: 'flaky' }, retries: 3, retryIntervalMs: 200 })
      .expect(201);
    const done = await finished('tasks', task.id);
    expect(done.status).toBe('completed');
    expect(done.attempts.map((a: AttemptBody) => [a.number, a.statusCode, a.error])).toEqual([
      [1, 200, 'FunctionError (Unhandled): Error: not ready (1)'],
      [2, 200, 'FunctionError (Unhandled): Error: not ready (2)'],
      [3, 200, null],
    ]);
    expect(
      lambda.invocations('flaky').map((i) => (i.clientContext as { custom: Record<string, string> }).custom['x-task-attempt']),
    ).toEqual(['1', '2', '3']);
  });

  it('fails a task whose function does not exist at once, without retries, naming why', async () => {
    const { body: task } = await api()
      .post('/tasks')
      .send({ lambda: { function: 'no-such-function' }, retries: 5, retryIntervalMs: 100 })
      .expect(201);
    const done = await finished('tasks', task.id);
    expect(done.status).toBe('failed');
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0].error).toMatch(
      /^ResourceNotFoundException: Function not found: arn:aws:lambda:eu-central-1:123456789012:function:no-such-function/,
    );
    expect(done.error).toBe(`attempt 1 failed: ${done.attempts[0].error}`);
  });

  it('runs an orchestration whose steps and check are Lambdas: a check passes on a 2xx statusCode in the payload, else is retried', async () => {
    lambda.register('reserve', () => ({ reserved: true }));
    lambda.register('ship', () => ({ shipped: true }));
    let checks = 0;
    lambda.register('ready', () => ({ statusCode: ++checks % 2 === 1 ? 409 : 200 }));
    const { body: orch } = await api()
      .post('/orchestrations')
      .send({
        steps: [{ lambda: { function: 'reserve', payload: { orderId: 7 } } }, { lambda: { function: 'ship' } }],
        conditionCheck: { lambda: { function: 'ready' }, delayMs: 100, retries: 2, retryIntervalMs: 100 },
        fallback: { lambda: { function: 'undo' } },
      })
      .expect(201);
    const done = await finished('orchestrations', orch.id);
    expect(done.status).toBe('completed');
    expect(done.steps.map((s: { lambda: { function: string }; status: string }) => [s.lambda.function, s.status])).toEqual([
      ['reserve', 'passed'],
      ['ship', 'passed'],
    ]);
    expect(done.steps[0].checkAttempts.map((a: AttemptBody) => [a.number, a.error])).toEqual([
      [1, 'check did not pass: the function answered statusCode 409'],
      [2, null],
    ]);
    expect(done.conditionCheck).toMatchObject({ lambda: { function: 'ready', invocationType: 'RequestResponse' }, delayMs: 100 });
    expect(
      lambda.invocations('ready').map((i) => (i.clientContext as { custom: Record<string, string> }).custom['idempotency-key']),
    ).toEqual([`${orch.id}:step-1:check-1`, `${orch.id}:step-1:check-2`, `${orch.id}:step-2:check-1`, `${orch.id}:step-2:check-2`]);
    expect(lambda.invocations('undo')).toHaveLength(0);
  });

  it('queues an Event invocation, which succeeds on 202', async () => {
    lambda.register('fire-and-forget', () => ({ done: true }));
    const { body: task } = await api()
      .post('/tasks')
      .send({ lambda: { function: 'fire-and-forget', invocationType: 'Event', payload: { n: 1 } } })
      .expect(201);
    const done = await finished('tasks', task.id);
    expect(done).toMatchObject({ status: 'completed', attempts: [{ statusCode: 202, error: null }] });
    await eventually(() => Promise.resolve(lambda.invocations('fire-and-forget').length === 1 ? true : undefined));
  });

  it('switches a sleeping task from a URL to a function with PATCH', async () => {
    lambda.register('switched', () => ({ ok: true }));
    const { body: task } = await api()
      .post('/tasks')
      .send({ url: system.target.url('/never'), delayMs: 3_600_000 })
      .expect(201);
    const { body: patched } = await api()
      .patch(`/tasks/${task.id}`)
      .send({ lambda: { function: 'switched' }, delayMs: 500 })
      .expect(200);
    expect(patched).toMatchObject({ lambda: { function: 'switched', invocationType: 'RequestResponse' }, timeoutMs: 10000 });
    expect(patched).not.toHaveProperty('url');
    expect((await finished('tasks', task.id)).status).toBe('completed');
    await sleep(200);
    expect(system.target.requests('/never')).toHaveLength(0);
    expect(lambda.invocations('switched')).toHaveLength(1);
    const refused = await api()
      .post('/tasks')
      .send({ lambda: { function: 'switched' }, delayMs: 3_600_000 })
      .expect(201);
    // A valid change that does not fit the task as it is: a conflict with its state, not bad input.
    const wrong = await api().patch(`/tasks/${refused.body.id}`).send({ method: 'PUT' }).expect(409);
    expect(wrong.body.message).toBe('method need a url: this call invokes a Lambda function');
    await api().post(`/tasks/${refused.body.id}/cancel`).expect(200);
  });

  describe('bad input', () => {
    it.each([
      ['url with lambda', { url: 'https://example.com/x', lambda: { function: 'f' } }, 'url', 'url and lambda cannot be given together'],
      ['method with lambda', { lambda: { function: 'f' }, method: 'PUT' }, 'method', 'method and lambda cannot be given together'],
      [
        'a bad function name',
        { lambda: { function: 'not a function!' } },
        'lambda.function',
        'lambda.function must be a function name, name:alias, or a full or partial function ARN',
      ],
      [
        'an unknown invocation type',
        { lambda: { function: 'f', invocationType: 'DryRun' } },
        'lambda.invocationType',
        'lambda.invocationType must be one of RequestResponse, Event',
      ],
      [
        'a bad qualifier',
        { lambda: { function: 'f', qualifier: 'v 1' } },
        'lambda.qualifier',
        'lambda.qualifier must be a version number, an alias or $LATEST',
      ],
      ['lambda as a string', { lambda: 'f' }, 'lambda', 'lambda must be an object: { function, qualifier?, payload?, invocationType? }'],
    ])('answers 400 to %s', async (_what, payload, field, message) => {
      const res = await api().post('/tasks').send(payload).expect(400);
      expect(res.body.errors).toContainEqual({ field, messages: [message] });
    });

    it('answers 413 to a payload over the body limit, and 400 to one under it but over the Lambda payload limit', async () => {
      const huge = { lambda: { function: 'f', payload: { blob: 'x'.repeat(300 * 1024) } } };
      await api().post('/tasks').send(huge).expect(413);
      const roomy = await startTestSystem({ API_BODY_LIMIT_BYTES: String(512 * 1024) });
      try {
        const res = await roomy.api().post('/tasks').send(huge).expect(400);
        expect(res.body.errors).toEqual([{ field: 'lambda.payload', messages: ['payload is 307211 bytes as JSON; at most 262144'] }]);
      } finally {
        await roomy.teardown();
      }
    });
  });
});
