import { modifiedCall } from './task';

const http = { url: 'https://example.com/a', method: 'POST' as const, headers: {}, body: { a: 1 }, timeoutMs: 1_000 };

describe('modifiedCall', () => {
  it('merges HTTP fields into an HTTP call', () => {
    expect(modifiedCall(http, { method: 'PUT', timeoutMs: 2_000 })).toEqual({ ...http, method: 'PUT', timeoutMs: 2_000 });
  });

  it('refuses GET for a call that has a body', () => {
    expect(modifiedCall(http, { method: 'GET' })).toBe('method GET sends no body, and this call has one');
  });

  it('replaces the target with a Lambda invocation, keeping timeoutMs', () => {
    expect(modifiedCall(http, { lambda: { function: 'f' } } as never)).toEqual({ lambda: { function: 'f' }, timeoutMs: 1_000 });
  });

  it('refuses HTTP fields beside lambda', () => {
    expect(modifiedCall(http, { lambda: { function: 'f' }, method: 'PUT' } as never)).toBe('give either lambda or method, not both');
  });
});
