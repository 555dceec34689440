import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MOTO_ACCOUNT_ID, startMotoServer, type MotoServer } from '../support/moto-server';
import { SqsTarget } from '../support/sqs-target';
import { testSystemPerFile, type TestSystem } from '../support/test-system';
import { eventually } from '../support/wait';

async function finished(system: TestSystem, kind: 'tasks' | 'orchestrations', id: string): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const { body } = await system.api().get(`/${kind}/${id}`).expect(200);
    return ['completed', 'failed'].includes(body.status) ? (body as Record<string, unknown>) : undefined;
  }, 20_000);
}

describe('SQS targets against moto (e2e, dev server)', () => {
  let moto: MotoServer;
  let sqs: SQSClient;
  let restore: () => void;
  const queueUrl = (name: string) => `https://sqs.us-east-1.amazonaws.com/${MOTO_ACCOUNT_ID}/${name}`;

  beforeAll(async () => {
    moto = await startMotoServer();
    restore = moto.useAsAwsEndpoint('SQS');
    sqs = new SQSClient({ endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials });
    await sqs.send(new CreateQueueCommand({ QueueName: 'orders' }));
    await sqs.send(new CreateQueueCommand({ QueueName: 'orders.fifo', Attributes: { FifoQueue: 'true' } }));
  }, 120_000);
  const system = testSystemPerFile();
  afterAll(async () => {
    restore?.();
    sqs?.destroy();
    await moto?.stop();
  });

  async function received(name: string) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl(name), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }),
    );
    return Messages ?? [];
  }

  it('sends the message at its time, with the key, task id and attempt as attributes; the result is the MessageId', async () => {
    const { body: task } = await system
      .api()
      .post('/tasks')
      .send({ sqs: { queueUrl: queueUrl('orders'), messageBody: { orderId: 42 } }, delayMs: 1_000 })
      .expect(201);
    expect(task).toMatchObject({ status: 'scheduled', sqs: { queueUrl: queueUrl('orders'), messageBody: { orderId: 42 } } });
    const done = await finished(system, 'tasks', task.id);
    const [message] = await received('orders');
    expect(JSON.parse(message.Body!)).toEqual({ orderId: 42 });
    expect(message.MessageAttributes).toEqual({
      'idempotency-key': { DataType: 'String', StringValue: task.id },
      'x-task-id': { DataType: 'String', StringValue: task.id },
      'x-task-attempt': { DataType: 'Number', StringValue: '1' },
    });
    expect(done).toMatchObject({ status: 'completed', result: { statusCode: 200, body: { messageId: message.MessageId } } });
    const list = await system.api().get('/tasks').query({ status: 'completed' }).expect(200);
    expect(list.body.items.find((t: { id: string }) => t.id === task.id)).toMatchObject({ queue: queueUrl('orders') });
  });

  it('deduplicates on a FIFO queue by the Idempotency-Key unless given its own id', async () => {
    const { body: task } = await system
      .api()
      .post('/tasks')
      .send({ sqs: { queueUrl: queueUrl('orders.fifo'), messageBody: 'hello', messageGroupId: 'customer-7' } })
      .expect(201);
    await finished(system, 'tasks', task.id);
    const [message] = await received('orders.fifo');
    expect(message.Body).toBe('"hello"');
  });

  it('fails at once, without retries, for a queue that does not exist', async () => {
    const { body: task } = await system
      .api()
      .post('/tasks')
      .send({ sqs: { queueUrl: queueUrl('nowhere'), messageBody: {} }, retries: 3, retryIntervalMs: 100 })
      .expect(201);
    const done = await finished(system, 'tasks', task.id);
    expect(done.status).toBe('failed');
    expect(done.attempts).toHaveLength(1);
    expect((done.attempts as Array<{ error: string }>)[0].error).toMatch(/NonExistentQueue|QueueDoesNotExist/);
  });

  it('sends the message of a task that a PATCH turned from an HTTP call into an SQS one (with flowControl and retryOn), and never the HTTP call', async () => {
    await sqs.send(new CreateQueueCommand({ QueueName: 'patched' }));
    const { body: task } = await system
      .api()
      .post('/tasks')
      .send({ url: system.target.url('/sqs/never'), method: 'PUT', delayMs: 3_000 })
      .expect(201);
    const sqsCall = { queueUrl: queueUrl('patched'), messageBody: { patched: true } };
    const { body: patched } = await system
      .api()
      .patch(`/tasks/${task.id}`)
      .send({ sqs: sqsCall, flowControl: { maxInFlight: 1 }, retryOn: 'transient' })
      .expect(200);
    expect(patched).toMatchObject({ status: 'scheduled', sqs: sqsCall, flowControl: { maxInFlight: 1 }, retryOn: 'transient' });
    expect(patched).not.toHaveProperty('url');
    const done = await finished(system, 'tasks', task.id);
    const [message] = await received('patched');
    expect(JSON.parse(message.Body!)).toEqual({ patched: true });
    expect(done).toMatchObject({ status: 'completed', result: { body: { messageId: message.MessageId } } });
    expect(system.target.requests('/sqs/never')).toEqual([]);
  });

  it("sends an orchestration step's message with an earlier call's answer in it", async () => {
    system.target.respond('/sqs/quote', () => ({ status: 200, body: { price: 9.5 } }));
    const { body: orch } = await system
      .api()
      .post('/orchestrations')
      .send({
        steps: [
          { id: 'quote', url: system.target.url('/sqs/quote') },
          {
            sqs: {
              queueUrl: queueUrl('orders'),
              messageBody: { price: '{{calls.quote.body.price}}', note: 'at {{calls.quote.body.price}}' },
            },
          },
        ],
        conditionCheck: { url: system.target.url('/sqs/check') },
      })
      .expect(201);
    expect((await finished(system, 'orchestrations', orch.id)).status).toBe('completed');
    const [message] = await received('orders');
    expect(JSON.parse(message.Body!)).toEqual({ price: 9.5, note: 'at 9.5' });
  });
});

