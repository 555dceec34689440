import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../libs/runtime/dev-server';
import { HttpTarget } from '../support/http-target';
import { testToken } from '../support/jwt';
import { installQuietRuntime } from '../support/time-skipping';
import { startTestSystem, type AuthedApi, type TestSystem } from '../support/test-system';
import { eventually } from '../support/wait';

/** A task's final state, read until it is completed, failed or cancelled. */
async function finished(
  api: AuthedApi,
  id: string,
): Promise<{ status: string; error: string | null; attempts: Array<{ error: string | null }> }> {
  return eventually(async () => {
    const { body } = await api.get(`/tasks/${id}`).expect(200);
    return ['completed', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
  }, 20_000);
}

describe('secrets: the codec server, what an admin sees, the system’s own endpoints, allow-lists, quotas, hostile input (e2e)', () => {
  let system: TestSystem;
  /** Stands in for the Temporal Web UI: its origin is the codec server's CORS origin, and its port one of the system's own. */
  let ui: HttpTarget;
  let apiPort: number;
  let alice: AuthedApi;
  let bob: AuthedApi;
  let root: AuthedApi;

  beforeAll(async () => {
    // The worker's metrics endpoint is the test runtime's: installed first, so its port is known.
    installQuietRuntime();
    ui = await HttpTarget.start();
    apiPort = await freePort();
    system = await startTestSystem({
      API_PORT: String(apiPort),
      TEMPORAL_UI_URL: ui.url('/'),
      WORKER_METRICS_HOST: '127.0.0.1',
      WORKER_METRICS_PORT: new URL(process.env.TEST_WORKER_METRICS_URL!).port,
      LAMBDA_ALLOW: '{owner}-*',
    });
    [alice, bob, root] = await Promise.all([
      system.as(`alice-${system.owner}`),
      system.as(`bob-${system.owner}`),
      system.as('root', { admin: true }),
    ]);
  });
  afterAll(async () => {
    await system?.teardown();
    await ui?.stop();
  });

  const httpCall = (path: string, secret: string) => ({
    url: system.target.url(path),
    headers: { 'x-api-key': secret, accept: 'application/json' },
    body: { note: 'body' },
  });

  describe('the codec server (Temporal codec-server protocol)', () => {
    /** The encrypted input payload of a task, as Temporal holds it (read with a client that has no codec). */
    async function storedInput(id: string): Promise<{ metadata: Record<string, string>; data: string }> {
      const connection = await Connection.connect({ address: system.config.temporal.address });
      try {
        const { events } = await new Client({ connection }).workflow.getHandle(id).fetchHistory();
        const payload = events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
        const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
        return {
          metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
          data: b64(payload.data),
        };
      } finally {
        await connection.close();
      }
    }

    let stored: { metadata: Record<string, string>; data: string };
    beforeAll(async () => {
      const { body } = await alice
        .post('/tasks')
        .send({ ...httpCall('/codec', 'k-codec-7'), delayMs: 3_600_000 })
        .expect(201);
      stored = await storedInput(body.id);
    });

    it('finds the input encrypted in Temporal: AES-256-GCM, with the key id', () => {
      expect(Buffer.from(stored.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
      expect(Buffer.from(stored.metadata['encryption-key-id'], 'base64').toString()).toBe('test-2026-12');
      expect(Buffer.from(stored.data, 'base64').toString('latin1')).not.toContain('k-codec-7');
    });

    it("decodes it for an admin with a bearer token, but for another user's header values, and says not to cache the answer", async () => {
      const res = await root
        .post('/codec/decode')
        .set('x-namespace', 'default')
        .send({ payloads: [stored] })
        .expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const [payload] = res.body.payloads as Array<{ metadata: Record<string, string>; data: string }>;
      expect(Buffer.from(payload.metadata.encoding, 'base64').toString()).toBe('json/plain');
      expect(JSON.parse(Buffer.from(payload.data, 'base64').toString())).toMatchObject({
        ownerId: `alice-${system.owner}`,
        request: { url: system.target.url('/codec'), headers: { 'x-api-key': '<redacted>', accept: '<redacted>' }, body: { note: 'body' } },
      });
      // An admin's own task: its header values too.
      const own = await root
        .post('/tasks')
        .send({ ...httpCall('/codec', 'root-codec-1'), delayMs: 3_600_000 })
        .expect(201);
      const decoded = await root
        .post('/codec/decode')
        .send({ payloads: [await storedInput(own.body.id)] })
        .expect(200);
      expect(JSON.parse(Buffer.from(decoded.body.payloads[0].data, 'base64').toString()).request.headers['x-api-key']).toBe('root-codec-1');
    });

    it('answers 401 without credentials and 403 to a user who is not an admin, the owner included', async () => {
      const anonymous = await fetch(`${system.baseUrl}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payloads: [stored] }),
      });
      expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
      const owner = await alice
        .post('/codec/decode')
        .send({ payloads: [stored] })
        .expect(403);
      expect(owner.body.message).toBe('only an admin may do this');
      await bob.post('/codec/encode').send({ payloads: [] }).expect(403);
      await bob.post('/codec/session').expect(403);
    });

    it("decodes with the dashboard's cookie alone (HttpOnly, SameSite=Strict, Path=/codec), and forgets it on sign-out", async () => {
      const res = await root.post('/codec/session').expect(204);
      const cookie = res.headers['set-cookie'][0];
      expect(cookie).toMatch(/^scheduler_codec=ey[\w-]+\.[\w-]+\.[\w-]+; Path=\/codec; Max-Age=(35\d\d|3600); HttpOnly; SameSite=Strict$/);
      const value = cookie.split(';')[0];
      const viaCookie = await fetch(`${system.baseUrl}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: value },
        body: JSON.stringify({ payloads: [stored] }),
      });
      expect(viaCookie.status).toBe(200);
      // A user's token in the cookie is still a user's: 403.
      const userCookie = `scheduler_codec=${await testToken('mallory')}`;
      const asUser = await fetch(`${system.baseUrl}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: userCookie },
        body: JSON.stringify({ payloads: [stored] }),
      });
      expect(asUser.status).toBe(403);
      // The cookie opens the codec server only: any other route still wants a bearer token.
      expect((await fetch(`${system.baseUrl}/me`, { headers: { cookie: value } })).status).toBe(401);
      const cleared = await fetch(`${system.baseUrl}/codec/session`, { method: 'DELETE' });
      expect([cleared.status, cleared.headers.get('set-cookie')]).toEqual([
        204,
        'scheduler_codec=; Path=/codec; Max-Age=0; HttpOnly; SameSite=Strict',
      ]);
    });

    it("lets the Temporal Web UI's origin call it with credentials (preflight included), and no other origin", async () => {
      const uiOrigin = new URL(ui.url('/')).origin;
      const preflight = await fetch(`${system.baseUrl}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin: uiOrigin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
      expect(preflight.status).toBe(204);
      expect({
        origin: preflight.headers.get('access-control-allow-origin'),
        credentials: preflight.headers.get('access-control-allow-credentials'),
        methods: preflight.headers.get('access-control-allow-methods'),
        headers: preflight.headers.get('access-control-allow-headers'),
      }).toEqual({ origin: uiOrigin, credentials: 'true', methods: 'POST, DELETE', headers: 'Authorization, Content-Type, X-Namespace' });
      const foreign = await fetch(`${system.baseUrl}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
      const fromUi = await root
        .post('/codec/decode')
        .set('origin', uiOrigin)
        .send({ payloads: [stored] })
        .expect(200);
      expect(fromUi.headers['access-control-allow-origin']).toBe(uiOrigin);
      // Elsewhere in the API: no CORS at all.
      const me = await root.get('/me').set('origin', uiOrigin).expect(200);
      expect(me.headers['access-control-allow-origin']).toBeUndefined();
    });

    /** base64 `data` with one bit of its ciphertext flipped. */
    const flipped = (data: string) => {
      const bytes = Buffer.from(data, 'base64');
      bytes[14] ^= 1;
      return bytes.toString('base64');
    };

    it('passes unencrypted and undecryptable payloads through, round-trips encode and decode, and names what it refuses', async () => {
      const plain = {
        metadata: { encoding: Buffer.from('json/plain').toString('base64') },
        data: Buffer.from('{"a":1}').toString('base64'),
      };
      const encoded = (
        await root
          .post('/codec/encode')
          .send({ payloads: [plain] })
          .expect(200)
      ).body.payloads;
      expect(Buffer.from(encoded[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
      const back = (
        await root
          .post('/codec/decode')
          .send({ payloads: [encoded[0], plain] })
          .expect(200)
      ).body.payloads;
      expect(back).toEqual([plain, plain]);
      // A payload that does not decrypt (altered here; a dropped key alike) comes back as it is, beside the others decoded.
      const altered = { ...encoded[0], data: flipped(encoded[0].data as string) };
      const mixed = (
        await root
          .post('/codec/decode')
          .send({ payloads: [altered, encoded[0]] })
          .expect(200)
      ).body.payloads;
      expect(mixed).toEqual([altered, plain]);
      const refusals = await Promise.all([
        root.post('/codec/decode').send({ nope: [] }),
        root.post('/codec/decode').send({ payloads: [{ data: 'not base64!' }] }),
      ]);
      expect(refusals.map((r) => [r.status, r.body.errors?.[0]?.field, r.body.message])).toEqual([
        [400, 'payloads', 'the body must be { "payloads": [ { "metadata": {...}, "data": "<base64>" }, ... ] }'],
        [400, 'payloads[0].data', 'payloads[0].data must be base64'],
      ]);
    });
  });

  describe('what an admin sees', () => {
    it("shows another user's header values as <redacted> in every resource, and the owner its own", async () => {
      const check = { url: system.target.url('/check'), headers: { authorization: 'Bearer check-secret' } };
      const [task, orchestration, schedule] = await Promise.all([
        alice
          .post('/tasks')
          .send({ ...httpCall('/r', 'task-secret'), delayMs: 3_600_000 })
          .expect(201),
        alice
          .post('/orchestrations')
          .send({
            steps: [httpCall('/s1', 'step-secret')],
            conditionCheck: check,
            fallback: httpCall('/f', 'fallback-secret'),
            initialDelayMs: 3_600_000,
          })
          .expect(201),
        alice
          .post('/schedules')
          .send({ everyMs: 3_600_000, paused: true, task: httpCall('/sched', 'schedule-secret') })
          .expect(201),
      ]);
      const asAdmin = await Promise.all([
        root.get(`/tasks/${task.body.id}`).expect(200),
        root.get(`/orchestrations/${orchestration.body.id}`).expect(200),
        root.get(`/schedules/${schedule.body.id}`).expect(200),
      ]);
      const redacted = { 'x-api-key': '<redacted>', accept: '<redacted>' };
      expect(asAdmin[0].body.headers).toEqual(redacted);
      expect([asAdmin[1].body.steps[0].headers, asAdmin[1].body.conditionCheck.headers, asAdmin[1].body.fallback.headers]).toEqual([
        redacted,
        { authorization: '<redacted>' },
        redacted,
      ]);
      expect(asAdmin[2].body.task.headers).toEqual(redacted);
      expect(JSON.stringify(asAdmin.map((r) => r.body))).not.toMatch(/secret/);
      // The owner reads its own values, and so do the answers to its own requests.
      expect(task.body.headers['x-api-key']).toBe('task-secret');
      expect((await alice.get(`/tasks/${task.body.id}`).expect(200)).body.headers['x-api-key']).toBe('task-secret');
      expect((await alice.get(`/schedules/${schedule.body.id}`).expect(200)).body.task.headers['x-api-key']).toBe('schedule-secret');
      const ownOrchestration = (await alice.get(`/orchestrations/${orchestration.body.id}`).expect(200)).body;
      expect([
        ownOrchestration.steps[0].headers['x-api-key'],
        ownOrchestration.conditionCheck.headers,
        ownOrchestration.fallback.headers['x-api-key'],
      ]).toEqual(['step-secret', { authorization: 'Bearer check-secret' }, 'fallback-secret']);
      // An admin's own resources are the admin's.
      const own = await root
        .post('/tasks')
        .send({ ...httpCall('/r', 'root-secret'), delayMs: 3_600_000 })
        .expect(201);
      expect((await root.get(`/tasks/${own.body.id}`).expect(200)).body.headers['x-api-key']).toBe('root-secret');
    });
  });

  describe("the system's own endpoints and cloud metadata", () => {
    /** Every port of the system a call could be aimed at, as host:port on loopback. */
    const ownPorts = () => {
      const [httpApi, serverMetrics] = process.env.TEST_TEMPORAL_OWN_ENDPOINTS!.split(',');
      return {
        'the Temporal frontend': system.config.temporal.address,
        "Temporal's HTTP API": httpApi,
        "Temporal's metrics": serverMetrics,
        'the Temporal Web UI': new URL(ui.url('/')).host,
        'the API': `127.0.0.1:${apiPort}`,
        "the worker's metrics": `127.0.0.1:${new URL(process.env.TEST_WORKER_METRICS_URL!).port}`,
      };
    };

    it('refuses each of them by IP literal at create, though loopback is allowed', async () => {
      const answers = await Promise.all(
        Object.values(ownPorts()).map((hostPort) =>
          bob.post('/tasks').send({ url: `http://${hostPort}/api/v1/namespaces/default/workflows` }),
        ),
      );
      expect(answers.map((r) => [r.status, r.body.errors?.[0]?.messages[0]])).toEqual(
        Object.values(ownPorts()).map((hostPort) => [400, `destination not allowed: ${hostPort} (system endpoint)`]),
      );
      // Other loopback ports stay callable (the tests' own targets are on loopback).
      await bob
        .post('/tasks')
        .send({ url: system.target.url('/fine'), delayMs: 3_600_000 })
        .expect(201);
    });

    it('refuses each of them at connect time when named by a host name, and no request reaches them', async () => {
      const ids = await Promise.all(
        Object.values(ownPorts()).map(async (hostPort) => {
          const url = `http://localhost:${hostPort.split(':').at(-1)}/api/v1/namespaces/default/workflows/x/history`;
          return (await bob.post('/tasks').send({ url, retries: 2, retryIntervalMs: 100 }).expect(201)).body.id as string;
        }),
      );
      const tasks = await Promise.all(ids.map((id) => finished(bob, id)));
      expect(tasks.map((t) => [t.status, t.attempts.length])).toEqual(ids.map(() => ['failed', 1]));
      tasks.forEach((t) =>
        expect(t.attempts[0].error).toMatch(/^destination not allowed: (127\.0\.0\.1|\[::1\]):\d+ \(system endpoint\)$/),
      );
      expect(ui.requests()).toEqual([]);
    });

    it.each([
      ['http://168.63.129.16/machine?comp=goalstate', 'destination not allowed: 168.63.129.16 (cloud metadata)'],
      ['http://metadata.google.internal/computeMetadata/v1/', 'destination not allowed: metadata.google.internal (cloud metadata)'],
      ['http://169.254.169.254/latest/meta-data/', 'destination not allowed: 169.254.169.254 (linkLocal)'],
    ])('refuses %s at create and at PATCH alike', async (url, refusal) => {
      expect((await bob.post('/tasks').send({ url }).expect(400)).body.errors).toEqual([{ field: 'url', messages: [refusal] }]);
      const { body } = await bob
        .post('/tasks')
        .send({ url: system.target.url('/later'), delayMs: 3_600_000 })
        .expect(201);
      expect((await bob.patch(`/tasks/${body.id}`).send({ url }).expect(400)).body.errors).toEqual([{ field: 'url', messages: [refusal] }]);
      const orchestration = await bob
        .post('/orchestrations')
        .send({ steps: [{ url: system.target.url('/a') }], conditionCheck: { url: system.target.url('/c') }, initialDelayMs: 3_600_000 })
        .expect(201);
      expect((await bob.get(`/orchestrations/${orchestration.body.id}`).expect(200)).body.status).toBe('scheduled');
    });
  });

  describe('LAMBDA_ALLOW', () => {
    it('lets a user invoke only the functions the globs give it ({owner}-*), at create and at PATCH, naming the field', async () => {
      const sub = `alice-${system.owner}`;
      await alice
        .post('/tasks')
        .send({ lambda: { function: `${sub}-report` }, delayMs: 3_600_000 })
        .expect(201);
      const refused = await alice
        .post('/tasks')
        .send({ lambda: { function: 'payroll' } })
        .expect(400);
      expect(refused.body.errors).toEqual([
        { field: 'lambda.function', messages: ['function payroll is not one this user may invoke (LAMBDA_ALLOW)'] },
      ]);
      const { body } = await alice
        .post('/tasks')
        .send({ url: system.target.url('/x'), delayMs: 3_600_000 })
        .expect(201);
      const patched = await alice
        .patch(`/tasks/${body.id}`)
        .send({ lambda: { function: `bob-${system.owner}-report` } })
        .expect(400);
      expect(patched.body.errors[0].field).toBe('lambda.function');
      const nested = await alice
        .post('/schedules')
        .send({ everyMs: 60_000, task: { lambda: { function: 'arn:aws:lambda:eu-central-1:123456789012:function:payroll' } } })
        .expect(400);
      expect(nested.body.errors[0].field).toBe('task.lambda.function');
    });
  });

  describe('hostile input: never a 500', () => {
    /** A raw request: supertest would fix what these tests break on purpose. */
    function raw(
      method: string,
      path: string,
      headers: Record<string, string | number>,
      body?: Buffer | string,
    ): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
      return new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: apiPort, method, path, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        });
        req.on('error', reject);
        req.end(body);
      });
    }
    let auth: string;
    beforeAll(async () => {
      auth = `Bearer ${await testToken('hostile')}`;
    });
    const task = JSON.stringify({ url: 'https://example.com/hook', delayMs: 3_600_000 });

    it('answers 415 for an unknown Content-Encoding and for a charset other than UTF', async () => {
      const bogus = await raw(
        'POST',
        '/tasks',
        { authorization: auth, 'content-type': 'application/json', 'content-encoding': 'x-bogus' },
        task,
      );
      const latin1 = await raw('POST', '/tasks', { authorization: auth, 'content-type': 'application/json; charset=iso-8859-1' }, task);
      expect([bogus.status, JSON.parse(bogus.body).message]).toEqual([415, 'unsupported content encoding "x-bogus"']);
      expect([latin1.status, JSON.parse(latin1.body).message]).toEqual([415, 'unsupported charset "ISO-8859-1"']);
      const gzipped = await raw(
        'POST',
        '/tasks',
        { authorization: auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        gzipSync(task),
      );
      expect(gzipped.status).toBe(201);
    });

    it('answers 413 to a declared Content-Length over the limit at once, without reading the body', async () => {
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(apiPort, '127.0.0.1', () => {
          // 70 MB declared; not a byte of it sent.
          socket.write(
            `POST /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 73400320\r\n\r\n`,
          );
        });
        let text = '';
        socket.on('data', (c: Buffer) => (text += c.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(answer).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
      expect(answer).toMatch(/\r\nConnection: close\r\n/i);
      expect(answer).toContain('"message":"request body is larger than the limit of 262144 bytes"');
    });

    it('answers 400 past 64 levels of JSON, 20,000 deep too', async () => {
      const nested = (depth: number) => `{"url":"https://example.com/","body":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const deep = await raw('POST', '/tasks', { authorization: auth, 'content-type': 'application/json' }, nested(20_000));
      expect([deep.status, JSON.parse(deep.body).message]).toEqual([400, 'JSON body is nested deeper than 64 levels']);
      const justOver = await raw('POST', '/tasks', { authorization: auth, 'content-type': 'application/json' }, nested(64));
      expect(justOver.status).toBe(400);
      const fits = await raw(
        'POST',
        '/tasks',
        { authorization: auth, 'content-type': 'application/json' },
        `{"url":"https://example.com/","delayMs":3600000,"body":${'['.repeat(62)}${']'.repeat(62)}}`,
      );
      expect(fits.status).toBe(201);
    });

    it.each(['Connection', 'keep-alive', 'Transfer-Encoding', 'upgrade', 'TE', 'trailer', 'Proxy-Authorization', 'expect'])(
      'refuses the hop-by-hop header %s in a call at create, naming it',
      async (name) => {
        const res = await bob
          .post('/tasks')
          .send({ url: system.target.url('/h'), headers: { [name]: 'x' } })
          .expect(400);
        expect(res.body.errors).toEqual([
          { field: 'headers', messages: [`headers may not set ${name}: hop-by-hop headers belong to a connection, not to a call`] },
        ]);
      },
    );

    it('sends nosniff, no X-Powered-By, no-store on secrets and tokens, and a CSP on Swagger UI', async () => {
      const secret = await bob.get('/me/signing-secret').expect(200);
      expect([secret.headers['x-content-type-options'], secret.headers['x-powered-by'], secret.headers['cache-control']]).toEqual([
        'nosniff',
        undefined,
        'no-store',
      ]);
      const docs = await fetch(`${system.baseUrl}/docs`);
      expect(docs.headers.get('content-security-policy')).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(docs.headers.get('x-powered-by')).toBeNull();
    });
  });
});

describe('quotas and the creation rate limit (e2e)', () => {
  let limited: TestSystem;
  beforeAll(async () => {
    limited = await startTestSystem({
      QUOTA_OPEN_TASKS: '2',
      QUOTA_OPEN_ORCHESTRATIONS: '1',
      QUOTA_SCHEDULES: '1',
      API_CREATE_RATE_PER_SECOND: '1',
      API_CREATE_BURST: '5',
    });
  });
  afterAll(async () => {
    await limited?.teardown();
  });

  it('refuses a creation past the owner’s open-task quota with 403 naming it, and takes one again once a task is cancelled', async () => {
    const carol = await limited.as(`carol-${limited.owner}`);
    const later = { url: limited.target.url('/q'), delayMs: 3_600_000 };
    const first = await carol.post('/tasks').send(later).expect(201);
    await carol.post('/tasks').send(later).expect(201);
    const refused = await carol.post('/tasks').send(later).expect(403);
    expect(refused.body.message).toBe(
      `task quota reached: carol-${limited.owner} has 2 open tasks (scheduled or running), and at most 2 are allowed (QUOTA_OPEN_TASKS); cancel some, or wait for some to finish before creating another`,
    );
    // Another user's quota is its own.
    await (await limited.as(`dave-${limited.owner}`)).post('/tasks').send(later).expect(201);
    await carol.post(`/tasks/${first.body.id}/cancel`).expect(200);
    await eventually(async () => ((await carol.post('/tasks').send(later)).status === 201 ? true : undefined), 10_000, 1_100);
  });

  it('bounds orchestrations and schedules the same way', async () => {
    const erin = await limited.as(`erin-${limited.owner}`);
    const orchestration = {
      steps: [{ url: limited.target.url('/a') }],
      conditionCheck: { url: limited.target.url('/c') },
      initialDelayMs: 3_600_000,
    };
    await erin.post('/orchestrations').send(orchestration).expect(201);
    expect((await erin.post('/orchestrations').send(orchestration).expect(403)).body.message).toMatch(
      /^orchestration quota reached: .* at most 1 are allowed \(QUOTA_OPEN_ORCHESTRATIONS\)/,
    );
    const schedule = { everyMs: 3_600_000, paused: true, task: { url: limited.target.url('/s') } };
    await erin.post('/schedules').send(schedule).expect(201);
    expect((await erin.post('/schedules').send(schedule).expect(403)).body.message).toMatch(
      /^schedule quota reached: .* 1 schedules, and at most 1 are allowed \(QUOTA_SCHEDULES\); delete one/,
    );
  });

  it('counts a schedule trigger as a creation: 429 with Retry-After past the burst', async () => {
    const frank = await limited.as(`frank-${limited.owner}`);
    const { body } = await frank
      .post('/schedules')
      .send({ everyMs: 3_600_000, paused: true, task: { url: limited.target.url('/t') } })
      .expect(201);
    // The burst of 5 held one creation and, refilled at 1 a second, a few triggers: then 429.
    const answers: Array<{ status: number; body: { message: string }; headers: Record<string, string> }> = [];
    for (let i = 0; i < 12 && !answers.some((r) => r.status === 429); i++) answers.push(await frank.post(`/schedules/${body.id}/trigger`));
    const statuses = answers.map((r) => r.status);
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
    expect(answers.at(-1)!.body.message).toMatch(/^too many creations: at most 1 per second \(bursts of 5\); retry after \d+ s$/);
    expect(Number(answers.at(-1)!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});
