import { anchored } from '../core/patterns';
import { CRON_PATTERN, cronToCalendars, fromTemporalSpec, TimingError, toTemporalSpec, type ScheduleTiming } from './schedule-timing';

const NOW = new Date('2026-11-23T12:00:00Z');

function timingError(run: () => unknown): { field: string; message: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof TimingError) return { field: err.field, message: err.message };
    throw err;
  }
  throw new Error('expected a TimingError');
}

describe('cron to Temporal calendars', () => {
  it('reads "weekdays at 09:00" as one calendar at second 0, minute 0, hour 9, MONDAY to FRIDAY', () => {
    expect(cronToCalendars('0 9 * * 1-5')).toEqual([
      {
        second: [{ start: 0, end: 0 }],
        minute: [{ start: 0, end: 0, step: 1 }],
        hour: [{ start: 9, end: 9, step: 1 }],
        month: [{ start: 'JANUARY', end: 'DECEMBER', step: 1 }],
        dayOfMonth: '*',
        dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY' }],
        comment: 'cron 0 9 * * 1-5',
      },
    ]);
  });

  it('expands the shorthands @daily, @hourly, @weekly, @monthly and @yearly', () => {
    const [daily] = cronToCalendars('@daily');
    expect([daily.minute, daily.hour, daily.dayOfMonth, daily.dayOfWeek]).toEqual([
      [{ start: 0, end: 0, step: 1 }],
      [{ start: 0, end: 0, step: 1 }],
      '*',
      '*',
    ]);
    expect(cronToCalendars('@hourly')[0].hour).toEqual([{ start: 0, end: 23, step: 1 }]);
    expect(cronToCalendars('@weekly')[0].dayOfWeek).toEqual([{ start: 'SUNDAY', end: 'SUNDAY' }]);
    expect(cronToCalendars('@monthly')[0].dayOfMonth).toEqual([{ start: 1, end: 1, step: 1 }]);
    expect(cronToCalendars('@yearly')[0].month).toEqual([{ start: 'JANUARY', end: 'JANUARY', step: 1 }]);
  });

  it('takes steps, lists and names, and 7 as Sunday', () => {
    const [calendar] = cronToCalendars('*/15 8-18/2 * jan,JUL SAT-7');
    expect(calendar.minute).toEqual([{ start: 0, end: 59, step: 15 }]);
    expect(calendar.hour).toEqual([{ start: 8, end: 18, step: 2 }]);
    expect(calendar.month).toEqual([
      { start: 'JANUARY', end: 'JANUARY', step: 1 },
      { start: 'JULY', end: 'JULY', step: 1 },
    ]);
    expect(calendar.dayOfWeek).toEqual([
      { start: 'SUNDAY', end: 'SUNDAY' },
      { start: 'SATURDAY', end: 'SATURDAY' },
    ]);
  });

  it('matches either day when both day-of-month and day-of-week are restricted, as the usual crons do', () => {
    const calendars = cronToCalendars('0 12 1 * MON');
    expect(calendars.map((c) => [c.dayOfMonth, c.dayOfWeek])).toEqual([
      [[{ start: 1, end: 1, step: 1 }], '*'],
      ['*', [{ start: 'MONDAY', end: 'MONDAY' }]],
    ]);
  });

  it.each([
    [
      '0 9 * *',
      'cron must have 5 fields (minute hour day-of-month month day-of-week) or be one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly; got "0 9 * *"',
    ],
    [
      '@every 5s',
      'cron must have 5 fields (minute hour day-of-month month day-of-week) or be one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly; got "@every 5s"',
    ],
    ['61 * * * *', 'cron minute field: 61 is out of range 0-59'],
    ['0 24 * * *', 'cron hour field: 24 is out of range 0-23'],
    ['0 0 0 * *', 'cron day-of-month field: 0 is out of range 1-31'],
    ['0 0 * FOO *', 'cron month field: "FOO" is not a number or a name'],
    ['0 0 * * 1-5/0', 'cron day-of-week field: step "0" must be a positive integer'],
    ['0 17-9 * * *', 'cron hour field: range 17-9 runs backwards'],
  ])('refuses %j: %s', (cron, message) => {
    expect(timingError(() => cronToCalendars(cron))).toEqual({ field: 'cron', message });
  });
});

