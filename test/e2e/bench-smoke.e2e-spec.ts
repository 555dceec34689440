import { ArrivalTarget } from '../../bench/arrival-target';
import {
  apiThroughput,
  atRest,
  bulkJobs,
  burst,
  flowBurst,
  productSource,
  scheduleLateness,
  steadyLateness,
  sustainedRate,
  type BenchContext,
} from '../../bench/scenarios';
import { testSystemPerFile, testToken } from '../support/test-system';

/** Runs every benchmark scenario at a tiny scale, so `npm run bench` cannot rot. */
describe('benchmark scenarios (smoke, tiny scale)', () => {
  const system = testSystemPerFile();
  let ctx: BenchContext;

  beforeAll(async () => {
    const target = await ArrivalTarget.start();
    const base = {
      apiUrl: system.baseUrl,
      headers: { authorization: `Bearer ${await testToken(system.owner)}` },
      target,
      workerPid: process.pid,
      dbFile: null,
      serverMetricsUrl: process.env.TEST_TEMPORAL_METRICS_URL ?? null,
      log: () => undefined,
    };
    // No processes to watch: the worker shares this jest process with other suites, so its
    // CPU says nothing here (and waiting for it to settle could take long).
    ctx = { ...base, source: productSource(base, {}) };
  });
  afterAll(async () => {
    await ctx?.target.stop();
  });

  it('measures steady lateness: every task arrives once, none early', async () => {
    const result = await steadyLateness(ctx, 5, 1);
    expect(result.lateness).toMatchObject({ count: 5, early: 0, missing: 0, repeated: 0 });
    expect(result.lateness.p99).toBeLessThan(1000);
    expect(result.source).toBe('product');
    expect(result.cpuPerFireMs.total).toBe(0);
  });

  it('finds a sustained rate', async () => {
    const result = await sustainedRate(ctx, [5], 1, 1000);
    expect(result.sustainedPerSecond).toBe(5);
    expect(result.steps).toHaveLength(1);
  });

  it('measures a burst due at once', async () => {
    const result = await burst(ctx, 10, 4, 2_000);
    expect(result.lateness).toMatchObject({ count: 10, early: 0, missing: 0 });
    // The server is shared with other suites, so only a floor: a task costs at least its
    // creation and its workflow tasks.
    expect(result.serverCost?.persistenceOpsPerTask).toBeGreaterThanOrEqual(3);
    expect(result.serverCost?.historyCalls.RespondWorkflowTaskCompleted.perTask).toBeGreaterThanOrEqual(1);
  });

  it('measures schedule runs: a lone schedule and a few due at the same second', async () => {
    const result = await scheduleLateness(ctx, 2, 3, 3);
    expect(result.lone.count).toBeGreaterThanOrEqual(2);
    expect(result.lone).toMatchObject({ early: 0, repeated: 0 });
    expect(result.sameSecond).toMatchObject({ schedules: 3, lateness: { count: 3, early: 0, missing: 0, repeated: 0 } });
  });

  it('measures a flow-controlled burst: paced, none lost or twice', async () => {
    const result = await flowBurst(ctx, 12, 10, 3_000);
    expect(result).toMatchObject({ tasks: 12, ratePerSecond: 10, missing: 0, repeated: 0 });
    expect(result.mostInAnySecond).toBeLessThanOrEqual(10);
  });

  it('measures bulk jobs: a cancel, then a retry, each acting on every matching task', async () => {
    const result = await bulkJobs(ctx, 12, 4);
    expect(result.cancel).toMatchObject({ action: 'cancel', matched: 12, done: 12, failed: 0 });
    expect(result.retry).toMatchObject({ action: 'retry', matched: 4, done: 4, failed: 0 });
    expect(result.cancel.progress.at(-1)).toEqual([expect.any(Number), 12]);
  });

  it('measures API creations', async () => {
    const result = await apiThroughput(ctx, 10, 4);
    expect(result.latencyMs.count).toBe(10);
    expect(result.perSecond).toBeGreaterThan(0);
  });

  it('measures tasks at rest and a moved sample firing', async () => {
    const result = await atRest(ctx, 10, 2, 4, 100);
    expect(result.sample).toMatchObject({ count: 2, early: 0, missing: 0 });
    expect(result.workerRssMb).toBeGreaterThan(0);
  });
});
