/**
 * `npm run bench`: the product on the embedded dev server (SQLite file, real worker and API
 * processes), a loopback target, and the scenarios of README "Performance". Prints a table and
 * writes it as JSON under bench-results/.
 *
 *   npm run bench                 # full scale (about 35 minutes on 2 cores)
 *   npm run bench -- --quick      # smaller and shorter (about 4 minutes)
 *   npm run bench -- --only at-rest   # some scenarios: api, lateness, sustained, burst, schedules, at-rest
 *   npm run bench -- --address host:7233 [--namespace ns] [--metrics-url http://host:9090/metrics]
 *                                 # against a running Temporal server instead of the dev server
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { spawnApp, stopProcess, waitForHttpOk } from '../libs/runtime/app-process';
import { freePort, startDevServer } from '../libs/runtime/dev-server';
import { projectRoot } from '../libs/runtime/paths';
import { signToken } from '../scripts/token';
import { registerSearchAttributes } from '../libs/runtime/search-attributes';
import { ArrivalTarget } from './arrival-target';
import { apiThroughput, atRest, burst, scheduleLateness, steadyLateness, sustainedRate, type BenchContext } from './scenarios';

const SCALES = {
  full: {
    latencySeconds: 60,
    sustainRates: [10, 20, 30, 40, 50, 75, 100, 150],
    sustainSeconds: 120,
    bursts: [1_000, 10_000],
    apiCreations: 3_000,
    atRest: 100_000,
    sample: 100,
    scheduleSeconds: 60,
    schedulesSameSecond: 100,
  },
  quick: {
    latencySeconds: 20,
    sustainRates: [10, 20, 50],
    sustainSeconds: 20,
    bursts: [1_000],
    apiCreations: 1_000,
    atRest: 5_000,
    sample: 50,
    scheduleSeconds: 20,
    schedulesSameSecond: 100,
  },
} as const;

async function main(): Promise<void> {
  const scaleName = process.argv.includes('--quick') ? 'quick' : 'full';
  const scale = SCALES[scaleName];
  const onlyList = flag('--only');
  const only = onlyList ? new Set(onlyList.split(',')) : null;
  const wanted = (name: string) => !only || only.has(name);
  const root = projectRoot();
  const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

  const server = await startServer(log);
  const { dbFile } = server;
  const apiPort = await freePort();
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    TEMPORAL_TASK_QUEUE: `bench-${randomUUID()}`,
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    // The bench's target listens on loopback.
    OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8',
    WORKFLOW_BUNDLE_PATH: join(root, 'dist', 'workflow-bundle.js'),
  };
  const token = await signToken(
    { mode: 'hs256', secret: env.JWT_SECRET, rolesClaim: 'roles', adminRole: 'admin' },
    { sub: 'bench', admin: false, ttlSeconds: 86_400 },
  );
  const worker = spawnApp('worker', env, 'ignore');
  const api = spawnApp('api', env, 'ignore');
  const target = await ArrivalTarget.start();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const cleanUp = async () => {
    await Promise.all([stopProcess(api), stopProcess(worker), target.stop()]);
    await server.stop();
  };
  // Ctrl-C mid-run: stop the processes this run started, then exit.
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    await waitForHttpOk(`${apiUrl}/health`, api);
    const headers = { authorization: `Bearer ${token}` };
    const ctx: BenchContext = { apiUrl, headers, target, workerPid: worker.pid!, dbFile, serverMetricsUrl: server.metricsUrl, log };
    const outDir = join(root, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const outFile = join(outDir, `bench-${scaleName}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const results: Results = {
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
      server: server.description,
      scale: scaleName,
      bursts: [],
    };
    // Written after every scenario: a long run stopped midway keeps what it measured.
    const record = (name: string, value: unknown) => {
      log(`${name}: ${JSON.stringify(value)}`);
      writeFileSync(outFile, JSON.stringify(results, null, 2));
    };
    // API first: its creation rate sizes how far ahead a burst must be due to be created in time.
    if (wanted('api') || wanted('burst')) record('api', (results.api = await apiThroughput(ctx, scale.apiCreations)));
    if (wanted('lateness')) record('lateness', (results.lateness = await steadyLateness(ctx, 20, scale.latencySeconds)));
    if (wanted('sustained'))
      record('sustained', (results.sustained = await sustainedRate(ctx, [...scale.sustainRates], scale.sustainSeconds)));
    for (const count of wanted('burst') ? scale.bursts : []) {
      const result = await burst(ctx, count, 32, 5_000 + Math.ceil((count / (0.7 * results.api!.perSecond)) * 1000));
      results.bursts.push(result);
      record(`burst ${count}`, result);
    }
    if (wanted('schedules'))
      record('schedules', (results.schedules = await scheduleLateness(ctx, scale.scheduleSeconds, scale.schedulesSameSecond)));
    if (wanted('at-rest')) record('at rest', (results.atRest = await atRest(ctx, scale.atRest, scale.sample)));
    if (!only) printTable(results);
    log(`results written to ${outFile}`);
  } finally {
    await cleanUp();
  }
}

/** The Temporal server a run measures: the embedded dev server, or one given by --address. */
interface BenchServer {
  address: string;
  namespace: string;
  description: string;
  dbFile: string | null;
  metricsUrl: string | null;
  stop(): Promise<void>;
}

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
}

