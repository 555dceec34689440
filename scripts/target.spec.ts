import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../libs/runtime/dev-server';
import { decodeWebhookSecret, encodeWebhookSecret, ownerSigningKey, signWebhook } from '../activities/webhook-signature';
import {
  answerFor,
  describeCall,
  fetchSigningSecret,
  parseTargetArgs,
  startTarget,
  TargetScriptError,
  type ReceivedCall,
  type RunningTarget,
} from './target';

const MASTER = Buffer.from('target-spec-master-secret-0123456789');
const ALICE_SECRET = encodeWebhookSecret(ownerSigningKey(MASTER, 'alice'));
const ALICE_KEY = decodeWebhookSecret(ALICE_SECRET);

/** The message of the TargetScriptError `run` throws. */
function failure(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(TargetScriptError);
    return (err as Error).message;
  }
  throw new Error('did not throw');
}

describe('parseTargetArgs', () => {
  it('listens on 4000 and checks no signature by default', () => {
    expect(parseTargetArgs([], {})).toEqual({ port: 4000, secret: null, json: false });
  });

  it('reads the port from --port, else TARGET_PORT', () => {
    expect(parseTargetArgs(['--port', '0'], { TARGET_PORT: '5000' })).toMatchObject({ port: 0 });
    expect(parseTargetArgs([], { TARGET_PORT: '5000' })).toMatchObject({ port: 5000 });
    expect(failure(() => parseTargetArgs(['--port', '70000'], {}))).toBe('--port must be a port number (0 to 65535), got "70000"');
  });

  it('fetches the secret with a token from the API given, else API, else 127.0.0.1:3000', () => {
    expect(parseTargetArgs(['--token', 't', '--api', 'http://127.0.0.1:3100/'], {})).toEqual({
      port: 4000,
      secret: { token: 't', api: 'http://127.0.0.1:3100' },
      json: false,
    });
    expect(parseTargetArgs([], { TOKEN: 't', API: 'http://10.0.0.1:3000' })).toMatchObject({
      secret: { token: 't', api: 'http://10.0.0.1:3000' },
    });
    expect(parseTargetArgs(['--token', 't'], {})).toMatchObject({ secret: { token: 't', api: 'http://127.0.0.1:3000' } });
  });

  it('verifies with a secret given outright, which wins over a token in the environment', () => {
    expect(parseTargetArgs(['--secret', ALICE_SECRET, '--json'], { TOKEN: 't' })).toEqual({
      port: 4000,
      secret: { secret: ALICE_SECRET },
      json: true,
    });
    expect(parseTargetArgs([], { SIGNING_SECRET: ALICE_SECRET, TOKEN: 't' })).toMatchObject({ secret: { secret: ALICE_SECRET } });
    expect(failure(() => parseTargetArgs(['--secret', 'whsec_c2hvcnQ='], {}))).toBe(
      '--secret: the webhook secret must be base64 of at least 16 bytes (whsec_...)',
    );
  });

  it('answers --help, and refuses unknown options with the usage', () => {
    expect(parseTargetArgs(['--port', '1', '-h'], {})).toBe('help');
    expect(failure(() => parseTargetArgs(['--host', '0.0.0.0'], {}))).toMatch(/^Unknown option '--host'.*\nusage: npm run target/s);
  });
});

describe('answerFor', () => {
  const none = new URLSearchParams();
  it.each([
    ['/anything', 1, 200],
    ['/status/503', 1, 503],
    ['/status/201/', 9, 201],
    ['/status/600', 1, 200],
    ['/fail/2', 1, 503],
    ['/fail/2', 2, 503],
    ['/fail/2', 3, 200],
    ['/fail/1/500', 1, 500],
    ['/fail/1/500', 2, 200],
    ['/fail/0', 1, 200],
    ['/status/409/orders/42/ready', 1, 409],
    ['/fail/1/orders/42/ready', 1, 503],
    ['/fail/1/orders/42/ready', 2, 200],
    ['/fail/1/500/orders', 1, 500],
    ['/fail/1/5000', 1, 503],
    ['/statusx/503', 1, 200],
  ])('answers %s (call %d) with %d', (path, call, status) => {
    expect(answerFor(path, none, call)).toEqual({ status, delayMs: 0, retryAfter: null });
  });

  it('waits as /delay/<ms> asks, at most a minute, and adds Retry-After when asked', () => {
    expect(answerFor('/delay/250', none, 1)).toEqual({ status: 200, delayMs: 250, retryAfter: null });
    expect(answerFor('/delay/99999', none, 1).delayMs).toBe(60_000);
    expect(answerFor('/delay/100/jobs/slow', none, 1).delayMs).toBe(100);
    expect(answerFor('/status/429', new URLSearchParams('retry-after=2'), 1)).toEqual({ status: 429, delayMs: 0, retryAfter: '2' });
    expect(answerFor('/status/429', new URLSearchParams('retry-after=soon'), 1).retryAfter).toBeNull();
  });
});

