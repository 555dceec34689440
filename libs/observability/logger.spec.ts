import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { createLogger, sdkLogger } from './logger';

describe("the SDK's logger", () => {
  it('logs a failure by its type, message and retryability, never its details (a call outcome: the answer and its body)', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const failure = ApplicationFailure.create({
      type: 'HttpAttemptFailed',
      message: 'attempt 1 failed: HTTP 500',
      details: [{ attempts: [], result: { statusCode: 500, body: { echo: 'marker-body-1' } } }],
      nonRetryable: false,
    });
    sdkLogger(createLogger('worker', { level: 'info', format: 'json' }, destination)).warn('Activity failed', {
      activityType: 'callAttempt',
      error: failure,
    });
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    expect(line).toMatchObject({
      msg: 'Activity failed',
      activityType: 'callAttempt',
      error: { type: 'HttpAttemptFailed', message: 'attempt 1 failed: HTTP 500', nonRetryable: false },
    });
    expect(lines.join('')).not.toContain('marker-body-1');
  });
});
