import type { OpenAPIObject } from '@nestjs/swagger';
import express from 'express';
import request from 'supertest';
import { methodNotAllowedHandler } from './method-not-allowed';

const DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: {
    '/tasks': { get: {}, post: {} },
    '/tasks/counts': { get: {} },
    '/tasks/{id}': { get: {}, patch: {}, parameters: [] },
    '/tasks/{id}/cancel': { post: {} },
  },
} as unknown as OpenAPIObject;

/** An app with the handler before routes that answer every method, as the API's router would for its own. */
function app() {
  const server = express();
  server.use(methodNotAllowedHandler(DOCUMENT));
  server.all('/{*path}', (req, res) => {
    res.status(299).json({ routed: `${req.method} ${req.path}` });
  });
  return server;
}

describe('methodNotAllowedHandler', () => {
  it('answers a method a documented path does not have with 405, Allow and the error body', async () => {
    const res = await request(app()).put('/tasks').expect(405);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
    expect(res.body).toEqual({
      statusCode: 405,
      error: 'Method Not Allowed',
      message: 'PUT is not allowed on /tasks; allowed: GET, HEAD, OPTIONS, POST',
    });
  });

  it('matches templated paths, with a trailing slash and in any case, as the router does', async () => {
    expect((await request(app()).delete('/tasks/task-1').expect(405)).headers.allow).toBe('GET, HEAD, OPTIONS, PATCH');
    expect((await request(app()).get('/tasks/task-1/cancel/').expect(405)).headers.allow).toBe('OPTIONS, POST');
    await request(app()).put('/TASKS').expect(405);
  });

  it('matches a concrete path before a templated one: PATCH /tasks/counts is a 405, not a task named counts', async () => {
    expect((await request(app()).patch('/tasks/counts').expect(405)).headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('answers OPTIONS with 204 and Allow', async () => {
    const res = await request(app()).options('/tasks/task-1').expect(204);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS, PATCH');
  });

  it('lets documented methods, HEAD of a GET, and undocumented paths through to the routes', async () => {
    for (const call of [
      request(app()).get('/tasks'),
      request(app()).post('/tasks/task-1/cancel'),
      request(app()).patch('/tasks/task-1'),
      request(app()).put('/docs'),
      request(app()).delete('/tasks/task-1/cancel/more'),
    ]) {
      await call.expect(299);
    }
    await request(app()).head('/tasks').expect(299);
  });
});
