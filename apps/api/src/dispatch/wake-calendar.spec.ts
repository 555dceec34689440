import { START_LEAD_MS } from '../../../../common';
import { WakeCalendar } from './wake-calendar';

const NOW = Date.parse('2026-11-23T12:00:00.000Z');

describe('WakeCalendar', () => {
  it('wakes a lone task START_LEAD_MS before it is due', () => {
    const calendar = new WakeCalendar({ wakesPerSecond: 40, maxLeadMs: 900_000 });
    expect(calendar.leadFor(NOW + 60_000, NOW)).toBe(START_LEAD_MS);
  });

  it('spreads 1,000 tasks due at one instant over the 25 seconds before it, 40 a second', () => {
    const calendar = new WakeCalendar({ wakesPerSecond: 40, maxLeadMs: 900_000 });
    const dueAt = NOW + 60_000;
    const leads = Array.from({ length: 1_000 }, () => calendar.leadFor(dueAt, NOW));

    expect(leads.slice(0, 40)).toEqual(Array(40).fill(START_LEAD_MS));
    expect(leads.slice(40, 80)).toEqual(Array(40).fill(START_LEAD_MS + 1_000));
    expect(Math.max(...leads)).toBe(START_LEAD_MS + 24_000);
    for (let s = 0; s < 25; s++) expect(calendar.plannedAt(dueAt - START_LEAD_MS - s * 1_000)).toBe(40);
  });

  it('never plans a wake before now: what finds no room wakes at the latest', () => {
    const calendar = new WakeCalendar({ wakesPerSecond: 2, maxLeadMs: 900_000 });
    const dueAt = NOW + 2_000;
    expect([1, 2, 3, 4, 5].map(() => calendar.leadFor(dueAt, NOW))).toEqual([400, 400, 1_400, 1_400, 400]);
  });

  it('never plans a wake more than maxLeadMs before the due time', () => {
    const calendar = new WakeCalendar({ wakesPerSecond: 1, maxLeadMs: 2_400 });
    const dueAt = NOW + 60_000;
    expect([1, 2, 3, 4].map(() => calendar.leadFor(dueAt, NOW))).toEqual([400, 1_400, 2_400, 400]);
  });

  it('starts a task due within START_LEAD_MS at once, planning nothing', () => {
    const calendar = new WakeCalendar({ wakesPerSecond: 1, maxLeadMs: 900_000 });
    expect(calendar.leadFor(NOW + 100, NOW)).toBe(START_LEAD_MS);
    expect(calendar.plannedAt(NOW)).toBe(0);
  });

  it('counts tasks due at different instants of one second together', () => {
    const calendar = new WakeCalendar({ wakesPerSecond: 2, maxLeadMs: 900_000 });
    const second = NOW + 30_000;
    expect([second + 500, second + 600, second + 700].map((due) => calendar.leadFor(due, NOW))).toEqual([400, 400, 1_400]);
  });
});
