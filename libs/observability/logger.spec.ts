import { Writable } from 'node:stream';
import { runInNewContext } from 'node:vm';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { createLogger, loggedError, sdkLogger } from './logger';

/** A worker logger whose JSON lines are collected. */
function capturedSdkLogger(): { lines: Record<string, unknown>[]; logger: ReturnType<typeof sdkLogger> } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: sdkLogger(createLogger('worker', { level: 'info', format: 'json' }, destination)) };
}

/** A task's failure as the workflow throws it: its details are the task's whole state, headers and bodies included. */
const taskFailure = () =>
  ApplicationFailure.create({
    type: 'TaskFailed',
    message: 'attempt 3 failed: HTTP 502',
    nonRetryable: true,
    details: [{ request: { headers: { 'x-api-key': 'k-123' }, body: { card: '4111' } }, result: { body: 'private answer' } }],
  });

describe('the worker log of a failed workflow ("Workflow failed")', () => {
  it('says why it failed, and nothing of the call', () => {
    const { lines, logger } = capturedSdkLogger();
    logger.warn('Workflow failed', { workflowId: 'task-1', error: taskFailure() });
    expect(lines[0]).toMatchObject({ msg: 'Workflow failed', workflowId: 'task-1' });
    expect(lines[0].error).toEqual({
      type: 'ApplicationFailure',
      message: 'attempt 3 failed: HTTP 502',
      failureType: 'TaskFailed',
      nonRetryable: true,
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/k-123|4111|private answer/);
  });

  it('reads a failure cloned across the workflow thread (a plain Error whose class is in its stack)', () => {
    const { lines, logger } = capturedSdkLogger();
    logger.warn('Workflow failed', { error: structuredClone(taskFailure()) });
    expect(lines[0].error).toEqual({ type: 'ApplicationFailure', message: 'attempt 3 failed: HTTP 502' });
  });

  it('reads an error of another realm (the workflow sandbox), which JSON alone shows as {}', () => {
    const foreign = runInNewContext('new TypeError("x is not a function")') as Error;
    expect(JSON.stringify({ error: foreign })).toBe('{"error":{}}');
    expect(loggedError(foreign)).toEqual({
      type: 'TypeError',
      message: 'x is not a function',
      stack: expect.stringMatching(/^TypeError: x is not a function\n/) as string,
    });
  });
});

describe('loggedError', () => {
  it('follows a failure to its cause, leaving out every details field', () => {
    const failure = new ActivityFailure(
      'Activity task failed',
      'callAttempt',
      '1',
      RetryState.NON_RETRYABLE_FAILURE,
      'worker',
      taskFailure(),
    );
    expect(loggedError(failure)).toEqual({
      type: 'ActivityFailure',
      message: 'Activity task failed',
      cause: { type: 'ApplicationFailure', message: 'attempt 3 failed: HTTP 502', failureType: 'TaskFailed', nonRetryable: true },
    });
  });

  it('keeps the stack of a plain error, where a bug was thrown', () => {
    expect(loggedError(new RangeError('bad'))).toEqual({
      type: 'RangeError',
      message: 'bad',
      stack: expect.stringContaining('logger.spec.ts') as string,
    });
  });

  it('leaves what is not an error as it is', () => {
    expect(loggedError('HTTP 503')).toBe('HTTP 503');
    expect(loggedError(null)).toBeNull();
    expect(loggedError({ code: 1 })).toEqual({ code: 1 });
  });
});
