import { anchored, caseInsensitive, DATE_TIME_PATTERN, HTTP_URL_PATTERN, SCHEDULE_TIME_PATTERN, TASK_ID_PATTERN } from './patterns';

const url = anchored(HTTP_URL_PATTERN);
const dateTime = anchored(DATE_TIME_PATTERN);
const scheduleTime = anchored(SCHEDULE_TIME_PATTERN);

describe('HTTP_URL_PATTERN', () => {
  it.each([
    'https://abc123.lambda-url.eu-central-1.on.aws/jobs/report?x=1#top',
    'http://127.0.0.1:65535/',
    'HTTP://Example.COM',
    'http://localhost',
    'http://_a-b_.c--d.e',
    'http://xn-a.com',
    'http://[::1]:8080/x',
    'http://[1:2:3:4:5:6:1.2.3.4]',
    'http://a?b',
    'http://a/%zz\\^{}|"<>`',
  ])('takes %j, which a URL parser reads with its host', (text) => {
    expect(url.test(text)).toBe(true);
    expect(new URL(text).hostname).not.toBe('');
  });

  it.each([
    ['ftp://a', 'another scheme'],
    ['http://a.1', 'a numeric last label (a URL parser reads it as an IPv4 address, and refuses this one)'],
    ['http://999.1.1.1', 'an IPv4 address out of range'],
    ['http://010.0.0.1', 'an IPv4 address with a leading zero (octal to a URL parser)'],
    ['http://xn--a.com', 'a punycode label (refused by URL parsers unless it decodes)'],
    ['http://a:65536', 'a port out of range'],
    ['http://a:', 'an empty port'],
    ['http://user:pass@a', 'credentials (fetch refuses them)'],
    ['http://a b', 'a space'],
    ['http://bücher.de', 'a non-ASCII host'],
    ['http://a/ü', 'a non-ASCII path'],
    ['http://a.', 'a trailing dot'],
    ['http://[fe80::1%25eth0]', 'an IPv6 zone'],
  ])('refuses %j: %s', (text) => {
    expect(url.test(text)).toBe(false);
  });
});

describe('DATE_TIME_PATTERN', () => {
  it.each([
    '2026-11-23T09:00Z',
    '2028-02-29T23:59:59.123456789+23:59',
    '1000-01-01T00:00:00-00:00',
    '9998-12-31T23:59:59Z',
    '2000-02-29T00:00Z',
  ])('takes %j, which Date.parse reads as the same calendar date', (text) => {
    expect(dateTime.test(text)).toBe(true);
    expect(Number.isNaN(Date.parse(text))).toBe(false);
  });

  it.each([
    ['2026-02-29T00:00Z', 'a day that does not exist (Date.parse would make it March 1)'],
    ['2100-02-29T00:00Z', 'February 29 of a century that is no leap year'],
    ['2026-04-31T00:00Z', 'April 31'],
    ['2026-11-23T24:00Z', 'hour 24'],
    ['2026-11-23T09:00:60Z', 'a leap second'],
    ['2026-11-23T09:00', 'no offset'],
    ['2026-11-23t09:00z', 'lower-case T and Z'],
    ['0999-01-01T00:00Z', 'a year before 1000'],
    ['9999-12-31T23:59Z', 'the year 9999 (an offset could take it past four digits)'],
  ])('refuses %j: %s', (text) => {
    expect(dateTime.test(text)).toBe(false);
  });
});

describe('SCHEDULE_TIME_PATTERN', () => {
  it('takes whole seconds in 2000 to 2099, and nothing else', () => {
    expect(scheduleTime.test('2099-12-24T18:00:00.000+01:00')).toBe(true);
    expect(scheduleTime.test('2027-01-01T00:00Z')).toBe(true);
    expect(scheduleTime.test('2027-01-01T00:00:00.5Z')).toBe(false);
    expect(scheduleTime.test('2100-01-01T00:00:00Z')).toBe(false);
    expect(scheduleTime.test('1999-12-31T23:59:59Z')).toBe(false);
  });
});

describe('ids and case-insensitive words', () => {
  it('matches task ids, a schedule run among them', () => {
    const id = anchored(TASK_ID_PATTERN);
    expect(id.test('task-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a')).toBe(true);
    expect(id.test('task-sched-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a-2026-11-24T08:00:00Z')).toBe(true);
    expect(id.test('orch-4f1c2b9e-0d7a-4a53-9a57-1f0b6d1e2c3a')).toBe(false);
  });

  it('spells a word in any case without a regex flag', () => {
    expect(caseInsensitive('x-Id.1')).toBe('[Xx]-[Ii][Dd]\\.1');
    expect(anchored(caseInsensitive('get')).test('gEt')).toBe(true);
  });
});