describe('toTemporalSpec', () => {
  const berlin = (t: Partial<ScheduleTiming>): ScheduleTiming => ({ timezone: 'Europe/Berlin', ...t });

  it('reads a cron in its time zone, with start, end and jitter', () => {
    const spec = toTemporalSpec(
      berlin({ cron: '0 9 * * 1-5', startAt: '2026-12-01T00:00:00Z', endAt: '2027-12-01T00:00:00Z', jitterMs: 5000 }),
      NOW,
    );
    expect(spec.timezone).toBe('Europe/Berlin');
    expect(spec.startAt).toEqual(new Date('2026-12-01T00:00:00Z'));
    expect(spec.endAt).toEqual(new Date('2027-12-01T00:00:00Z'));
    expect(spec.jitter).toBe(5000);
    expect(spec.calendars).toHaveLength(1);
  });

  it('makes everyMs an interval aligned to the epoch', () => {
    expect(toTemporalSpec({ everyMs: 30_000, timezone: 'UTC' }, NOW)).toEqual({ intervals: [{ every: 30_000 }], timezone: 'UTC' });
  });

  it('makes each `at` instant an exact calendar in UTC, so both 02:30s of a DST fall-back day fire once each', () => {
    // 2027-10-31 in Berlin: 02:30 happens at 00:30Z (CEST, +02:00) and again at 01:30Z (CET, +01:00).
    const spec = toTemporalSpec(berlin({ at: ['2027-10-31T02:30:00+02:00', '2027-10-31T02:30:00+01:00'] }), NOW);
    expect(spec.timezone).toBe('UTC');
    expect(spec.calendars?.map((c) => [c.year, c.month, c.dayOfMonth, c.hour, c.minute, c.second, c.comment])).toEqual([
      [
        [{ start: 2027, end: 2027 }],
        [{ start: 'OCTOBER', end: 'OCTOBER' }],
        [{ start: 31, end: 31 }],
        [{ start: 0, end: 0 }],
        [{ start: 30, end: 30 }],
        [{ start: 0, end: 0 }],
        'at 2027-10-31T02:30:00+02:00 in Europe/Berlin',
      ],
      [
        [{ start: 2027, end: 2027 }],
        [{ start: 'OCTOBER', end: 'OCTOBER' }],
        [{ start: 31, end: 31 }],
        [{ start: 1, end: 1 }],
        [{ start: 30, end: 30 }],
        [{ start: 0, end: 0 }],
        'at 2027-10-31T02:30:00+01:00 in Europe/Berlin',
      ],
    ]);
  });

  it('keeps the 02:30 of a spring-forward day as the instant given, which exists in UTC', () => {
    // 2027-03-28 in Berlin has no 02:30 wall time; an instant given with an offset is still one instant.
    const [calendar] = toTemporalSpec(berlin({ at: ['2027-03-28T01:30:00Z'] }), NOW).calendars!;
    expect([calendar.hour, calendar.minute]).toEqual([[{ start: 1, end: 1 }], [{ start: 30, end: 30 }]]);
  });

  it('takes IANA names as IANA spells them, aliases too, and gives Temporal the canonical one', () => {
    expect(toTemporalSpec({ cron: '@daily', timezone: 'Europe/Berlin' }, NOW).timezone).toBe('Europe/Berlin');
    expect(toTemporalSpec({ cron: '@daily', timezone: 'Asia/Kolkata' }, NOW).timezone).toBe('Asia/Calcutta');
    expect(toTemporalSpec({ cron: '@daily', timezone: 'UTC' }, NOW).timezone).toBe('UTC');
  });

  it.each(['Mars/Olympus_Mons', 'europe/berlin', ' UTC'])(
    'refuses the time zone %j: only the names of the document, spelt exactly',
    (timezone) => {
      expect(timingError(() => toTemporalSpec({ cron: '@daily', timezone }, NOW))).toEqual({
        field: 'timezone',
        message: `timezone "${timezone}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`,
      });
    },
  );

  it.each([
    [{ timezone: 'UTC' }, 'cron', 'give exactly one of cron, everyMs or at'],
    [{ cron: '@daily', everyMs: 1000, timezone: 'UTC' }, 'everyMs', 'give exactly one of cron, everyMs or at (got cron, everyMs)'],
    [
      { everyMs: 500, timezone: 'UTC' },
      'everyMs',
      'everyMs must be a whole number of seconds (a multiple of 1000), at least 1000: Temporal Schedules have one-second resolution',
    ],
    [
      { everyMs: 1500, timezone: 'UTC' },
      'everyMs',
      'everyMs must be a whole number of seconds (a multiple of 1000), at least 1000: Temporal Schedules have one-second resolution',
    ],
    [{ at: [], timezone: 'UTC' }, 'at', 'at must list 1 to 100 times'],
    [{ at: ['2026-11-23T11:59:59Z'], timezone: 'UTC' }, 'at[0]', 'at[0] (2026-11-23T11:59:59Z) is in the past'],
    [
      { at: ['2027-01-01T00:00:00.500Z'], timezone: 'UTC' },
      'at[0]',
      'at[0] must be a whole second (Temporal Schedules have one-second resolution)',
    ],
    [
      { cron: '@daily', timezone: 'UTC', startAt: '2027-01-02T00:00:00Z', endAt: '2027-01-01T00:00:00Z' },
      'endAt',
      'endAt must be after startAt',
    ],
  ])('refuses %j, naming %s', (timing, field, message) => {
    expect(timingError(() => toTemporalSpec(timing as ScheduleTiming, NOW))).toEqual({ field, message });
  });

  it('refuses more than 100 `at` times', () => {
    const at = Array.from({ length: 101 }, (_, i) => new Date(NOW.getTime() + (i + 1) * 60_000).toISOString().replace('.000', ''));
    expect(timingError(() => toTemporalSpec({ at, timezone: 'UTC' }, NOW))).toEqual({
      field: 'at',
      message: 'at must list 1 to 100 times',
    });
  });
});