describe('the target (a real server on loopback)', () => {
  let target: RunningTarget;
  const calls: ReceivedCall[] = [];
  beforeAll(async () => {
    target = await startTarget(
      0,
      () => Promise.resolve(ALICE_KEY),
      (call) => calls.push(call),
    );
  });
  afterAll(() => target.close());

  /** A call as the scheduler makes it for `owner`: signed with that owner's key. */
  async function signedCall(path: string, body: string, owner = 'alice', taskId = 'task-1'): Promise<Response> {
    const signature = signWebhook(ownerSigningKey(MASTER, owner), `${taskId}-key`, Math.floor(Date.now() / 1000), body);
    return fetch(`${target.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-task-id': taskId, 'x-task-attempt': '1', ...signature },
      body,
    });
  }

  it("says a call signed with the owner's key is valid, and echoes its body", async () => {
    const response = await signedCall('/orders/reserve', '{"orderId":42}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, path: '/orders/reserve', received: { orderId: 42 } });
    expect(calls.at(-1)).toMatchObject({
      method: 'POST',
      path: '/orders/reserve',
      status: 200,
      signature: 'valid',
      body: '{"orderId":42}',
    });
    expect(calls.at(-1)!.headers['x-task-id']).toBe('task-1');
  });

  it("says a call signed with another user's key, or with its body changed, is not valid; and an unsigned one unsigned", async () => {
    await signedCall('/x', '{}', 'mallory');
    expect(calls.at(-1)!.signature).toBe('invalid');
    const signature = signWebhook(ALICE_KEY, 'k', Math.floor(Date.now() / 1000), '{"amount":1}');
    await fetch(`${target.url}/x`, { method: 'POST', headers: signature, body: '{"amount":1000}' });
    expect(calls.at(-1)!.signature).toBe('invalid');
    await fetch(`${target.url}/x`);
    expect(calls.at(-1)).toMatchObject({ method: 'GET', signature: 'unsigned', body: '' });
  });

  it('fails the first n calls of each task to /fail/<n>, then answers 200', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await signedCall('/fail/2', '{}', 'alice', 'task-flaky')).status);
    statuses.push((await signedCall('/fail/2', '{}', 'alice', 'task-other')).status);
    expect(statuses).toEqual([503, 503, 200, 503]);
    const failed = await signedCall('/fail/1/500', '{}', 'alice', 'task-flaky');
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ ok: false, status: 500 });
  });

  it('answers the status asked for, with Retry-After when asked, after the delay asked for', async () => {
    const response = await fetch(`${target.url}/status/429?retry-after=3`, { method: 'PUT' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(calls.at(-1)).toMatchObject({ path: '/status/429', query: '?retry-after=3', status: 429 });
    const started = Date.now();
    expect((await fetch(`${target.url}/delay/300`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('prints a call as one summary line, then its headers and body', () => {
    const call: ReceivedCall = {
      at: '2026-11-24T14:05:00.012Z',
      method: 'POST',
      path: '/fail/1',
      query: '',
      status: 503,
      signature: 'valid',
      headers: { 'x-task-id': 'task-7', 'x-task-attempt': '2', 'content-type': 'application/json' },
      body: '{"n":1}',
    };
    expect(describeCall(call)).toBe(
      [
        '14:05:00.012 POST /fail/1 -> 503  task-7 attempt 2  signature valid',
        '    x-task-id: task-7',
        '    x-task-attempt: 2',
        '    content-type: application/json',
        '    {"n":1}',
      ].join('\n'),
    );
  });
});

describe('fetchSigningSecret', () => {
  it('reads the secret GET /me/signing-secret answers for the token, and says why when it cannot', async () => {
    const api = createServer((req, res) => {
      const ok = req.url === '/me/signing-secret' && req.headers.authorization === 'Bearer good';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? JSON.stringify({ owner: 'alice', secret: ALICE_SECRET }) : '{"message":"token expired"}');
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    try {
      expect(await fetchSigningSecret(url, 'good')).toEqual({ owner: 'alice', secret: ALICE_SECRET });
      await expect(fetchSigningSecret(url, 'bad')).rejects.toThrow(
        `GET ${url}/me/signing-secret answered 401: {"message":"token expired"}`,
      );
    } finally {
      api.closeAllConnections();
      await new Promise((resolve) => api.close(resolve));
    }
    const nobody = `http://127.0.0.1:${await freePort()}`;
    await expect(fetchSigningSecret(nobody, 'good')).rejects.toThrow(`cannot reach ${nobody} (ECONNREFUSED): is the API up (npm start)?`);
  });
});
