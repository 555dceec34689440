import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { temporalBinary } from '../../libs/runtime/temporal-binaries';
import { testToken } from '../support/jwt';
import { eventually } from '../support/wait';
import { FaultSystem } from './support/fault-system';

/**
 * Secrets at rest, with the built apps as real processes (JSON logs at info, as in production)
 * and a dev server on a SQLite file: after a task whose header and body hold markers has been
 * made (and retried), an orchestration's step fails once with a marker in its answer, and a
 * schedule holding them is kept, no marker appears in the server's
 * files, in `temporal workflow show` or `temporal schedule describe`, or in the apps' logs; yet
 * the target got them, and an admin reads them back through the codec server.
 */
describe('secrets at rest (real processes, SQLite dev server)', () => {
  let system: FaultSystem;
  const headerMarker = `hdr-${randomUUID()}`;
  const bodyMarker = `body-${randomUUID()}`;
  const queryMarker = `qry-${randomUUID()}`;
  const markers = [headerMarker, bodyMarker, queryMarker];
  let taskId = '';
  let scheduleId = '';
  let orchestrationId = '';

  beforeAll(async () => {
    system = await FaultSystem.start({ env: { LOG_LEVEL: 'info' }, captureOutput: true });
    // The first attempt fails, with the marker in the answer too: attempts, errors and results are all kept.
    system.target.respond('/secret', (n) =>
      n === 0 ? { status: 503, body: { echo: bodyMarker } } : { status: 200, body: { echo: bodyMarker } },
    );
    const token = await testToken(`faults-${system.taskQueue}`);
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${system.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string };
    };
    const call = {
      url: `${system.target.url('/secret')}?token=${queryMarker}`,
      headers: { 'x-api-key': headerMarker },
      body: { card: bodyMarker },
    };
    taskId = (await post('/tasks', { ...call, retries: 1, retryIntervalMs: 100 })).id;
    scheduleId = (await post('/schedules', { everyMs: 3_600_000, paused: true, task: call })).id;
    // An orchestration's step runs in a regular activity: its failed attempt (the answer's body
    // in its details) is what the SDK logs as "Activity failed".
    system.target.respond('/step', (n) => (n === 0 ? { status: 500, body: { echo: bodyMarker } } : { status: 200, body: { ok: true } }));
    orchestrationId = (
      await post('/orchestrations', {
        steps: [{ ...call, url: `${system.target.url('/step')}?token=${queryMarker}`, retries: 1, retryIntervalMs: 100 }],
        conditionCheck: { url: system.target.url('/check') },
      })
    ).id;
    await system.waitUntilFinished([taskId], 30_000);
    await eventually(async () => {
      const res = await fetch(`${system.baseUrl}/orchestrations/${orchestrationId}/status`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await res.json()) as { status: string }).status === 'completed' ? true : undefined;
    }, 30_000);
  });
  afterAll(async () => {
    await system?.teardown();
  });

  /** The markers found in `text`, in any of the forms bytes take in the server's files (raw, or base64 at any alignment). */
  function markersIn(text: string | Buffer): string[] {
    const haystack = Buffer.isBuffer(text) ? text.toString('latin1') : text;
    // base64 of the marker at each of the three byte alignments it can have inside a longer value:
    // the groups of four characters that only its own bytes make.
    const forms = (marker: string) =>
      [0, 1, 2].map((shift) =>
        Buffer.from(`${'x'.repeat(shift)}${marker}`)
          .toString('base64')
          .slice(shift === 0 ? 0 : 4, -4),
      );
    return markers.filter((marker) => haystack.includes(marker) || forms(marker).some((form) => haystack.includes(form)));
  }

  it('made the call with the markers: they reached the target', async () => {
    const [first, second] = system.target.requests('/secret');
    expect(first.headers['x-api-key']).toBe(headerMarker);
    expect(JSON.parse(second.body)).toEqual({ card: bodyMarker });
    expect(await system.getStatus(taskId)).toBe('completed');
  });

  it("leaves no marker in the dev server's database files, which do hold the task", () => {
    const files = system.serverFiles;
    expect(files.length).toBeGreaterThan(0);
    const contents = Buffer.concat(files.map((file) => readFileSync(file))).toString('latin1');
    // The scan can see: the task's id and owner (a search attribute, never encrypted) are there in the clear.
    expect(contents).toContain(taskId);
    expect(contents).toContain(`faults-${system.taskQueue}`);
    expect(markersIn(contents)).toEqual([]);
  });

  it('leaves no marker in temporal workflow show (text and JSON) or temporal schedule describe', () => {
    const cli = (...args: string[]) =>
      execFileSync(temporalBinary('temporal'), [...args, '--address', system.temporalAddress], { encoding: 'utf8' });
    const shown = [
      cli('workflow', 'show', '--workflow-id', taskId),
      cli('workflow', 'show', '--workflow-id', taskId, '--output', 'json'),
      cli('workflow', 'describe', '--workflow-id', taskId, '--output', 'json'),
      cli('schedule', 'describe', '--schedule-id', scheduleId, '--output', 'json'),
      cli('workflow', 'show', '--workflow-id', orchestrationId, '--output', 'json'),
    ];
    // The scan can see: the payloads are there, marked encrypted.
    expect(shown[1]).toContain(Buffer.from('binary/encrypted').toString('base64'));
    expect(shown.map(markersIn)).toEqual([[], [], [], [], []]);
  });

  it("leaves no marker in the API's or the worker's logs, which do log the task and the orchestration's failed attempt", async () => {
    // Every attempt's line: the task's two, the step's two (the first a 500), the check's one.
    const attempts = () => system.output('worker').match(/"msg":"call attempt"/g)?.length ?? 0;
    await eventually(() => Promise.resolve(attempts() >= 5 ? true : undefined), 10_000);
    const [api, worker] = [system.output('api'), system.output('worker')];
    expect(worker).toContain(taskId);
    expect(worker).toMatch(new RegExp(`"workflowId":"${orchestrationId}"[^\n]*"statusCode":500`));
    expect(api).toContain('"path":"/tasks"');
    expect([markersIn(api), markersIn(worker)]).toEqual([[], []]);
  });

  it("gives the body and URL back to an admin through the codec server, from the encrypted history, but not the owner's header value", async () => {
    const history = JSON.parse(
      execFileSync(
        temporalBinary('temporal'),
        ['workflow', 'show', '--workflow-id', taskId, '--output', 'json', '--address', system.temporalAddress],
        { encoding: 'utf8' },
      ),
    ) as { events: Array<{ workflowExecutionStartedEventAttributes?: { input: { payloads: unknown[] } } }> };
    const input = history.events[0].workflowExecutionStartedEventAttributes!.input;
    const decoded = await eventually(async () => {
      const res = await fetch(`${system.baseUrl}/codec/decode`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await testToken('root', true)}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      return res.status === 200 ? ((await res.json()) as { payloads: Array<{ data: string }> }) : undefined;
    }, 10_000);
    const plain = Buffer.from(decoded.payloads[0].data, 'base64').toString();
    expect(markersIn(plain).sort()).toEqual([bodyMarker, queryMarker].sort());
    expect(JSON.parse(plain)).toMatchObject({ request: { headers: { 'x-api-key': '<redacted>' } } });
  });
});
