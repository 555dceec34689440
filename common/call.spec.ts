import { longestRetryIntervalMs } from './call';

describe('longestRetryIntervalMs', () => {
  it('is the interval itself without backoff', () => {
    expect(longestRetryIntervalMs({ retries: 5, retryIntervalMs: 1000, retryBackoff: 1 })).toBe(1000);
  });
  it('grows the interval by the backoff up to the last retry', () => {
    expect(longestRetryIntervalMs({ retries: 3, retryIntervalMs: 1000, retryBackoff: 2 })).toBe(4000);
  });
  it('is at least 1 ms, since Temporal reads 0 as its 1 s default', () => {
    expect(longestRetryIntervalMs({ retries: 2, retryIntervalMs: 0, retryBackoff: 1 })).toBe(1);
  });
});
