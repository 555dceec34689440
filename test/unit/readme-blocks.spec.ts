import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchShown, readmeBlocks, ReadmeConventionError } from '../readme/readme-blocks';
import { runBlock } from '../readme/shell';

const fence = '```';

describe('readmeBlocks', () => {
  it('takes the shell blocks marked "test", in order, under their heading, and leaves the others', () => {
    const blocks = readmeBlocks(
      [
        '# Title',
        `${fence}bash`,
        'npm start',
        fence,
        '## Tasks',
        `${fence}bash test`,
        'echo one',
        fence,
        `${fence}json test`,
        '{}',
        fence,
        `${fence}sh test`,
        'echo two',
        fence,
      ].join('\n'),
    );
    expect(blocks).toEqual([
      { number: 1, line: 7, heading: 'Tasks', code: 'echo one', script: 'echo one', expectations: [] },
      { number: 2, line: 13, heading: 'Tasks', code: 'echo two', script: 'echo two', expectations: [] },
    ]);
  });

  it('reads the answers shown, on a line of their own or after a command, with JSON running on over comment lines', () => {
    const [block] = readmeBlocks(
      [
        `${fence}bash test`,
        'curl -s -X POST $API/tasks -d \'{ "delayMs": 1 }\'',
        '# -> 201 { "status": "scheduled",',
        '#          "attempts": [] }',
        'curl -s $API/me    # -> 200 {"sub":"alice"}',
        'curl -s -X DELETE $API/x   # -> 404',
        '# a comment that shows nothing',
        fence,
      ].join('\n'),
    );
    expect(block.expectations).toEqual([
      {
        line: 3,
        status: 201,
        body: { status: 'scheduled', attempts: [] },
        text: '# -> 201 { "status": "scheduled", "attempts": [] }',
      },
      { line: 5, status: 200, body: { sub: 'alice' }, text: 'curl -s $API/me    # -> 200 {"sub":"alice"}' },
      { line: 6, status: 404, text: 'curl -s -X DELETE $API/x   # -> 404' },
    ]);
    expect(block.script).toBe(
      [
        'curl -s -X POST $API/tasks -d \'{ "delayMs": 1 }\'',
        '__readme_expect 0',
        'curl -s $API/me',
        '__readme_expect 1',
        'curl -s -X DELETE $API/x',
        '__readme_expect 2',
        '# a comment that shows nothing',
      ].join('\n'),
    );
  });

  it('refuses an answer that is not JSON, and a block never closed, naming the line', () => {
    expect(() => readmeBlocks([`${fence}bash test`, 'curl x', '# -> 200 { id, status }', fence].join('\n'))).toThrow(
      new ReadmeConventionError(3, 'the answer shown after "# -> " is not JSON (continued on "#" lines): { id, status }'),
    );
    expect(() => readmeBlocks(['text', `${fence}bash test`, 'echo'].join('\n'))).toThrow(
      'README.md:2: the code block opened here is never closed',
    );
  });
});

describe('matchShown', () => {
  it('matches the fields shown and ignores the others', () => {
    expect(matchShown({ status: 'scheduled', attempts: [] }, { id: 't', status: 'scheduled', attempts: [] })).toEqual([]);
    expect(matchShown({ status: 'scheduled' }, { status: 'running' })).toEqual(['$.status: expected "scheduled", got "running"']);
    expect(matchShown({ result: { statusCode: 200 } }, { result: null })).toEqual(['$.result: expected an object, got null']);
    expect(matchShown({ nextCursor: null }, {})).toEqual(['$.nextCursor: missing']);
    expect(matchShown({ number: 1, '...': '...' }, { number: 1, statusCode: 200 })).toEqual([]);
  });

  it('takes "..." for any value, and "prefix..." for any string starting so', () => {
    expect(matchShown({ id: 'task-...', runAt: '...' }, { id: 'task-4f1c', runAt: null })).toEqual([]);
    expect(matchShown({ id: 'task-...' }, { id: 'orch-4f1c' })).toEqual(['$.id: expected a string starting "task-", got "orch-4f1c"']);
  });

  it('matches arrays element by element, of the same length unless the last element shown is "..."', () => {
    const attempts = [{ statusCode: 503 }, { statusCode: 200 }];
    expect(matchShown([{ statusCode: 503 }, { statusCode: 200 }], attempts)).toEqual([]);
    expect(matchShown([{ statusCode: 503 }], attempts)).toEqual(['$: expected 1 elements, got 2: [{"statusCode":503},{"statusCode":200}]']);
    expect(matchShown([{ statusCode: 503 }, '...'], attempts)).toEqual([]);
    expect(matchShown([{ statusCode: 200 }, '...'], attempts)).toEqual(['$[0].statusCode: expected 200, got 503']);
  });
});

describe('runBlock (bash and curl against a loopback server)', () => {
  let server: Server;
  let api: string;
  let stateDir: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const status = Number(/^\/status\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 200);
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: 'task-42', status: 'scheduled', path: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stateDir = mkdtempSync(join(tmpdir(), 'readme-runner-spec-'));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(stateDir, { recursive: true, force: true });
  });

  const run = (code: string) => {
    const [block] = readmeBlocks(`${fence}bash test\n${code}\n${fence}`);
    return runBlock(block, { cwd: stateDir, env: { PATH: process.env.PATH, API: api }, stateDir, timeoutMs: 10_000 });
  };

  it('passes when every curl answers as shown, and keeps the variables a block sets for the next', async () => {
    const first = await run(
      ['TASK=$(curl -s -X POST $API/tasks | sed \'s/.*"id":"\\([^"]*\\)".*/\\1/\')', '# -> 200 {"status": "scheduled"}'].join('\n'),
    );
    expect(first.failure).toBeNull();
    const second = await run('curl -s $API/tasks/$TASK   # -> 200 {"path": "/tasks/task-42"}');
    expect(second.failure).toBeNull();
    expect(second.curls).toEqual([
      { command: `curl -s ${api}/tasks/task-42`, status: 200, body: expect.stringContaining('"path":"/tasks/task-42"') },
    ]);
  });

  it('fails on an answer other than the one shown, naming the line and the field', async () => {
    const mismatch = await run('curl -s $API/x   # -> 200 {"status": "completed"}');
    expect(mismatch.failure).toBe(
      [
        'README.md:2: curl -s $API/x   # -> 200 {"status": "completed"}',
        `  curl -s ${api}/x`,
        '  answered 200 {"id":"task-42","status":"scheduled","path":"/x"}',
        '  $.status: expected "completed", got "scheduled"',
      ].join('\n'),
    );
    expect((await run('curl -s $API/status/409   # -> 200')).failure).toMatch(/^README.md:2: .*\n.*\n {2}answered 409 /);
  });

  it('fails on a curl answering 4xx or 5xx that the README shows no answer for, and passes when it does', async () => {
    const unshown = await run(['curl -s $API/status/404', 'echo after'].join('\n'));
    expect(unshown.failure).toMatch(/^curl #1 answered 404, and the README shows no answer for it \(write # -> 404 \.\.\. after it\)\n/);
    expect((await run('curl -s $API/status/404   # -> 404')).failure).toBeNull();
  });

  it('fails on a command that fails, on an unset variable, and on an answer shown that is never reached', async () => {
    expect((await run('false')).failure).toBe('the block exited with 1');
    expect((await run('echo $NOT_SET')).failure).toBe('the block exited with 1');
    expect((await run(['exit 0', 'curl -s $API/x', '# -> 200'].join('\n'))).failure).toBe('README.md:4: # -> 200\n  was never reached');
  });
});
