import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { createLogger } from '../../../../libs/observability/logger';
import { REQUEST_ID_HEADER, requestLogging } from './request-logging';

/** An express app that logs its requests into `lines`, with a caller on the request as the guard would put it. */
function appLoggingTo(lines: Record<string, unknown>[]) {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const app = express();
  app.use(requestLogging(createLogger('api', { level: 'info', format: 'json' }, sink)));
  app.get('/tasks/:id', (req, res) => {
    (req as unknown as { caller: unknown }).caller = { sub: 'alice', admin: false };
    res.status(404).json({ statusCode: 404 });
  });
  return app;
}

describe('request logging', () => {
  it('writes one JSON line per request with its id, route, status and owner, and never the token', async () => {
    const lines: Record<string, unknown>[] = [];
    const res = await request(appLoggingTo(lines))
      .get('/tasks/task-1?cursor=abc')
      .set('authorization', 'Bearer secret-token-value')
      .set('idempotency-key', 'idem-key-9f3')
      .set(REQUEST_ID_HEADER, 'req-42')
      .expect(404);
    expect(res.headers[REQUEST_ID_HEADER]).toBe('req-42');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'api',
      req: { id: 'req-42', method: 'GET', path: '/tasks/task-1' },
      res: { statusCode: 404 },
      owner: 'alice',
      route: '/tasks/:id',
      msg: 'GET /tasks/task-1 404',
    });
    expect(JSON.stringify(lines)).not.toMatch(/secret-token-value|authorization|idem-key-9f3/i);
  });

  it('makes a request id when the caller sends none or a strange one, and echoes it', async () => {
    const lines: Record<string, unknown>[] = [];
    const res = await request(appLoggingTo(lines)).get('/tasks/x').set(REQUEST_ID_HEADER, 'bad id with spaces').expect(404);
    expect(res.headers[REQUEST_ID_HEADER]).toMatch(/^[0-9a-f-]{36}$/);
    expect((lines[0].req as { id: string }).id).toBe(res.headers[REQUEST_ID_HEADER]);
  });
});
