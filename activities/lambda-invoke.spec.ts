import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { LambdaInvocationSpec, LambdaRequestSpec } from '../common';
import { freePort } from '../libs/runtime/dev-server';
import { handledError, LambdaTarget, type FixtureContext } from '../test/support/lambda-target';
import { createLambdaInvoker, lambdaCheckPassed, type LambdaAttemptOutcome, type LambdaInvokerDeps } from './lambda-invoke';

const credentials = { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback-secret' };
const meta = { idempotencyKey: 'task-1:step-2', taskId: 'task-1', attempt: 3 };
const never = new AbortController().signal;

describe('createLambdaInvoker (real loopback Lambda endpoint)', () => {
  let target: LambdaTarget;
  const clients: LambdaClient[] = [];
  /** Clients pointed at the target; a bare name gets the default region us-east-1. */
  const clientFor = (region: string | undefined) => {
    const client = new LambdaClient({ region: region ?? 'us-east-1', endpoint: target.endpoint, credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const invoke = createLambdaInvoker({ responseBodyLimitBytes: 4096, clientFor });

  function spec(lambda: Partial<LambdaInvocationSpec>, timeoutMs = 2000): LambdaRequestSpec {
    return { lambda: { function: 'echo', invocationType: 'RequestResponse', ...lambda }, timeoutMs };
  }

  beforeAll(async () => {
    target = await LambdaTarget.start();
    target.register('echo', (event) => ({ ok: true, event }), { versions: ['1', '2', '3'], aliases: { live: '3' } });
    target.register('boom', () => {
      throw new Error('boom');
    });
    target.register('refuses', () => handledError('ValidationError', 'orderId is missing'));
  });
  afterAll(async () => {
    clients.forEach((c) => c.destroy());
    await target.stop();
  });

  it('invokes a function and returns its parsed payload and executed version', async () => {
    const outcome = await invoke(spec({ payload: { orderId: 42 } }), meta, never);
    expect(outcome).toEqual({
      statusCode: 200,
      error: null,
      retryable: true,
      result: { statusCode: 200, body: { ok: true, event: { orderId: 42 } }, bodyTruncated: false, executedVersion: '$LATEST' },
    });
    const [invocation] = target.invocations('echo').slice(-1);
    expect(invocation).toMatchObject({
      requestedName: 'echo',
      qualifier: null,
      invocationType: 'RequestResponse',
      payload: '{"orderId":42}',
    });
  });

  it('sends no payload when none is given, and the function sees {}', async () => {
    const outcome = await invoke(spec({}), meta, never);
    expect(outcome.result?.body).toEqual({ ok: true, event: {} });
    expect(target.invocations('echo').slice(-1)[0].payload).toBe('');
  });

  it('carries the idempotency key, task id and attempt in the client context, which the function sees', async () => {
    let seen: FixtureContext['clientContext'];
    target.register('context', (_event, context) => {
      seen = context.clientContext;
      return null;
    });
    await invoke(spec({ function: 'context' }), meta, never);
    const expected = { custom: { 'idempotency-key': 'task-1:step-2', 'x-task-id': 'task-1', 'x-task-attempt': '3' } };
    expect(target.invocations('context')[0].clientContext).toEqual(expected);
    expect(seen).toEqual(expected);
  });

  it('invokes the version an alias given in the qualifier field points at', async () => {
    const outcome = await invoke(spec({ qualifier: 'live' }), meta, never);
    expect(outcome.result?.executedVersion).toBe('3');
    expect(target.invocations('echo').slice(-1)[0]).toMatchObject({ requestedName: 'echo', qualifier: 'live' });
  });

  it('invokes the qualifier given as name:alias', async () => {
    const outcome = await invoke(spec({ function: 'echo:live' }), meta, never);
    expect(outcome.result?.executedVersion).toBe('3');
    expect(target.invocations('echo').slice(-1)[0]).toMatchObject({ requestedName: 'echo:live', qualifier: 'live' });
  });

  it("invokes a full ARN with its qualifier through a client of the ARN's region", async () => {
    const arn = target.arn('echo', '2', 'eu-west-1');
    const outcome = await invoke(spec({ function: arn }), meta, never);
    expect(outcome.result?.executedVersion).toBe('2');
    expect(target.invocations('echo').slice(-1)[0]).toMatchObject({ requestedName: arn, qualifier: '2', signedRegion: 'eu-west-1' });
  });

  it('invokes a partial ARN in the default region', async () => {
    const outcome = await invoke(spec({ function: '123456789012:function:echo' }), meta, never);
    expect(outcome.error).toBeNull();
    expect(target.invocations('echo').slice(-1)[0]).toMatchObject({
      requestedName: '123456789012:function:echo',
      signedRegion: 'us-east-1',
    });
  });

  it('makes one client per region and reuses it', async () => {
    const regions: Array<string | undefined> = [];
    const counting = createLambdaInvoker({
      responseBodyLimitBytes: 4096,
      clientFor: (region) => {
        regions.push(region);
        return clientFor(region);
      },
    });
    for (const fn of ['echo', 'echo:live', target.arn('echo', undefined, 'eu-west-1'), target.arn('echo', '1', 'eu-west-1'), 'echo']) {
      expect((await counting(spec({ function: fn }), meta, never)).error).toBeNull();
    }
    expect(regions).toEqual([undefined, 'eu-west-1']);
  });

  it('succeeds on 202 for an Event invocation, which the function runs without a client context', async () => {
    const ran: unknown[] = [];
    target.register('queued', (event, context) => ran.push([event, context.clientContext]));
    const outcome = await invoke(spec({ function: 'queued', invocationType: 'Event', payload: { n: 1 } }), meta, never);
    expect(outcome).toEqual({
      statusCode: 202,
      error: null,
      retryable: true,
      result: { statusCode: 202, body: null, bodyTruncated: false },
    });
    expect(target.invocations('queued')[0]).toMatchObject({ invocationType: 'Event', status: 202 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ran).toEqual([[{ n: 1 }, undefined]]);
  });

  it('fails an attempt, retryably, on an Unhandled function error, with the error payload as the result', async () => {
    const outcome = await invoke(spec({ function: 'boom' }), meta, never);
    expect(outcome).toMatchObject({ statusCode: 200, error: 'FunctionError (Unhandled): Error: boom', retryable: true });
    expect(outcome.result).toMatchObject({ statusCode: 200, bodyTruncated: false, executedVersion: '$LATEST' });
    expect(outcome.result?.body).toMatchObject({ errorType: 'Error', errorMessage: 'boom' });
    expect((outcome.result?.body as { trace: string[] }).trace[0]).toBe('Error: boom');
  });

  it('fails an attempt, retryably, on a Handled function error', async () => {
    const outcome = await invoke(spec({ function: 'refuses' }), meta, never);
    expect(outcome).toEqual({
      statusCode: 200,
      error: 'FunctionError (Handled): ValidationError: orderId is missing',
      retryable: true,
      result: {
        statusCode: 200,
        body: { errorType: 'ValidationError', errorMessage: 'orderId is missing', trace: [] },
        bodyTruncated: false,
        executedVersion: '$LATEST',
      },
    });
  });

  it('takes the function error message from the whole payload even when the result is cut', async () => {
    target.register('long-boom', () => {
      throw new TypeError('x'.repeat(100));
    });
    const short = createLambdaInvoker({ responseBodyLimitBytes: 16, clientFor });
    const outcome = await short(spec({ function: 'long-boom' }), meta, never);
    expect(outcome.error).toBe(`FunctionError (Unhandled): TypeError: ${'x'.repeat(100)}`);
    expect(outcome.result).toEqual({ statusCode: 200, body: '{"errorType":"Ty', bodyTruncated: true, executedVersion: '$LATEST' });
  });

  it('fails retryably on a throttle (429), naming its reason; the next attempt succeeds', async () => {
    target.register('throttled', () => 'done', { failFirst: { times: 1, error: 'TooManyRequestsException' } });
    expect(await invoke(spec({ function: 'throttled' }), meta, never)).toEqual({
      statusCode: 429,
      error: 'TooManyRequestsException (ReservedFunctionConcurrentInvocationLimitExceeded): Rate Exceeded.',
      retryable: true,
      transient: true,
      result: null,
    });
    expect((await invoke(spec({ function: 'throttled' }), meta, never)).result?.body).toBe('done');
    // One Invoke per attempt: the SDK's own retries are off.
    expect(target.invocations('throttled').map((i) => i.status)).toEqual([429, 200]);
  });

  it('fails retryably on a service error (500)', async () => {
    target.register('faulty', () => 'done', { failFirst: { times: 1, error: 'ServiceException' } });
    expect(await invoke(spec({ function: 'faulty' }), meta, never)).toEqual({
      statusCode: 500,
      error: 'ServiceException: Lambda encountered an internal error.',
      retryable: true,
      transient: true,
      result: null,
    });
    expect(target.invocations('faulty')).toHaveLength(1);
  });

  it('fails retryably while an update of the function is in progress (409)', async () => {
    target.register('updating', () => 'done', { failFirst: { times: 1, error: 'ResourceConflictException' } });
    expect(await invoke(spec({ function: 'updating' }), meta, never)).toEqual({
      statusCode: 409,
      error: `ResourceConflictException: The operation cannot be performed at this time. An update is in progress for resource: ${target.arn('updating')}`,
      retryable: true,
      transient: true,
      result: null,
    });
  });

  it('fails without retries for an unknown function (404)', async () => {
    expect(await invoke(spec({ function: 'nope' }), meta, never)).toEqual({
      statusCode: 404,
      error: 'ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope',
      retryable: false,
      transient: false,
      result: null,
    });
  });

  it('fails without retries for an unknown alias (404)', async () => {
    expect(await invoke(spec({ qualifier: 'staging' }), meta, never)).toEqual({
      statusCode: 404,
      error: 'ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:123456789012:function:echo:staging',
      retryable: false,
      transient: false,
      result: null,
    });
  });

  it('fails without retries when access is denied (403)', async () => {
    target.register('forbidden', () => 'done', { failFirst: { times: 1, error: 'AccessDeniedException' } });
    expect(await invoke(spec({ function: 'forbidden' }), meta, never)).toEqual({
      statusCode: 403,
      error:
        'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/scheduler/worker is not authorized to perform: ' +
        'lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:forbidden because no identity-based policy allows the lambda:InvokeFunction action',
      retryable: false,
      transient: false,
      result: null,
    });
  });

  it('fails without retries on an invalid payload (400)', async () => {
    target.register('picky', () => 'done', { failFirst: { times: 1, error: 'InvalidRequestContentException' } });
    expect(await invoke(spec({ function: 'picky' }), meta, never)).toEqual({
      statusCode: 400,
      error:
        'InvalidRequestContentException: Could not parse request body into json: Could not parse payload into json: Unexpected end-of-input',
      retryable: false,
      transient: false,
      result: null,
    });
  });

  it('fails without retries on an Event payload over 1 MB (413)', async () => {
    const payload = 'x'.repeat(1024 * 1024);
    expect(await invoke(spec({ invocationType: 'Event', payload }), meta, never)).toEqual({
      statusCode: 413,
      error: 'RequestEntityTooLargeException: 1048578 byte payload is too large for the Event invocation type (limit 1048576 bytes)',
      retryable: false,
      transient: false,
      result: null,
    });
  });

  it('fails without retries on a synchronous payload over 6 MB (413)', async () => {
    const payload = 'x'.repeat(6 * 1024 * 1024);
    expect(await invoke(spec({ payload }), meta, never)).toEqual({
      statusCode: 413,
      error: 'RequestTooLargeException: Request must be smaller than 6291456 bytes for the InvokeFunction operation',
      retryable: false,
      transient: false,
      result: null,
    });
  });

  it('fails without sending when the client context would exceed 3583 bytes', async () => {
    const before = target.invocations().length;
    const outcome = await invoke(spec({}), { ...meta, taskId: 't'.repeat(3000) }, never);
    expect(outcome).toEqual({
      statusCode: null,
      error: "client context is 4112 bytes in base64, over Lambda's 3583",
      retryable: false,
      result: null,
    });
    expect(target.invocations()).toHaveLength(before);
  });

  it('times a slow function out at timeoutMs, retryably', async () => {
    target.register('slow', () => 'late', { delayMs: 2000 });
    const started = Date.now();
    const outcome = await invoke(spec({ function: 'slow' }, 300), meta, never);
    const elapsed = Date.now() - started;
    console.log(`Lambda attempt timed out after ${elapsed} ms (timeoutMs 300)`);
    expect(outcome).toEqual({ statusCode: null, error: 'timed out after 300 ms', retryable: true, result: null });
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(400);
  });

  it('stops at once when the activity is cancelled', async () => {
    target.register('slow-too', () => 'late', { delayMs: 2000 });
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 100);
    const started = Date.now();
    const outcome = await invoke(spec({ function: 'slow-too' }), meta, cancel.signal);
    expect(outcome).toEqual({ statusCode: null, error: 'cancelled', retryable: true, result: null });
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('cuts a long payload to the limit and says so', async () => {
    target.register('long', () => 'x'.repeat(100));
    const short = createLambdaInvoker({ responseBodyLimitBytes: 16, clientFor });
    const outcome = await short(spec({ function: 'long' }), meta, never);
    expect(outcome.result).toEqual({ statusCode: 200, body: '"xxxxxxxxxxxxxxx', bodyTruncated: true, executedVersion: '$LATEST' });
  });

  it('fails retryably when the endpoint refuses the connection', async () => {
    const port = await freePort();
    const refused = createLambdaInvoker({
      responseBodyLimitBytes: 4096,
      clientFor: (region) => {
        const client = new LambdaClient({
          region: region ?? 'us-east-1',
          endpoint: `http://127.0.0.1:${port}`,
          credentials,
          maxAttempts: 1,
        });
        clients.push(client);
        return client;
      },
    });
    expect(await refused(spec({}), meta, never)).toEqual({
      statusCode: null,
      error: `connect ECONNREFUSED 127.0.0.1:${port}`,
      retryable: true,
      transient: true,
      result: null,
    });
  });

  describe('with the default clients (credential, region and endpoint chains)', () => {
    const saved = { ...process.env };
    let defaults: ReturnType<typeof createLambdaInvoker>;
    beforeEach(() => {
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_LAMBDA: target.endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_CONFIG_FILE: '/nonexistent/aws-config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      });
      delete process.env.AWS_REGION;
      delete process.env.AWS_DEFAULT_REGION;
      delete process.env.AWS_PROFILE;
      defaults = createLambdaInvoker({ responseBodyLimitBytes: 4096 } satisfies LambdaInvokerDeps);
    });
    afterEach(() => {
      process.env = { ...saved };
    });

    it('reach the endpoint in AWS_ENDPOINT_URL_LAMBDA with the region in AWS_REGION', async () => {
      process.env.AWS_REGION = 'ap-south-1';
      expect((await defaults(spec({}), meta, never)).error).toBeNull();
      expect(target.invocations('echo').slice(-1)[0].signedRegion).toBe('ap-south-1');
    });

    it("use a full ARN's region when none is configured", async () => {
      expect((await defaults(spec({ function: target.arn('echo', undefined, 'eu-north-1') }), meta, never)).error).toBeNull();
      expect(target.invocations('echo').slice(-1)[0].signedRegion).toBe('eu-north-1');
    });

    it('fail without retries, saying so, when there are no credentials at all', async () => {
      process.env.AWS_REGION = 'us-east-1';
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      // The chain's last link asks the instance metadata service; off EC2 it would only wait.
      process.env.AWS_EC2_METADATA_DISABLED = 'true';
      const before = target.invocations().length;
      expect(await defaults(spec({}), meta, never)).toEqual({
        statusCode: null,
        error:
          'no AWS credentials: Could not load credentials from any providers (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or give the worker a role)',
        retryable: false,
        transient: false,
        result: null,
      });
      expect(target.invocations()).toHaveLength(before);
    });

    it('fail without retries when there is no region at all', async () => {
      expect(await defaults(spec({}), meta, never)).toEqual({
        statusCode: null,
        error: 'no AWS region: set AWS_REGION or use a full function ARN',
        retryable: false,
        transient: false,
        result: null,
      });
    });
  });

  it('costs little per attempt against a loopback endpoint (200 sequential invokes)', async () => {
    target.register('trivial', () => 1);
    const trivial = spec({ function: 'trivial', payload: { n: 1 } });
    for (let i = 0; i < 20; i++) await invoke(trivial, meta, never);
    const durations: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = process.hrtime.bigint();
      const outcome = await invoke(trivial, meta, never);
      durations.push(Number(process.hrtime.bigint() - started) / 1e6);
      expect(outcome.error).toBeNull();
    }
    durations.sort((a, b) => a - b);
    const median = durations[100];
    const p95 = durations[190];
    console.log(
      `Lambda invoke per attempt (loopback): median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, max ${durations[199].toFixed(2)} ms`,
    );
    expect(median).toBeLessThan(20);
  });
});

describe('lambdaCheckPassed', () => {
  const ok = (body: unknown, bodyTruncated = false): LambdaAttemptOutcome => ({
    statusCode: 200,
    error: null,
    retryable: true,
    transient: true,
    result: { statusCode: 200, body, bodyTruncated, executedVersion: '$LATEST' },
  });

  it('passes a successful invocation whose payload has no statusCode', () => {
    expect([ok({ ready: true }), ok('yes'), ok(null), ok([{ statusCode: 500 }])].map(lambdaCheckPassed)).toEqual([true, true, true, true]);
  });

  it('passes an Event invocation (202, no payload)', () => {
    expect(
      lambdaCheckPassed({ statusCode: 202, error: null, retryable: true, result: { statusCode: 202, body: null, bodyTruncated: false } }),
    ).toBe(true);
  });

  it('passes a payload whose numeric statusCode is 2xx, and fails any other', () => {
    expect([200, 204, 299, 199, 300, 404, 503].map((statusCode) => lambdaCheckPassed(ok({ statusCode })))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('ignores a statusCode that is not a number', () => {
    expect(lambdaCheckPassed(ok({ statusCode: '500' }))).toBe(true);
  });

  it('fails a function error, a service error and a timeout', () => {
    const functionError = { ...ok({ errorType: 'Error', errorMessage: 'boom' }), error: 'FunctionError (Unhandled): Error: boom' };
    const throttled = { statusCode: 429, error: 'TooManyRequestsException: Rate Exceeded.', retryable: true, result: null };
    const timedOut = { statusCode: null, error: 'timed out after 500 ms', retryable: true, result: null };
    expect([functionError, throttled, timedOut].map(lambdaCheckPassed)).toEqual([false, false, false]);
  });

  it('reads the top-level statusCode of a payload cut to the limit', () => {
    expect(lambdaCheckPassed(ok('{"statusCode": 503, "body": "{\\"statusCode\\":200, \\"pad', true))).toBe(false);
    expect(lambdaCheckPassed(ok('{"body":"{\\"statusCode\\":500}","headers":{"statusCode":500},"statusCode":201,"x":"', true))).toBe(true);
    expect(lambdaCheckPassed(ok('{"body":"{\\"statusCode\\":500}","statusCode":5', true))).toBe(true);
  });
});

describe('the loopback Lambda target (wire protocol through the SDK)', () => {
  let target: LambdaTarget;
  let client: LambdaClient;
  beforeAll(async () => {
    target = await LambdaTarget.start();
    target.register('echo', (event, context) => {
      context.log('hello from echo');
      return event;
    });
    client = new LambdaClient({ region: 'us-east-1', endpoint: target.endpoint, credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await target.stop();
  });

  async function error(command: InvokeCommand): Promise<{ name: string; message: string; status?: number }> {
    const err = await client.send(command).then(
      () => null,
      (e: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => e,
    );
    expect(err).not.toBeNull();
    return { name: err!.name, message: err!.message, status: err!.$metadata?.httpStatusCode };
  }

  it('answers InvalidRequestContentException (400) for a payload that is not JSON', async () => {
    const err = await error(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('not json') }));
    expect(err).toEqual({
      name: 'InvalidRequestContentException',
      status: 400,
      message: expect.stringMatching(/^Could not parse request body into json: Could not parse payload into json: Unexpected token/),
    });
  });

  it('answers 204 with no payload for DryRun, without running the function', async () => {
    const before = target.invocations('echo').length;
    const response = await client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));
    expect(response.StatusCode).toBe(204);
    expect(
      target
        .invocations('echo')
        .slice(before)
        .map((i) => [i.invocationType, i.status]),
    ).toEqual([['DryRun', 204]]);
  });

  it('refuses a client context that is not base64 JSON', async () => {
    const err = await error(new InvokeCommand({ FunctionName: 'echo', ClientContext: 'not base64!' }));
    expect(err).toEqual({
      name: 'InvalidRequestContentException',
      status: 400,
      message: 'Client context must be a valid Base64-encoded JSON object.',
    });
  });

  it('refuses a qualifier in the name that differs from the Qualifier parameter', async () => {
    const err = await error(new InvokeCommand({ FunctionName: 'echo:1', Qualifier: '2' }));
    expect(err).toEqual({
      name: 'InvalidParameterValueException',
      status: 400,
      message: 'The derived qualifier from the function name does not match the specified qualifier.',
    });
  });

  it('returns the execution log with X-Amz-Log-Type: Tail', async () => {
    const response = await client.send(new InvokeCommand({ FunctionName: 'echo', LogType: 'Tail', Payload: Buffer.from('{"a":1}') }));
    const log = Buffer.from(response.LogResult ?? '', 'base64').toString();
    expect(log.split('\n').slice(1)).toEqual(['hello from echo', expect.stringMatching(/^END RequestId: /), '']);
    expect(new TextDecoder().decode(response.Payload)).toBe('{"a":1}');
  });
});
