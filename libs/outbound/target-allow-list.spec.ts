import { globMatches, targetForms, targetRefusal } from './target-allow-list';

describe('LAMBDA_ALLOW / SQS_ALLOW globs', () => {
  const ownPrefix = ['arn:aws:lambda:*:123456789012:function:{owner}-*', '{owner}-*'];

  it('lets a user invoke the functions named for it, by ARN (any region, any qualifier) or by name', () => {
    expect(
      [
        'arn:aws:lambda:eu-central-1:123456789012:function:alice-report',
        'arn:aws:lambda:us-east-1:123456789012:function:alice-report:live',
        'alice-report',
        'alice-report:3',
      ].map((fn) => targetRefusal('lambda', fn, 'alice', ownPrefix)),
    ).toEqual([null, null, null, null]);
  });

  it("refuses another user's functions, another account's, and anything outside the globs, naming the variable", () => {
    expect(targetRefusal('lambda', 'bob-report', 'alice', ownPrefix)).toBe(
      'function bob-report is not one this user may invoke (LAMBDA_ALLOW)',
    );
    expect(
      [
        'arn:aws:lambda:eu-central-1:999999999999:function:alice-report',
        '123456789012:function:alice-report',
        'arn:aws:lambda:eu-central-1:123456789012:function:bob-x',
        'alice',
      ].map((fn) => targetRefusal('lambda', fn, 'alice', ownPrefix) !== null),
    ).toEqual([true, true, true, true]);
  });

  it('allows everything with * (npm start) and nothing when unset (production)', () => {
    expect(targetRefusal('lambda', 'arn:aws:lambda:eu-central-1:999999999999:function:anything', 'bob', ['*'])).toBeNull();
    expect(targetRefusal('lambda', 'report', 'bob', [])).toBe('function report is not allowed: LAMBDA_ALLOW allows no Lambda function yet');
    expect(targetRefusal('sqs', 'https://sqs.eu-central-1.amazonaws.com/123456789012/jobs', 'bob', [])).toBe(
      'queue https://sqs.eu-central-1.amazonaws.com/123456789012/jobs is not allowed: SQS_ALLOW allows no SQS queue yet',
    );
  });

  it('keeps * within one ARN or URL segment, and takes {owner} literally', () => {
    expect(globMatches('arn:aws:lambda:*:123456789012:function:x', 'arn:aws:lambda:a:b:123456789012:function:x')).toBe(false);
    expect(targetRefusal('lambda', 'alice-x', 'al*', ['{owner}-x'])).not.toBeNull();
    expect(targetRefusal('lambda', 'alice-x', 'alice', ['{owner}-?'])).toBeNull();
  });

  it('matches an SQS queue by its URL, its ARN or its name', () => {
    const url = 'https://sqs.eu-central-1.amazonaws.com/123456789012/alice-jobs';
    expect(targetForms('sqs', url)).toEqual([url, 'arn:aws:sqs:eu-central-1:123456789012:alice-jobs', 'alice-jobs']);
    expect(targetRefusal('sqs', url, 'alice', ['arn:aws:sqs:*:123456789012:{owner}-*'])).toBeNull();
    expect(targetRefusal('sqs', url, 'alice', ['{owner}-*'])).toBeNull();
    expect(targetRefusal('sqs', url, 'alice', ['https://sqs.*.amazonaws.com/123456789012/{owner}-*'])).toBeNull();
    expect(targetRefusal('sqs', url, 'bob', ['arn:aws:sqs:*:123456789012:{owner}-*'])).toBe(
      `queue ${url} is not one this user may send to (SQS_ALLOW)`,
    );
    // An emulator's URL has no AWS ARN: its URL and name still match.
    expect(targetForms('sqs', 'http://127.0.0.1:4566/000000000000/jobs')).toEqual(['http://127.0.0.1:4566/000000000000/jobs', 'jobs']);
  });
});
