import { REDACTED, redactForeignHeaders } from './redact-foreign-headers';

describe('redactForeignHeaders', () => {
  const task = (owner: string) => ({
    id: 'task-1',
    owner,
    url: 'https://a.example/',
    headers: { 'x-api-key': 'k-123', accept: 'application/json' },
    // A body field named headers is redacted too: erring on the side of the owner's secrets.
    body: { headers: { note: 'n' } },
  });

  it("redacts every header value of another user's resource, keeping the names", () => {
    expect(redactForeignHeaders(task('alice'), 'root')).toEqual({
      ...task('alice'),
      headers: { 'x-api-key': REDACTED, accept: REDACTED },
      body: { headers: { note: REDACTED } },
    });
  });

  it("redacts the resume URL of another user's waiting orchestration: whoever holds it resumes the run", () => {
    const orchestration = (owner: string) => ({
      id: 'orch-1',
      owner,
      waiting: { step: 2, resumeUrl: 'https://api.example/orchestrations/orch-1/resume/t0k3n' },
    });
    expect(redactForeignHeaders(orchestration('alice'), 'root')).toEqual({
      id: 'orch-1',
      owner: 'alice',
      waiting: { step: 2, resumeUrl: REDACTED },
    });
    expect(redactForeignHeaders(orchestration('alice'), 'alice')).toEqual(orchestration('alice'));
  });

  it("leaves the owner's own resource untouched, the very object", () => {
    const own = task('alice');
    expect(redactForeignHeaders(own, 'alice')).toBe(own);
  });

  it('reaches headers anywhere under a resource: steps, the check, the fallback, a schedule’s task, list items', () => {
    const orchestration = {
      owner: 'alice',
      steps: [{ url: 'https://a.example/', headers: { authorization: 'Bearer s3cret' } }, { lambda: { function: 'f' } }],
      conditionCheck: { headers: { 'x-key': 'c' } },
      fallback: { parallel: [[{ headers: { 'x-key': 'f' } }]] },
    };
    const list = {
      items: [
        { owner: 'bob', task: { headers: { 'x-key': 'b' } } },
        { owner: 'root', task: { headers: { 'x-key': 'r' } } },
      ],
    };
    expect(redactForeignHeaders(orchestration, 'root')).toEqual({
      owner: 'alice',
      steps: [{ url: 'https://a.example/', headers: { authorization: REDACTED } }, { lambda: { function: 'f' } }],
      conditionCheck: { headers: { 'x-key': REDACTED } },
      fallback: { parallel: [[{ headers: { 'x-key': REDACTED } }]] },
    });
    expect(redactForeignHeaders(list, 'root')).toEqual({
      items: [
        { owner: 'bob', task: { headers: { 'x-key': REDACTED } } },
        { owner: 'root', task: { headers: { 'x-key': 'r' } } },
      ],
    });
  });

  it('does not change what it does not redact', () => {
    const original = task('alice');
    const copy = JSON.parse(JSON.stringify(original)) as unknown;
    redactForeignHeaders(original, 'root');
    expect(original).toEqual(copy);
  });

  it("reads a workflow's ownerId as its owner, and redacts what belongs to no one known when told it is foreign", () => {
    const input = { ownerId: 'alice', request: { url: 'https://a.example/', headers: { 'x-api-key': 'k' } } };
    expect(redactForeignHeaders(input, 'root').request.headers).toEqual({ 'x-api-key': REDACTED });
    expect(redactForeignHeaders(input, 'alice')).toBe(input);
    expect(redactForeignHeaders({ headers: { a: 'b' } }, 'root', true)).toEqual({ headers: { a: REDACTED } });
    expect(redactForeignHeaders({ headers: { a: 'b' } }, 'root')).toEqual({ headers: { a: 'b' } });
  });
});
