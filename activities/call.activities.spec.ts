import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import type { CallInput, CallOutcome, HttpRequestSpec, LambdaRequestSpec } from '../common';
import { freePort } from '../libs/runtime/dev-server';
import { HttpTarget } from '../test/support/http-target';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { handledError, LambdaTarget } from '../test/support/lambda-target';
import { noopMetricMeter } from '@temporalio/common';
import { createCallActivities } from './call.activities';
import { createSqsSender } from './sqs-send';
import { createCallMetrics } from './call-metrics';
import { HeldCalls } from './held-calls';
import { createLambdaInvoker } from './lambda-invoke';
import { testOutboundFetch } from '../test/support/outbound';
import { decodeWebhookSecret, ownerSigningKey, verifyWebhook } from './webhook-signature';

// Failing attempts on purpose would log a warning each.
const quiet = { logger: new DefaultLogger('ERROR') };
const master = decodeWebhookSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
const aliceKey = ownerSigningKey(master, 'alice');
const outboundFetch = testOutboundFetch();
const lambdaClients: LambdaClient[] = [];
let lambdaTarget: LambdaTarget;
const invokeLambda = createLambdaInvoker({
  responseBodyLimitBytes: 64,
  clientFor: (region) => {
    const client = new LambdaClient({
      region: region ?? 'us-east-1',
      endpoint: lambdaTarget.endpoint,
      credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback-secret' },
      maxAttempts: 1,
    });
    lambdaClients.push(client);
    return client;
  },
});
const { httpCall, lambdaCall } = createCallActivities({
  masterSigningKey: master,
  responseBodyLimitBytes: 16,
  userAgent: 'unit-test',
  outboundFetch,
  invokeLambda,
  sendSqs: createSqsSender(),
  metrics: createCallMetrics(noopMetricMeter),
  heldCalls: new HeldCalls(),
});

/** The typed failure an activity failed with. */
async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('httpCall activity (real loopback target)', () => {
  let target: HttpTarget;
  beforeAll(async () => {
    target = await HttpTarget.start();
  });
  afterAll(async () => {
    await target.stop();
    await outboundFetch.close();
  });

  function input(path: string, overrides: Partial<CallInput<HttpRequestSpec>['request']> = {}): CallInput<HttpRequestSpec> {
    return {
      request: { url: target.url(path), method: 'POST', headers: { 'X-Custom': 'yes' }, body: { n: 1 }, timeoutMs: 2000, ...overrides },
      idempotencyKey: 'task-1',
      taskId: 'task-1',
      ownerId: 'alice',
    };
  }

  it('sends the JSON body with its headers, signed, and returns the parsed response', async () => {
    const outcome: CallOutcome = await new MockActivityEnvironment({ attempt: 2 }, quiet).run(httpCall, input('/ok'));
    const [request] = target.requests('/ok');
    expect(request.body).toBe('{"n":1}');
    expect(request.headers).toMatchObject({
      'x-custom': 'yes',
      'user-agent': 'unit-test',
      'x-task-attempt': '2',
      'idempotency-key': 'task-1',
    });
    expect(verifyWebhook(aliceKey, request.headers as Record<string, string>, request.body)).toBe(true);
    expect(verifyWebhook(ownerSigningKey(master, 'bob'), request.headers as Record<string, string>, request.body)).toBe(false);
    expect(outcome.result).toEqual({ statusCode: 200, body: { ok: true }, bodyTruncated: false });
    expect(outcome.attempts.map((a) => [a.number, a.statusCode, a.error])).toEqual([
      [1, null, 'attempt did not report back (its worker stopped or it exceeded the activity timeout)'],
      [2, 200, null],
    ]);
  });

  it('cuts a long response body to the limit and says so', async () => {
    target.respond('/long', () => ({ status: 200, body: 'x'.repeat(100) }));
    const outcome: CallOutcome = await new MockActivityEnvironment(undefined, quiet).run(httpCall, input('/long'));
    expect(outcome.result).toEqual({ statusCode: 200, body: '"xxxxxxxxxxxxxxx', bodyTruncated: true });
  });

  it('fails an attempt on a non-2xx status, carrying the attempt and the response', async () => {
    target.respond('/teapot', () => ({ status: 418, body: { no: 1 } }));
    const err = await failure(new MockActivityEnvironment(undefined, quiet).run(httpCall, input('/teapot')));
    expect(err.type).toBe('HttpAttemptFailed');
    expect(err.message).toBe('attempt 1 failed: HTTP 418');
    const outcome = err.details?.[0] as CallOutcome;
    expect(outcome.result).toEqual({ statusCode: 418, body: { no: 1 }, bodyTruncated: false });
  });

  it('fails an attempt that exceeds timeoutMs', async () => {
    target.respond('/hang', () => ({ status: 200, delayMs: 1000 }));
    const started = Date.now();
    const err = await failure(new MockActivityEnvironment(undefined, quiet).run(httpCall, input('/hang', { timeoutMs: 200 })));
    expect(err.message).toBe('attempt 1 failed: timed out after 200 ms');
    expect(Date.now() - started).toBeLessThan(800);
  });

  it('signs with the owner-less default key an activity scheduled before calls carried their owner', async () => {
    await new MockActivityEnvironment(undefined, quiet).run(httpCall, { ...input('/legacy'), ownerId: undefined });
    const [request] = target.requests('/legacy');
    expect(verifyWebhook(ownerSigningKey(master, 'default'), request.headers as Record<string, string>, request.body)).toBe(true);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'destination not allowed: 169.254.169.254 (linkLocal)'],
    ['http://10.0.0.7:8080/internal', 'destination not allowed: 10.0.0.7 (private)'],
    ['http://[fd00:ec2::254]/', 'destination not allowed: fd00:ec2::254 (uniqueLocal)'],
  ])('fails a call to %s for good, without retries, saying why', async (url, message) => {
    const err = await failure(
      new MockActivityEnvironment(undefined, quiet).run(httpCall, { ...input('/x'), request: { ...input('/x').request, url } }),
    );
    expect(err.type).toBe('HttpInvalidRequest');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toBe(`attempt 1 failed: ${message}`);
    const outcome = err.details?.[0] as CallOutcome;
    expect(outcome.attempts.map((a) => [a.number, a.statusCode, a.error])).toEqual([[1, null, message]]);
  });

  it('fails an attempt on a refused connection', async () => {
    const closedPort = await freePort();
    const err = await failure(
      new MockActivityEnvironment(undefined, quiet).run(httpCall, {
        ...input('/x'),
        request: { ...input('/x').request, url: `http://127.0.0.1:${closedPort}/x` },
      }),
    );
    expect(err.message).toBe(`attempt 1 failed: connect ECONNREFUSED 127.0.0.1:${closedPort}`);
  });

  it('holds a call dispatched early until notBefore', async () => {
    const notBefore = Date.now() + 150;
    await new MockActivityEnvironment(undefined, quiet).run(httpCall, { ...input('/held'), notBefore: new Date(notBefore).toISOString() });
    expect(target.requests('/held')[0].arrivedAt).toBeGreaterThanOrEqual(notBefore);
  });

  it('sends no body with GET', async () => {
    await new MockActivityEnvironment(undefined, quiet).run(httpCall, input('/get', { method: 'GET' }));
    expect(target.requests('/get')[0]).toMatchObject({ method: 'GET', body: '' });
  });
});

