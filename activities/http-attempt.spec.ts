import { MAX_RETRY_AFTER_MS } from '../common';
import { retryAfterOf } from './http-attempt';

describe('retryAfterOf (a Retry-After header as a wait)', () => {
  const now = Date.parse('2026-12-07T09:00:00Z');

  it('reads seconds', () => {
    expect(retryAfterOf('30', now)).toBe(30_000);
    expect(retryAfterOf(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date as the time until then, and a date past as no wait', () => {
    expect(retryAfterOf('Mon, 07 Dec 2026 09:02:00 GMT', now)).toBe(120_000);
    expect(retryAfterOf('Mon, 07 Dec 2026 08:59:00 GMT', now)).toBe(0);
  });

  it(`waits at most ${MAX_RETRY_AFTER_MS / 3_600_000} h, whatever it asks`, () => {
    expect(retryAfterOf('86400', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterOf('Tue, 08 Dec 2026 09:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('ignores what is neither (absent, negative, fractional, garbage), and takes the first of repeated headers', () => {
    expect([undefined, '', '-5', '1.5', 'soon-ish 42', '12abc'].map((h) => retryAfterOf(h, now))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(retryAfterOf(['5', '60'], now)).toBe(5_000);
  });
});
