import {
  EARLY_DISPATCH_MS,
  FINAL_APPROACH_MS,
  HEARTBEAT_THROTTLE_MS,
  HELD_HEARTBEAT_INTERVAL_MS,
  HELD_HEARTBEAT_TIMEOUT_MS,
  LOCAL_HOLD_MAX_MS,
  MAX_HOLD_MS,
  START_LEAD_MS,
  startDelayMs,
} from './timing';

describe('timing constants', () => {
  it('wake a run inside the early-dispatch window, so its first workflow task dispatches the call without a timer', () => {
    expect(START_LEAD_MS).toBeLessThan(EARLY_DISPATCH_MS);
  });
  it('let the activity hold anything the workflow dispatched early', () => {
    expect(EARLY_DISPATCH_MS).toBeLessThanOrEqual(MAX_HOLD_MS);
  });
  it('end a long wait with a final timer that lands inside the early-dispatch window', () => {
    expect(FINAL_APPROACH_MS).toBeGreaterThan(EARLY_DISPATCH_MS);
  });
  it('hold a task woken at its start lead in a local activity', () => {
    expect(START_LEAD_MS).toBeLessThan(LOCAL_HOLD_MAX_MS);
  });
  it('keep a held call alive: a heartbeat, or its call, comes before the heartbeat timeout', () => {
    // The longest silence: an interval, then the throttle stretch skipped before the call.
    expect(HELD_HEARTBEAT_INTERVAL_MS + HEARTBEAT_THROTTLE_MS).toBeLessThan(HELD_HEARTBEAT_TIMEOUT_MS);
    expect(HEARTBEAT_THROTTLE_MS).toBeLessThan(HELD_HEARTBEAT_INTERVAL_MS);
  });
});

describe('startDelayMs', () => {
  it('ends the start delay START_LEAD_MS before the due time', () => {
    expect(startDelayMs(10_000, 1_000)).toBe(9_000 - START_LEAD_MS);
  });
  it('ends it earlier for a run given a longer lead', () => {
    expect(startDelayMs(70_000, 1_000, 20_000)).toBe(49_000);
  });
  it('is 0 for a run due now, within the lead, or in the past', () => {
    expect(startDelayMs(1_000, 1_000)).toBe(0);
    expect(startDelayMs(1_000 + START_LEAD_MS, 1_000)).toBe(0);
    expect(startDelayMs(0, 1_000)).toBe(0);
  });
});