describe('lambdaCall activity (loopback Lambda Invoke endpoint)', () => {
  beforeAll(async () => {
    lambdaTarget = await LambdaTarget.start();
    lambdaTarget.register('ok', (event) => ({ statusCode: 200, echo: event }));
    lambdaTarget.register('busy', () => ({ statusCode: 503, body: 'not yet' }));
    lambdaTarget.register('crash', () => {
      throw new Error('boom');
    });
    lambdaTarget.register('refuses', () => handledError('OrderRejected', 'order 42 is closed'));
  });
  afterAll(async () => {
    lambdaClients.forEach((client) => client.destroy());
    await lambdaTarget.stop();
  });

  function input(fn: string, overrides: Partial<CallInput<LambdaRequestSpec>> = {}): CallInput<LambdaRequestSpec> {
    return {
      request: { lambda: { function: fn, payload: { orderId: 42 }, invocationType: 'RequestResponse' }, timeoutMs: 2000 },
      idempotencyKey: 'task-9:step-1',
      taskId: 'task-9',
      ownerId: 'alice',
      ...overrides,
    };
  }

  it('invokes the function with its payload and the key, task id and attempt in the client context, and keeps its answer', async () => {
    const outcome: CallOutcome = await new MockActivityEnvironment({ attempt: 3 }, quiet).run(lambdaCall, input('ok'));
    const [invocation] = lambdaTarget.invocations('ok');
    expect(invocation.clientContext).toEqual({
      custom: { 'idempotency-key': 'task-9:step-1', 'x-task-id': 'task-9', 'x-task-attempt': '3' },
    });
    expect(outcome.result).toEqual({
      statusCode: 200,
      body: { statusCode: 200, echo: { orderId: 42 } },
      bodyTruncated: false,
      executedVersion: '$LATEST',
    });
    expect(outcome.attempts.at(-1)).toMatchObject({ number: 3, statusCode: 200, error: null });
  });

  it('fails an attempt, to be retried, on an unhandled or handled FunctionError, recording the error from the payload', async () => {
    for (const [fn, error] of [
      ['crash', 'FunctionError (Unhandled): Error: boom'],
      ['refuses', 'FunctionError (Handled): OrderRejected: order 42 is closed'],
    ]) {
      const err = await failure(new MockActivityEnvironment(undefined, quiet).run(lambdaCall, input(fn)));
      expect([err.type, err.nonRetryable, err.message]).toEqual(['LambdaAttemptFailed', false, `attempt 1 failed: ${error}`]);
    }
  });

  it('fails for good, without retries, when the function does not exist', async () => {
    const err = await failure(new MockActivityEnvironment(undefined, quiet).run(lambdaCall, input('missing')));
    expect([err.type, err.nonRetryable]).toEqual(['LambdaNotRetryable', true]);
    expect(err.message).toMatch(
      /^attempt 1 failed: ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing/,
    );
  });

  it("fails a condition check's try whose payload says a non-2xx statusCode, and passes it as a plain call", async () => {
    const err = await failure(new MockActivityEnvironment(undefined, quiet).run(lambdaCall, input('busy', { conditionCheck: true })));
    expect(err.message).toBe('attempt 1 failed: check did not pass: the function answered statusCode 503');
    const outcome: CallOutcome = await new MockActivityEnvironment(undefined, quiet).run(lambdaCall, input('busy'));
    expect(outcome.attempts.at(-1)?.error).toBeNull();
  });
});
