import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryAndWorkflowId } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
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
    { workflowBundle: { codePath } },
    fixtures.map(({ name, history }) => ({ workflowId: name, history })),
  );
  for await (const result of results) outcome[result.workflowId] = result.error ? result.error.message : '';
  return outcome;
}

describe('replay of recorded histories against the current workflow code', () => {
  const fixtures = loadFixtures();
  beforeAll(() => installQuietRuntime());

  it('finds the recorded histories of both workflow types', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(14);
    expect(fixtures.some((f) => f.name.includes('/task-'))).toBe(true);
    expect(fixtures.some((f) => f.name.includes('/orchestration-'))).toBe(true);
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
