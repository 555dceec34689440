import { canonicalJson, idempotency } from './idempotency';

describe('idempotency', () => {
  it('derives the same id for the same kind, owner and key, and another for any other', () => {
    const first = idempotency('task-', 'task', 'alice', 'order-42', { url: 'https://x' });
    expect(first.id).toMatch(/^task-[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idempotency('task-', 'task', 'alice', 'order-42', { url: 'https://y' }).id).toBe(first.id);
    expect(idempotency('task-', 'task', 'bob', 'order-42', { url: 'https://x' }).id).not.toBe(first.id);
    expect(idempotency('task-', 'task', 'alice', 'order-43', { url: 'https://x' }).id).not.toBe(first.id);
    expect(idempotency('orch-', 'orchestration', 'alice', 'order-42', { url: 'https://x' }).id.slice(5)).not.toBe(first.id.slice(5));
  });

  it('hashes equal requests equally whatever their key order, and different ones differently', () => {
    const a = idempotency('task-', 'task', 'alice', 'k', { url: 'https://x', headers: { b: '2', a: '1' }, retries: 3 });
    const b = idempotency('task-', 'task', 'alice', 'k', { retries: 3, headers: { a: '1', b: '2' }, url: 'https://x' });
    const c = idempotency('task-', 'task', 'alice', 'k', { retries: 4, headers: { a: '1', b: '2' }, url: 'https://x' });
    expect(a.requestHash).toBe(b.requestHash);
    expect(c.requestHash).not.toBe(a.requestHash);
  });

  it('writes canonical JSON: sorted keys, no undefined fields, arrays in order', () => {
    expect(canonicalJson({ z: 1, a: [3, { y: undefined, x: null }], m: 'é' })).toBe('{"a":[3,{"x":null}],"m":"é","z":1}');
  });
});