describe('SQS error paths, against a loopback SQS endpoint (e2e, dev server)', () => {
  let target: SqsTarget;
  let restore: () => void;
  const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs';

  beforeAll(async () => {
    target = await SqsTarget.start('eu-west-1');
    restore = target.useAsAwsEndpoint();
  });
  const system = testSystemPerFile();
  afterAll(async () => {
    restore?.();
    await target?.stop();
  });

  it('retries throttling and service faults (also under retryOn: transient), then succeeds', async () => {
    target.answer((n) =>
      n === 0
        ? { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' }
        : n === 1
          ? { status: 500, code: 'InternalError', message: 'boom' }
          : null,
    );
    const { body: task } = await system
      .api()
      .post('/tasks')
      .send({ sqs: { queueUrl, messageBody: { n: 1 } }, retries: 3, retryIntervalMs: 50, retryOn: 'transient' })
      .expect(201);
    const done = await finished(system, 'tasks', task.id);
    expect(done.status).toBe('completed');
    expect(
      (done.attempts as Array<{ statusCode: number; error: string | null }>).map((a) => [a.statusCode, a.error?.split(':')[0] ?? null]),
    ).toEqual([
      [400, 'ThrottlingException'],
      [500, 'InternalError'],
      [200, null],
    ]);
    expect(target.messages().map((m) => m.attributes['x-task-attempt'])).toEqual(['1', '2', '3']);
  });

  it('ends at once on access denied under retryOn: transient', async () => {
    target.answer(() => ({ status: 403, code: 'AccessDenied', message: 'not yours' }));
    const { body: task } = await system
      .api()
      .post('/tasks')
      .send({ sqs: { queueUrl, messageBody: {} }, retries: 3, retryIntervalMs: 50, retryOn: 'transient' })
      .expect(201);
    const done = await finished(system, 'tasks', task.id);
    expect(done).toMatchObject({ status: 'failed', attempts: [{ statusCode: 403 }] });
  });
});
