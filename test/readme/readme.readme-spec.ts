/**
 * The README, tested (`npm run test:readme`): its runnable blocks (```` ```bash test ````), in
 * order, against the product as `npm start` runs it and `npm run target`; a block fails when a
 * command fails or a curl answers other than the README shows. See README, "Tests".
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { projectRoot } from '../../libs/runtime/paths';
import { readmeBlocks, type ReadmeBlock } from './readme-blocks';
import { ReadmeSystem, README_USER } from './readme-system';
import { runBlock } from './shell';

/** How long one block may take (a block that waits for a run to finish sleeps a few seconds). */
const BLOCK_TIMEOUT_MS = 90_000;
/** README_TEST_KEEP_GOING=1 runs every block even after one failed (each then starts from what the failed one left). */
const KEEP_GOING = process.env.README_TEST_KEEP_GOING === '1';

const root = projectRoot();
const blocks = readmeBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
/** README_TEST_ONLY=12 runs blocks 1 to 12 only (the state the later ones need comes from the earlier). */
const upTo = Number(process.env.README_TEST_ONLY) || blocks.length;

describe('README.md, block by block', () => {
  let system: ReadmeSystem;
  let stateDir: string;
  let failedBlock: number | null = null;

  beforeAll(async () => {
    for (const tool of ['bash', 'curl', 'jq']) {
      try {
        execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      } catch {
        throw new Error(`the README's examples need ${tool} (README, "Requirements")`);
      }
    }
    stateDir = mkdtempSync(join(tmpdir(), 'readme-test-'));
    system = await ReadmeSystem.start();
  }, 300_000);
  afterAll(async () => {
    await system?.teardown();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('has runnable blocks', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  const title = (block: ReadmeBlock) => `block ${block.number}, README.md:${block.line} (${block.heading}): ${firstCommand(block)}`;
  it.each(blocks.slice(0, upTo).map((block) => [title(block), block] as const))(
    '%s',
    async (_title, block) => {
      if (failedBlock !== null && !KEEP_GOING)
        throw new Error(`not run: block ${failedBlock} failed (README_TEST_KEEP_GOING=1 runs it anyway)`);
      const rewritten: ReadmeBlock = {
        ...block,
        script: system.rewrite(block.script),
        expectations: block.expectations.map((e) => ({
          ...e,
          body: e.body === undefined ? undefined : (JSON.parse(system.rewrite(JSON.stringify(e.body))) as unknown),
        })),
      };
      const run = await runBlock(rewritten, { cwd: root, env: system.env, stateDir, timeoutMs: BLOCK_TIMEOUT_MS });
      if (run.failure !== null) {
        failedBlock ??= block.number;
        throw new Error(`${run.failure}\n\n--- the block's output (last lines) ---\n${run.output.split('\n').slice(-30).join('\n')}`);
      }
    },
    BLOCK_TIMEOUT_MS + 10_000,
  );

  it(`leaves every call the target received signed with ${README_USER}'s secret, and the target running`, () => {
    const calls = system.calls();
    expect(system.targetRunning).toBe(true);
    // The README's HTTP examples call the target (all blocks run: some of them did).
    if (upTo === blocks.length) expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((call) => call.signature !== 'valid').map((c) => `${c.method} ${c.path}: ${c.signature}`)).toEqual([]);
  });
});

/** The block's first command, for its test's name. */
function firstCommand(block: ReadmeBlock): string {
  const line = block.code.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
  return line.length > 70 ? `${line.slice(0, 70)}...` : line;
}