describe('fromTemporalSpec', () => {
  it.each<ScheduleTiming>([
    { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', startAt: '2026-12-01T00:00:00.000Z', jitterMs: 2000 },
    { everyMs: 30_000, timezone: 'UTC', endAt: '2027-01-01T00:00:00.000Z' },
    { at: ['2027-01-01T09:00:00+01:00', '2027-01-02T09:00:00+01:00'], timezone: 'Europe/Berlin' },
  ])('reads back the timing it was made from: %j', (timing) => {
    const spec = toTemporalSpec(timing, NOW);
    const described = { ...spec, calendars: spec.calendars as never, intervals: spec.intervals as never, jitter: spec.jitter as number };
    expect(fromTemporalSpec(described as Parameters<typeof fromTemporalSpec>[0])).toEqual(timing);
  });
});

describe('CRON_PATTERN, the cron syntax the document publishes', () => {
  const cron = anchored(CRON_PATTERN);

  it.each([
    '0 9 * * 1-5',
    '*/15 0-23/2 1,15,31 JAN-Mar,dec sun,MON-fri',
    '  59 23 31 12 7\t',
    '000 007 01 01 0',
    '5/10 * * * *',
    '@daily',
    '@ANNUALLY',
    '@Midnight',
  ])('matches %j, which the parser takes', (expression) => {
    expect(cron.test(expression)).toBe(true);
    expect(() => cronToCalendars(expression)).not.toThrow();
  });

  it.each([
    '60 * * * *',
    '* 24 * * *',
    '* * 0 * *',
    '* * * 13 *',
    '* * * * 8',
    '*/0 * * * *',
    '* * * *',
    '* * * * * *',
    '1,,2 * * * *',
    '*-5 * * * *',
    '@reboot',
    '\u00a00 9 * * *',
    '0 9 * * \u017fun',
    '@wee\u212aly',
    '*/1e1 * * * *',
    '*/0x10 * * * *',
  ])('does not match %j, which the parser refuses', (expression) => {
    expect(cron.test(expression)).toBe(false);
    expect(() => cronToCalendars(expression)).toThrow(TimingError);
  });

  it('matches a range that runs backwards, which the parser refuses: the one rule the document states in words', () => {
    expect(cron.test('30-10 * * * *')).toBe(true);
    expect(() => cronToCalendars('30-10 * * * *')).toThrow('cron minute field: range 30-10 runs backwards');
  });
});
