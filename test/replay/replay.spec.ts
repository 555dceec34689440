import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryAndWorkflowId } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { HeldCalls } from '../../activities/held-calls';
import { heldCallSinks } from '../../apps/worker/src/task-worker';
import { testDataConverter } from '../support/payload-keys';
import { decodedHistory } from './decoded-history';
import { installQuietRuntime } from '../support/time-skipping';

/** test/replay/histories/<set>/<name>.json: real histories recorded by `npm run replay:record`. */
const HISTORIES_DIR = join(__dirname, 'histories');

interface Fixture {
  name: string;
  /** The recorded run's id (sets from v3 on keep it); older sets replay under their name. */
  workflowId: string;
  history: HistoryAndWorkflowId['history'];
}

function loadFixtures(): Fixture[] {
  return readdirSync(HISTORIES_DIR)
    .sort()
    .flatMap((set) =>
      readdirSync(join(HISTORIES_DIR, set))
        .filter((file) => file.endsWith('.json'))
        .sort()
        .map((file) => {
          const name = `${set}/${file.replace(/\.json$/, '')}`;
          const { workflowId, ...history } = JSON.parse(readFileSync(join(HISTORIES_DIR, set, file), 'utf8')) as { workflowId?: string };
          return { name, workflowId: workflowId ?? name, history: history };
        }),
    );
}

/** Replays each history against the current workflow code; returns name -> error message ('' when it replayed). */
async function replay(fixtures: Fixture[]): Promise<Record<string, string>> {
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('run through jest: test/support/global-setup.ts provides the workflow bundle');
  const outcome: Record<string, string> = {};
  const results = Worker.runReplayHistories(
    // The worker's own sinks: a replayed hand-back must find them (and, being replay, not call them).
    // The worker's data converter with the tests' key: encrypted histories (recorded through the
    // codec) are decoded, histories from before encryption pass through it as they are.
    { workflowBundle: { codePath }, sinks: heldCallSinks(new HeldCalls()), dataConverter: testDataConverter() },
    fixtures.map(({ workflowId, history }) => ({ workflowId, history })),
  );
  // One run may be recorded at two points (open, then closed): its fixtures answer in the order given.
  const names = new Map<string, string[]>();
  for (const f of fixtures) names.set(f.workflowId, [...(names.get(f.workflowId) ?? []), f.name]);
  for await (const result of results) outcome[names.get(result.workflowId)!.shift()!] = result.error ? result.error.message : '';
  return outcome;
}

/** Every payload's data in a history (as the CLI writes it: base64), read as UTF-8 and joined: what the history says, as text. */
function payloadText(history: unknown): string {
  const texts: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== 'object') return;
    const { metadata, data } = value as { metadata?: unknown; data?: unknown };
    if (typeof metadata === 'object' && metadata !== null && typeof data === 'string')
      texts.push(Buffer.from(data, 'base64').toString('utf8'));
    Object.values(value).forEach(walk);
  };
  walk(history);
  return texts.join('\n');
}

