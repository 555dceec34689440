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
  history: HistoryAndWorkflowId['history'];
}

function loadFixtures(): Fixture[] {
  return readdirSync(HISTORIES_DIR)
    .sort()
    .flatMap((set) =>
      readdirSync(join(HISTORIES_DIR, set))
        .filter((file) => file.endsWith('.json'))
        .sort()
        .map((file) => ({
          name: `${set}/${file.replace(/\.json$/, '')}`,
          history: JSON.parse(readFileSync(join(HISTORIES_DIR, set, file), 'utf8')) as HistoryAndWorkflowId['history'],
        })),
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
    fixtures.map(({ name, history }) => ({ workflowId: name, history })),
  );
  for await (const result of results) outcome[result.workflowId] = result.error ? result.error.message : '';
  return outcome;
}

describe('replay of recorded histories against the current workflow code', () => {
  const fixtures = loadFixtures();
  beforeAll(() => installQuietRuntime());

  it('finds the recorded histories: both workflow types before dispatch v2, and v2 with held calls and a schedule run', () => {
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
    const orchestrations = names.filter((n) => n.startsWith('v1/orchestration-')).map((n) => n.replace('v1/', ''));
    expect(orchestrations).toHaveLength(7);
    expect(names).toEqual([
      ...orchestrations.map((n) => `v1/${n}`),
      ...v1Tasks.map((n) => `v1/task-${n}`),
      ...orchestrations.map((n) => `v2/${n}`),
      ...v2Tasks.map((n) => `v2/task-${n}`),
    ]);
    // v2 tasks took the patched dispatch; the held ones held their call in a regular activity.
    // Payloads decrypted first (with the tests' key), so that encrypted sets read as plainly as v1 and v2.
    const text = (name: string) => JSON.stringify(decodedHistory(fixtures.find((f) => f.name === name)!.history));
    // The marker's patch id is a JSON string in a base64 payload: '"dispatch-v2' is 12 bytes, so it encodes alone.
    const patchMarker = Buffer.from('"dispatch-v2').toString('base64');
    expect(v2Tasks.filter((n) => !text(`v2/task-${n}`).includes(patchMarker))).toEqual([]);
    expect(v1Tasks.filter((n) => text(`v1/task-${n}`).includes(patchMarker))).toEqual([]);
    expect(v2Tasks.filter((n) => text(`v2/task-${n}`).includes('"heldCall"'))).toEqual([
      'held-cancelled',
      'held-completed',
      'held-moved-then-completed',
      'held-open',
    ]);
    expect(text('v2/task-from-schedule-completed')).toContain('TemporalScheduledById');
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
    const outcome = await replay([{ name: 'tampered', history: tampered }]);
    expect(outcome.tampered).toMatch(/nondetermin/i);
  });
});
