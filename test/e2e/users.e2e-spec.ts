import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { decodeWebhookSecret, verifyWebhook } from '../../activities';
import { hs256Token, TEST_JWT_SECRET, unsignedToken } from '../support/jwt';
import { OidcIssuer } from '../support/oidc-issuer';
import { startTestSystem, testSystemPerFile, type AuthedApi, type TestSystem } from '../support/test-system';
import { eventually } from '../support/wait';

/** What every 401 answers: the message says what is wrong, and the RFC 6750 challenge. */
async function expect401(call: request.Test, message: string): Promise<void> {
  const res = await call.expect(401);
  expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message });
  expect(res.headers['www-authenticate']).toBe(
    message === 'missing bearer token' ? 'Bearer' : `Bearer error="invalid_token", error_description="${message}"`,
  );
}

describe('users: authentication, ownership, signing secrets, outbound safety, idempotency, rate limits (e2e)', () => {
  const system = testSystemPerFile();
  let alice: AuthedApi;
  let bob: AuthedApi;
  let admin: AuthedApi;
  const run = randomUUID().slice(0, 8);
  const [aliceSub, bobSub] = [`alice-${run}`, `bob-${run}`];

  beforeAll(async () => {
    [alice, bob, admin] = await Promise.all([system.as(aliceSub), system.as(bobSub), system.as(`admin-${run}`, { admin: true })]);
  });
  const anonymous = () => request(system.baseUrl);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  describe('embedded mode (HS256): every way a token can be wrong is a 401 that says which', () => {
    it.each([
      ['no Authorization header', undefined, 'missing bearer token'],
      ['a Basic header', 'Basic YWxpY2U6c2VjcmV0', 'missing bearer token'],
      ['a token that is not a JWT', 'Bearer not.a.jwt!', 'malformed bearer token'],
    ])('refuses %s', async (_what, header, message) => {
      await expect401(header ? anonymous().get('/tasks').set('authorization', header) : anonymous().get('/tasks'), message);
    });

    it('refuses expired, wrongly signed, unsigned, subject-less and foreign-algorithm tokens', async () => {
      const expired = await hs256Token(TEST_JWT_SECRET, { sub: aliceSub, exp: Math.floor(Date.now() / 1000) - 60 });
      const forged = await hs256Token('another-secret-0123456789abcdefgh', { sub: aliceSub });
      const noSub = await hs256Token(TEST_JWT_SECRET, {});
      await expect401(anonymous().get('/tasks').set(bearer(expired)), 'token expired');
      await expect401(anonymous().get('/tasks').set(bearer(forged)), 'token signature is not valid');
      await expect401(
        anonymous()
          .get('/tasks')
          .set(bearer(unsignedToken({ sub: aliceSub, exp: 9_999_999_999 }))),
        'token algorithm none is not accepted',
      );
      await expect401(anonymous().get('/tasks').set(bearer(noSub)), 'token has no sub');
    });

    it('leaves /health and the OpenAPI document open, and documents the bearer scheme', async () => {
      await anonymous().get('/health').expect(200);
      const doc = await anonymous().get('/docs-json').expect(200);
      expect(doc.body.components.securitySchemes).toEqual({
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        // The codec server's alternative, for the Temporal Web UI in an admin's browser.
        codecCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'scheduler_codec',
          description: "The dashboard's codec cookie (POST /codec/session): the codec server only.",
        },
      });
      expect(doc.body.security).toEqual([{ bearer: [] }]);
      expect(doc.body.paths['/health'].get.security).toEqual([{}]);
    });

    it('says who the caller is', async () => {
      expect((await alice.get('/me').expect(200)).body).toEqual({ sub: aliceSub, admin: false });
      expect((await admin.get('/me').expect(200)).body).toEqual({ sub: `admin-${run}`, admin: true });
    });
  });

  describe('production mode (ES256/RS256 from a JWKS, on loopback)', () => {
    let issuer: OidcIssuer;
    let jwks: TestSystem;
    beforeAll(async () => {
      issuer = await OidcIssuer.start('scheduler-api');
      jwks = await startTestSystem({ JWT_SECRET: '', JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: 'scheduler-api', JWT_JWKS_COOLDOWN_MS: '0' });
    });
    afterAll(async () => {
      await jwks?.teardown();
      await issuer?.stop();
    });
    const get = (token: string) => request(jwks.baseUrl).get('/me').set(bearer(token));

    it('accepts ES256 and RS256 tokens of the issuer, found through its discovery document', async () => {
      expect((await get(await issuer.token({ sub: 'carol' })).expect(200)).body).toEqual({ sub: 'carol', admin: false });
      expect((await get(await issuer.token({ sub: 'dave', roles: ['admin'] }, { alg: 'RS256' })).expect(200)).body).toEqual({
        sub: 'dave',
        admin: true,
      });
    });

    it('refuses a wrong issuer, a wrong audience, an expired token, alg none and an HS256 token signed with the public key', async () => {
      await expect401(get(await issuer.token({ sub: 'carol', iss: 'https://evil.example' })), 'token issuer is not accepted');
      await expect401(get(await issuer.token({ sub: 'carol', aud: 'another-api' })), 'token audience is not accepted');
      await expect401(get(await issuer.token({ sub: 'carol' }, { ttlSeconds: -60 })), 'token expired');
      await expect401(
        get(unsignedToken({ sub: 'carol', iss: issuer.issuer, aud: 'scheduler-api', exp: 9_999_999_999 })),
        'token algorithm none is not accepted',
      );
      const publicKeyAsSecret = JSON.stringify(issuer.publicJwk('ES256'));
      const confused = await hs256Token(publicKeyAsSecret, { sub: 'carol', iss: issuer.issuer, aud: 'scheduler-api' });
      await expect401(get(confused), 'token algorithm HS256 is not accepted');
      await expect401(get(await hs256Token(TEST_JWT_SECRET, { sub: 'carol' })), 'token algorithm HS256 is not accepted');
    });

    it('fetches the keys again for a token signed with a rotated key', async () => {
      await get(await issuer.token({ sub: 'carol' })).expect(200);
      const fetchedBefore = issuer.jwksRequests;
      await issuer.rotate('ES256');
      await get(await issuer.token({ sub: 'carol' })).expect(200);
      expect(issuer.jwksRequests).toBe(fetchedBefore + 1);
    });
  });

  describe('ownership', () => {
    it("hides bob's task and orchestration from alice (404 to read, change and cancel) and from her lists", async () => {
      const { body: task } = await bob
        .post('/tasks')
        .send({ url: system.target.url('/bob'), delayMs: 3_600_000 })
        .expect(201);
      const { body: orch } = await bob
        .post('/orchestrations')
        .send({
          steps: [{ url: system.target.url('/bob') }],
          conditionCheck: { url: system.target.url('/bob') },
          initialDelayMs: 3_600_000,
        })
        .expect(201);
      expect([task.owner, orch.owner]).toEqual([bobSub, bobSub]);
      for (const [path, id] of [
        ['tasks', task.id],
        ['orchestrations', orch.id],
      ] as const) {
        const notFound = { statusCode: 404, error: 'Not Found', message: `${path === 'tasks' ? 'task' : 'orchestration'} ${id} not found` };
        expect((await alice.get(`/${path}/${id}`).expect(404)).body).toEqual(notFound);
        await alice.get(`/${path}/${id}/status`).expect(404);
        await alice
          .patch(`/${path}/${id}`)
          .send(path === 'tasks' ? { delayMs: 5 } : { initialDelayMs: 5 })
          .expect(404);
        await alice.post(`/${path}/${id}/cancel`).expect(404);
        const mine = await alice.get(`/${path}`).query({ limit: 100 }).expect(200);
        expect(mine.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
        await bob.get(`/${path}/${id}`).expect(200);
      }
    });

    it("lets an admin list everyone's (owner=all) or one user's, read and cancel them, but not change them; 403 for anyone else's owner", async () => {
      const { body: task } = await bob
        .post('/tasks')
        .send({ url: system.target.url('/admin'), delayMs: 3_600_000 })
        .expect(201);
      const { body: own } = await alice
        .post('/tasks')
        .send({ url: system.target.url('/admin'), delayMs: 3_600_000 })
        .expect(201);
      const all = await eventually(async () => {
        const res = await admin.get('/tasks').query({ owner: 'all', status: 'scheduled', limit: 100 }).expect(200);
        const ids = res.body.items.map((i: { id: string }) => i.id);
        return ids.includes(task.id) && ids.includes(own.id) ? res.body.items : undefined;
      });
      expect(all.find((i: { id: string }) => i.id === task.id).owner).toBe(bobSub);
      const bobs = await admin.get('/tasks').query({ owner: bobSub, limit: 100 }).expect(200);
      expect(bobs.body.items.every((i: { owner: string }) => i.owner === bobSub)).toBe(true);
      const forbidden = await alice.get('/tasks').query({ owner: 'all' }).expect(403);
      expect(forbidden.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: "only an admin may list another user's resources (owner)",
      });
      await alice.get('/orchestrations').query({ owner: bobSub }).expect(403);
      await alice.get('/schedules').query({ owner: 'all' }).expect(403);

      expect((await admin.get(`/tasks/${task.id}`).expect(200)).body.owner).toBe(bobSub);
      await admin
        .patch(`/tasks/${task.id}`)
        .send({ url: system.target.url('/admin-redirect') })
        .expect(404);
      await admin.post(`/tasks/${task.id}/cancel`).expect(200);
      expect((await bob.get(`/tasks/${task.id}/status`).expect(200)).body.status).toBe('cancelled');
      await alice.post(`/tasks/${own.id}/cancel`).expect(200);
    });

    it('keeps schedules to their owner too, and lets an admin pause and delete them but not trigger or change them', async () => {
      const { body: schedule } = await bob
        .post('/schedules')
        .send({ cron: '@daily', task: { url: system.target.url('/sched') } })
        .expect(201);
      expect(schedule.owner).toBe(bobSub);
      await alice.get(`/schedules/${schedule.id}`).expect(404);
      await alice.post(`/schedules/${schedule.id}/pause`).expect(404);
      const listed = await alice.get('/schedules').query({ limit: 100 }).expect(200);
      expect(listed.body.items.map((s: { id: string }) => s.id)).not.toContain(schedule.id);
      await admin.post(`/schedules/${schedule.id}/trigger`).expect(404);
      await admin.patch(`/schedules/${schedule.id}`).send({ cron: '@hourly' }).expect(404);
      expect((await admin.post(`/schedules/${schedule.id}/pause`).expect(200)).body.state).toBe('paused');
      await admin.delete(`/schedules/${schedule.id}`).expect(200);
    });

    it('lets only an admin deploy functions', async () => {
      const res = await alice.post('/functions').send({}).expect(403);
      expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'only an admin may do this' });
    });
  });

  describe('signing secrets', () => {
    it("signs alice's calls with alice's own secret, which bob's does not verify", async () => {
      const aliceSecret = (await alice.get('/me/signing-secret').expect(200)).body;
      const bobSecret = (await bob.get('/me/signing-secret').expect(200)).body;
      expect(aliceSecret).toEqual({ owner: aliceSub, secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) });
      expect(bobSecret.secret).not.toBe(aliceSecret.secret);
      await alice
        .post('/tasks')
        .send({ url: system.target.url('/signed'), body: { n: 1 } })
        .expect(201);
      const [arrival] = await system.target.waitForRequests('/signed', 1);
      const headers = arrival.headers as Record<string, string>;
      expect(verifyWebhook(decodeWebhookSecret(aliceSecret.secret), headers, arrival.body)).toBe(true);
      expect(verifyWebhook(decodeWebhookSecret(bobSecret.secret), headers, arrival.body)).toBe(false);
    });
  });

  describe('outbound safety', () => {
    // IP literals are refused at create; the rest of the corpus is unit-tested in libs/outbound.
    it.each([
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 (linkLocal)'],
      ['http://[fd00:ec2::254]/latest/meta-data/', 'fd00:ec2::254 (uniqueLocal)'],
      ['http://10.0.0.1/', '10.0.0.1 (private)'],
      ['http://192.168.1.1:8080/', '192.168.1.1 (private)'],
      ['http://172.16.5.4/', '172.16.5.4 (private)'],
      ['http://100.64.0.1/', '100.64.0.1 (carrierGradeNat)'],
      ['http://0.0.0.0:7233/', '0.0.0.0 (unspecified)'],
      ['http://2852039166/', '169.254.169.254 (linkLocal)'],
      ['http://0xa9fea9fe/', '169.254.169.254 (linkLocal)'],
      ['http://0251.0376.0251.0376/', '169.254.169.254 (linkLocal)'],
      ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe (ipv4Mapped)'],
      ['http://[64:ff9b::a9fe:a9fe]/', '64:ff9b::a9fe:a9fe (rfc6052)'],
      ['http://user:pass@10.1.2.3/', '10.1.2.3 (private)'],
    ])('refuses %s at create with a 400 naming the field, and creates nothing', async (url, refusal) => {
      const res = await alice.post('/tasks').send({ url }).expect(400);
      expect(res.body.errors).toEqual([{ field: 'url', messages: [`destination not allowed: ${refusal}`] }]);
      const nested = await alice
        .post('/orchestrations')
        .send({ steps: [{ url: system.target.url('/ok') }, { url }], conditionCheck: { url: system.target.url('/ok') }, fallback: { url } })
        .expect(400);
      expect(nested.body.errors.map((e: { field: string }) => e.field)).toEqual(['steps[1].url', 'fallback.url']);
    });

    it('refuses a host name that resolves to loopback when loopback is not allowed: the attempt fails once, not retried, and says why', async () => {
      const strict = await startTestSystem({ OUTBOUND_ALLOW_CIDRS: '' });
      try {
        const url = strict.target.url('/never').replace('127.0.0.1', 'localhost');
        await strict
          .api()
          .post('/tasks')
          .send({ url: strict.target.url('/never') })
          .expect(400);
        const { body: task } = await strict.api().post('/tasks').send({ url, retries: 3, retryIntervalMs: 100 }).expect(201);
        const failed = await eventually(async () => {
          const { body } = await strict.api().get(`/tasks/${task.id}`).expect(200);
          return body.status === 'failed' ? body : undefined;
        });
        expect(failed.attempts.map((a: { number: number; error: string }) => [a.number, a.error])).toEqual([
          [1, expect.stringMatching(/^destination not allowed: (127\.0\.0\.1 \(loopback\)|::1 \(loopback\))$/)],
        ]);
        expect(strict.target.requests('/never')).toHaveLength(0);
      } finally {
        await strict.teardown();
      }
    });
  });

  describe('idempotent creation', () => {
    it('answers a retry with the same key with the task it first created (200), and a reuse with another body with 409', async () => {
      const key = `order-${randomUUID()}`;
      const payload = { url: system.target.url('/idem'), delayMs: 3_600_000, name: 'idempotent' };
      const first = await alice.post('/tasks').set('idempotency-key', key).send(payload).expect(201);
      const retry = await alice.post('/tasks').set('idempotency-key', key).send(payload).expect(200);
      expect(retry.body.id).toBe(first.body.id);
      expect(retry.body).toEqual(first.body);
      const other = await alice
        .post('/tasks')
        .set('idempotency-key', key)
        .send({ ...payload, name: 'another' })
        .expect(409);
      expect(other.body.message).toBe(
        `this Idempotency-Key already created task ${first.body.id} from a different request; use a new key for a new task`,
      );
      // The same key from another user is another resource.
      const bobs = await bob.post('/tasks').set('idempotency-key', key).send(payload).expect(201);
      expect(bobs.body.id).not.toBe(first.body.id);
      await alice.post(`/tasks/${first.body.id}/cancel`).expect(200);
      await bob.post(`/tasks/${bobs.body.id}/cancel`).expect(200);
      await alice.post('/tasks').set('idempotency-key', ' ').send(payload).expect(400);
    });

    it('creates one task, called once, for ten concurrent identical requests', async () => {
      const key = `burst-${randomUUID()}`;
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          alice
            .post('/tasks')
            .set('idempotency-key', key)
            .send({ url: system.target.url('/concurrent'), delayMs: 1_000 }),
        ),
      );
      const ids = new Set(answers.map((a) => a.body.id));
      expect(ids.size).toBe(1);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      await system.target.waitForRequests('/concurrent', 1, 10_000);
      await sleep(1_500);
      expect(system.target.requests('/concurrent')).toHaveLength(1);
    });

    it('keys orchestrations and schedules the same way', async () => {
      const key = `k-${randomUUID()}`;
      const orch = {
        steps: [{ url: system.target.url('/o') }],
        conditionCheck: { url: system.target.url('/o') },
        initialDelayMs: 3_600_000,
      };
      const o1 = await alice.post('/orchestrations').set('idempotency-key', key).send(orch).expect(201);
      const o2 = await alice.post('/orchestrations').set('idempotency-key', key).send(orch).expect(200);
      expect(o2.body.id).toBe(o1.body.id);
      const sched = { cron: '@daily', task: { url: system.target.url('/s') } };
      const s1 = await alice.post('/schedules').set('idempotency-key', key).send(sched).expect(201);
      const s2 = await alice.post('/schedules').set('idempotency-key', key).send(sched).expect(200);
      expect(s2.body.id).toBe(s1.body.id);
      await alice
        .post('/schedules')
        .set('idempotency-key', key)
        .send({ ...sched, cron: '@hourly' })
        .expect(409);
      await alice.post(`/orchestrations/${o1.body.id}/cancel`).expect(200);
      await alice.delete(`/schedules/${s1.body.id}`).expect(200);
    });
  });

  describe('rate limits', () => {
    it('answers 429 with Retry-After once a user has spent the burst, per user', async () => {
      const limited = await startTestSystem({ API_CREATE_RATE_PER_SECOND: '1', API_CREATE_BURST: '2' });
      try {
        const carol = await limited.as('carol');
        const erin = await limited.as('erin');
        const create = (api: AuthedApi) => api.post('/tasks').send({ url: limited.target.url('/rl'), delayMs: 3_600_000 });
        await create(carol).expect(201);
        await create(carol).expect(201);
        const refused = await create(carol).expect(429);
        expect(refused.headers['retry-after']).toBe('1');
        expect(refused.body).toEqual({
          statusCode: 429,
          error: 'Too Many Requests',
          message: 'too many creations: at most 1 per second (bursts of 2); retry after 1 s',
        });
        await create(erin).expect(201);
        await carol.get('/tasks').expect(200); // reads are not limited
        await sleep(1_100);
        await create(carol).expect(201);
      } finally {
        await limited.teardown();
      }
    });
  });
});