async function startServer(log: (message: string) => void): Promise<BenchServer> {
  const address = flag('--address');
  if (address) {
    const namespace = flag('--namespace') ?? 'default';
    const connection = await Connection.connect({ address });
    try {
      await registerSearchAttributes(connection, namespace);
    } finally {
      await connection.close();
    }
    log(`server: ${address} (namespace ${namespace})`);
    return {
      address,
      namespace,
      description: `${address} (given)`,
      dbFile: null,
      metricsUrl: flag('--metrics-url') ?? null,
      stop: () => Promise.resolve(),
    };
  }
  const workDir = mkdtempSync(join(tmpdir(), 'bench-'));
  const dbFile = join(workDir, 'temporal.db');
  const metricsPort = await freePort();
  const devServer = await startDevServer({ dbFile, headless: true, logLevel: 'error', metricsPort });
  return {
    address: devServer.address,
    namespace: 'default',
    description: 'embedded dev server (SQLite file)',
    dbFile,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    stop: async () => {
      await devServer.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

interface Results {
  machine: Record<string, unknown>;
  server: string;
  scale: string;
  api?: Awaited<ReturnType<typeof apiThroughput>>;
  lateness?: Awaited<ReturnType<typeof steadyLateness>>;
  sustained?: Awaited<ReturnType<typeof sustainedRate>>;
  bursts: Awaited<ReturnType<typeof burst>>[];
  atRest?: Awaited<ReturnType<typeof atRest>>;
  schedules?: Awaited<ReturnType<typeof scheduleLateness>>;
}

function printTable(results: Results): void {
  const r = results as Required<Results>;
  const l = r.lateness.lateness;
  const rows: Array<[string, string, string]> = [
    [
      `lateness at ${r.lateness.ratePerSecond}/s for ${r.lateness.seconds} s (ms)`,
      `p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} / max ${l.max}; early ${l.early}, missing ${l.missing}, repeated ${l.repeated}`,
      'p50 <= 10, p99 <= 50, never early',
    ],
    [
      'sustained rate (p99 <= 250 ms)',
      `${r.sustained.sustainedPerSecond}/s (${r.sustained.steps.map((s) => `${s.ratePerSecond}/s: p99 ${s.p99} ms${s.missing ? `, ${s.missing} missing` : ''}`).join('; ')})`,
      '>= 100/s',
    ],
    ...r.bursts.map((b): [string, string, string] => [
      `burst of ${b.tasks} due at once`,
      `last arrived ${b.lastArrivalAfterDueMs} ms after due; p50 ${b.lateness.p50} / p99 ${b.lateness.p99}; missing ${b.lateness.missing} (created in ${b.creationSeconds.toFixed(1)} s)`,
      b.tasks <= 1000 ? 'all within 1 s' : 'all within 10 s',
    ]),
    ...r.bursts.flatMap((b): Array<[string, string, string]> => {
      if (!b.serverCost) return [];
      const calls = Object.entries(b.serverCost.historyCalls).map(([name, c]) => `${name} ${c.perTask}x ${c.meanMs} ms`);
      return [
        [
          `server work per task (burst of ${b.tasks})`,
          `${b.serverCost.persistenceOpsPerTask} persistence ops; history calls: ${calls.join(', ')}`,
          '-',
        ],
      ];
    }),
    [
      `API creations (${r.api.concurrency} clients)`,
      `${r.api.perSecond}/s; latency p50 ${r.api.latencyMs.p50} / p99 ${r.api.latencyMs.p99} ms`,
      '>= 300/s, p99 <= 100 ms',
    ],
  ];
  if (r.schedules) {
    const { lone, sameSecond } = r.schedules;
    rows.push(
      [
        'a lone schedule, every second (nominal -> arrival, ms)',
        `p50 ${lone.p50} / p95 ${lone.p95} / p99 ${lone.p99} / max ${lone.max} over ${lone.count} runs; early ${lone.early}, repeated ${lone.repeated}`,
        'all within 250 ms',
      ],
      [
        `${sameSecond.schedules} schedules due at the same second`,
        `last arrived ${sameSecond.lastArrivalAfterDueMs} ms after due; p50 ${sameSecond.lateness.p50} / p99 ${sameSecond.lateness.p99}; missing ${sameSecond.lateness.missing}`,
        'all within 5 s',
      ],
    );
  }
  if (r.atRest) {
    const a = r.atRest;
    rows.push([
      `${a.sleeping} sleeping tasks`,
      `worker RSS ${a.workerRssMb} MB; data file ${a.dbFileMb} MB; sample of ${a.sample.count}: p50 ${a.sample.p50} / p99 ${a.sample.p99} ms, missing ${a.sample.missing}`,
      'RSS <= 512 MB',
    ]);
  }
  const width = Math.max(...rows.map((row) => row[0].length));
  console.log(`\nserver: ${results.server}; machine: ${JSON.stringify(results.machine)}`);
  console.log(rows.map(([name, value, target]) => `${name.padEnd(width)}  ${value}   [target: ${target}]`).join('\n') + '\n');
}

main().catch((err: unknown) => {
  console.error('bench: failed:', err);
  process.exitCode = 1;
});
