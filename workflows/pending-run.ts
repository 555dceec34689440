/**
 * A run that is still pending: the one model every kind of run (task, orchestration) sleeps,
 * moves and cancels by. It registers the run's modify and cancel Updates, whose validators refuse
 * (the API answers 409) once the run is no longer scheduled or is past its change cut-off, sleeps
 * until the run's wake, and, for a run whose first call it holds on a worker, hands that call back
 * before a change applies. In the way of the safe-message-handlers sample's entity class: the
 * handlers and the state they guard live together.
 */
import { condition, setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import {
  HELD_STATUS,
  LOCAL_HOLD_MAX_MS,
  pastChangeCutoff,
  START_LEAD_MS,
  type AttemptInput,
  type AttemptReport,
  type PublishedStatus,
  type RunKind,
  type RunLifecycle,
  type RunModification,
} from '../common';
import { attemptLocally, HeldCall, sleepUntilWake, type AttemptEnd } from './calls';
import type { SendInTurn } from './flow-control';
import { assertScheduled, assertValidTime, heldUntil, publishStatus } from './run-state';

/** What a pending run's Updates are, and what they do to its state. */
export interface PendingRunRules<M extends RunModification> {
  kind: RunKind;
  modify: UpdateDefinition<unknown, [M]>;
  cancel: UpdateDefinition<unknown, []>;
  /** From this long before its due time, changes are refused (see CHANGE_CUTOFF_MS); none: until it wakes. */
  changeCutoffMs?: number;
  /** Refuses a modification beyond "no longer scheduled" and "bad time" (use rejectModification). */
  validate(change: M): void;
  /** Applies an accepted modification (its runAt and dispatch lead are applied already). */
  apply(change: M): void;
  /** Marks what a cancel leaves behind, beyond the status. */
  onCancel?(): void;
}

/** The state a pending run guards: its lifecycle, and how long before its due time it wakes. */
export interface PendingState extends RunLifecycle {
  /** How long before `runAt` the run wakes (planned by the API; absent: START_LEAD_MS). */
  dispatchLeadMs?: number;
  /** True while its first call is held on a worker until `runAt`. */
  held?: boolean;
}

/** How a run's first attempt goes out under flow control: in its turn, through `send` (see attemptInTurn). */
export type FirstInTurn = (dueAt: number, send: SendInTurn, interrupted: () => boolean) => Promise<AttemptReport | null>;

export class PendingRun<S extends PendingState, M extends RunModification & { dispatchLeadMs?: number }> {
  /** Bumped by every accepted modification: a sleep recomputes its deadline. */
  private revision = 0;
  /** Updates handing back the held call right now: the run waits for them before it plans again. */
  private handingBack = 0;
  private held: HeldCall | null = null;
  private published: PublishedStatus = 'scheduled';

  constructor(
    private readonly state: S,
    private readonly rules: PendingRunRules<M>,
  ) {
    setHandler(
      rules.modify,
      (change: M) =>
        this.whileScheduled(() => {
          const runAt = state.runAt;
          if (change.runAt) state.runAt = change.runAt;
          if (change.dispatchLeadMs !== undefined) state.dispatchLeadMs = change.dispatchLeadMs;
          rules.apply(change);
          this.revision++;
          this.publish('scheduled', state.runAt !== runAt ? state.runAt : undefined);
        }),
      {
        validator: (change: M) => {
          this.assertChangeable();
          assertValidTime(change?.runAt);
          rules.validate(change);
        },
      },
    );
    setHandler(
      rules.cancel,
      () =>
        this.whileScheduled(() => {
          state.status = 'cancelled';
          state.finishedAt = new Date().toISOString();
          rules.onCancel?.();
          this.publish('cancelled');
        }),
      { validator: () => this.assertChangeable() },
    );
  }

  /** Publishes the status (and a new due time) to visibility, unless it says nothing new. */
  publish(status: PublishedStatus, runAt?: string): void {
    if (status === this.published && runAt === undefined) return;
    this.published = status;
    publishStatus(status, runAt);
  }

  /** Sleeps until the run wakes (`dispatchLeadMs` before it is due, as moved meanwhile). @returns false when it was cancelled. */
  untilWake(): Promise<boolean> {
    return sleepUntilWake(
      () => Date.parse(this.state.runAt) - (this.state.dispatchLeadMs ?? START_LEAD_MS),
      () => this.revision,
      () => this.state.status !== 'scheduled',
    );
  }

  /**
   * Sleeps until the run wakes, then makes the first attempt of its call: in a local activity
   * when it woke at most LOCAL_HOLD_MAX_MS before its due time; else held on a worker until due,
   * while the run is still scheduled (a cancel or a modify hands it back, and the run plans again).
   * The run is `running` once the attempt is under way. Under flow control (`inTurn`), the call
   * first waits for its turn (the run still scheduled, published as held) and goes out at its slot.
   * @returns the first attempt, or null when the run was cancelled.
   */
  async firstAttempt(input: () => AttemptInput, inTurn?: FirstInTurn): Promise<AttemptEnd | null> {
    const { state } = this;
    let eager = true;
    let dispatches = 0;
    for (;;) {
      if (!(await this.untilWake())) return null;
      const send = (callAt: string, sendBy?: string) =>
        this.dispatch({ ...input(), notBefore: callAt, attempt: 1, ...(sendBy ? { sendBy } : {}) }, `held-${++dispatches}`, eager);
      let report: AttemptReport | null;
      if (inTurn) {
        state.held = true;
        this.publish(HELD_STATUS);
        const seen = this.revision;
        report = await inTurn(Date.parse(state.runAt), send, () => this.revision !== seen || state.status !== 'scheduled');
      } else {
        report = await send(state.runAt);
      }
      if (report !== null && report.outcome !== 'released') return report as AttemptEnd;
      // Handed back, or a change came while it waited for its turn: wait for the Update that asked
      // to finish its change, then plan again (a cancel ends the run; a modify moves it). Handed back
      // by a worker shutting down, it is dispatched again at once, but not to the worker running
      // this run: that may be the one.
      delete state.held;
      await condition(() => this.handingBack === 0);
      if (state.status !== 'scheduled') return null;
      if (report === null) continue;
      eager = report.reason !== 'shutdown';
      if (report.reason === 'shutdown') this.publish('scheduled');
    }
  }

  /**
   * Dispatches the first attempt, due at `input.notBefore`: in a local activity when that is at most
   * LOCAL_HOLD_MAX_MS away (the run is running from then on), else to a worker that holds it,
   * handed back by a cancel or a modify.
   */
  private async dispatch(input: AttemptInput, activityId: string, eager: boolean): Promise<AttemptReport> {
    const { state } = this;
    const callAt = input.notBefore!;
    if (Date.parse(callAt) - Date.now() <= LOCAL_HOLD_MAX_MS) {
      state.status = 'running';
      delete state.held;
      state.startedAt = new Date(heldUntil(callAt)).toISOString();
      const first = await attemptLocally(input);
      // When the call went out, on the worker's clock (workflow time stands still while a local
      // activity runs), unless workflow time is ahead (the time-skipping test server).
      if (first.outcome === 'attempted') {
        state.startedAt = new Date(Math.max(Date.parse(state.startedAt), Date.parse(first.record.startedAt))).toISOString();
      }
      return first;
    }
    this.held = new HeldCall(input, activityId, eager);
    state.held = true;
    this.publish(HELD_STATUS);
    const report: AttemptReport = await this.held.report;
    this.held = null;
    delete state.held;
    if (report.outcome === 'attempted' || report.outcome === 'lost') {
      state.status = 'running';
      state.startedAt = report.outcome === 'attempted' ? report.record.startedAt : callAt;
    }
    return report;
  }

  /** Refuses (409) a change once the run is no longer scheduled, or is past its change cut-off (workflow time). */
  private assertChangeable(): void {
    assertScheduled(this.state.status, this.rules.kind);
    const cutoff = this.rules.changeCutoffMs;
    if (cutoff !== undefined && pastChangeCutoff(Date.parse(this.state.runAt), Date.now(), cutoff)) {
      assertScheduled('running', this.rules.kind);
    }
  }

  /** Runs a change of a scheduled run; a held call is handed back first (409 when it has gone out). */
  private async whileScheduled(change: () => void): Promise<S> {
    this.handingBack++;
    try {
      if (this.held && !(await this.held.release())) assertScheduled('running', this.rules.kind);
      // A cancel that ran meanwhile wins over this change.
      assertScheduled(this.state.status, this.rules.kind);
      change();
      return this.state;
    } finally {
      this.handingBack--;
    }
  }
}