describe('replay of recorded histories against the current workflow code', () => {
  const fixtures = loadFixtures();
  beforeAll(() => installQuietRuntime());

  it('finds the recorded histories: both workflow types before dispatch v2, v2 with held calls and a schedule run, and v3 (encrypted) with plan model 2, calls that fail well, a flow limiter and a bulk job', () => {
    const names = fixtures.map((f) => f.name);
    const v1Tasks = [
      'asleep-after-move-open',
      'cancelled',
      'due-now-completed',
      'failed',
      'moved-then-completed',
      'retried-completed',
      'slept-completed',
    ];
    const v2Tasks = [
      ...v1Tasks,
      'from-schedule-completed',
      'held-cancelled',
      'held-completed',
      'held-moved-then-completed',
      'held-open',
    ].sort();
    const v3Tasks = [
      ...v2Tasks,
      'callback-completed',
      'flow-controlled-completed',
      'retry-after-completed',
      'retry-of-failed',
      'transient-only-failed',
    ].sort();
    const v3Orchestrations = [
      'v2-branch-failed-fallback',
      'v2-parallel-all-completed',
      'v2-parallel-any-completed',
      'v2-plan-changed-then-completed',
      'v2-retry-failed',
      'v2-wait-resumed',
      'v2-wait-timed-out',
      'v2-waiting-open',
    ];
    const orchestrations = names.filter((n) => n.startsWith('v1/orchestration-')).map((n) => n.replace('v1/', ''));
    expect(orchestrations).toHaveLength(7);
    expect(names).toEqual([
      ...orchestrations.map((n) => `v1/${n}`),
      ...v1Tasks.map((n) => `v1/task-${n}`),
      ...orchestrations.map((n) => `v2/${n}`),
      ...v2Tasks.map((n) => `v2/task-${n}`),
      'v3/bulk-job-cancel-completed',
      'v3/flow-limiter-open',
      ...[...orchestrations, ...v3Orchestrations.map((n) => `orchestration-${n}`)].sort().map((n) => `v3/${n}`),
      ...v3Tasks.map((n) => `v3/task-${n}`),
    ]);
    // Payloads decrypted (with the tests' key) and read as text, so that encrypted sets read as plainly as v1 and v2.
    const history = (name: string) => fixtures.find((f) => f.name === name)!.history;
    const text = (name: string) => payloadText(decodedHistory(history(name)));
    const raw = (name: string) => JSON.stringify(history(name));
    // v2 tasks took the patched dispatch; the held ones held their call in a regular activity.
    expect(v2Tasks.filter((n) => !text(`v2/task-${n}`).includes('"dispatch-v2"'))).toEqual([]);
    expect(v1Tasks.filter((n) => text(`v1/task-${n}`).includes('"dispatch-v2"'))).toEqual([]);
    expect(v2Tasks.filter((n) => raw(`v2/task-${n}`).includes('"heldCall"'))).toEqual([
      'held-cancelled',
      'held-completed',
      'held-moved-then-completed',
      'held-open',
    ]);
    expect(raw('v2/task-from-schedule-completed')).toContain('TemporalScheduledById');

    // v3: recorded through the codec; every orchestration of plan model 2; retries after the retry-wait patch.
    expect(raw('v3/task-slept-completed')).toContain(Buffer.from('binary/encrypted').toString('base64'));
    expect(payloadText(history('v3/task-slept-completed'))).not.toContain('"slept"');
    expect(text('v3/task-slept-completed')).toContain('"slept"');
    const v3OrchestrationNames = names.filter((n) => n.startsWith('v3/orchestration-'));
    expect(v3OrchestrationNames.filter((n) => !text(n).includes('"orchestration-v2"'))).toEqual([]);
    expect(
      ['retried-completed', 'retry-after-completed'].filter((n) => !text(`v3/task-${n}`).includes('"retry-wait-from-attempt-end"')),
    ).toEqual([]);
    expect(text('v3/task-retry-after-completed')).toContain('"retryAfterMs":1000');
    expect(raw('v3/bulk-job-cancel-completed')).toContain('"actOnBulkPage"');
    expect(raw('v3/flow-limiter-open')).toContain('"flowLimiterWorkflow"');
  });

  it('replays every history without a determinism violation', async () => {
    const outcome = await replay(fixtures);
    const expected = Object.fromEntries(fixtures.map((f) => [f.name, '']));
    expect(outcome).toEqual(expected);
  });

  it('fails a history whose recorded commands the code would not make (the check has teeth)', async () => {
    const original = fixtures.find((f) => f.name.endsWith('/task-slept-completed'))!;
    const tampered = JSON.parse(JSON.stringify(original.history)) as { events: Array<Record<string, { activityType?: { name: string } }>> };
    const scheduled = tampered.events.find((e) => e.activityTaskScheduledEventAttributes)!;
    scheduled.activityTaskScheduledEventAttributes.activityType = { name: 'someOtherActivity' };
    const outcome = await replay([{ name: 'tampered', workflowId: original.workflowId, history: tampered }]);
    expect(outcome.tampered).toMatch(/nondetermin/i);
  });
});
