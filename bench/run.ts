/**
 * `npm run bench`: the product on the embedded dev server (SQLite file, real worker and API
 * processes), a loopback target, and the scenarios of README "Performance"; beside it, the
 * floor: the same sleep-then-call as a bare Temporal workflow started from a client, in a worker
 * process of its own. Prints a table and writes it as JSON under bench-results/.
 *
 *   npm run bench                 # full scale (about 80 minutes on 2 cores)
 *   npm run bench -- --quick      # smaller and shorter (about 12 minutes)
 *   npm run bench -- --only burst,floor   # some of: api, lateness, sustained, burst, flow, bulk, floor, schedules, at-rest
 *   npm run bench -- --only sustained --sustain-rates 50,100 [--sustain-seconds 600]
 *                                 # the sustained steps to try (in order, until one does not hold)
 *   npm run bench -- --address host:7233 [--namespace ns] [--metrics-url http://host:9090/metrics[,...]]
 *                                 # against a running Temporal server instead of the dev server; at
 *                                 # npm run cluster's address it also counts the CPU of its services and
 *                                 # PostgreSQL and reads their metrics (data/cluster/cluster.json)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { newPayloadKeyEntry } from '../libs/codec';
import { spawnApp, stopProcess, waitForHttpOk } from '../libs/runtime/app-process';
import { freePort, startDevServer } from '../libs/runtime/dev-server';
import { projectRoot } from '../libs/runtime/paths';
import { registerSearchAttributes } from '../libs/runtime/search-attributes';
import { CLUSTER_STATE_FILE_NAME, type ClusterState } from '../libs/runtime/temporal-cluster';
import { signToken } from '../scripts/token';
import { ArrivalTarget } from './arrival-target';
import type { CpuProcesses } from './cpu';
import { startFloor, type Floor } from './floor/floor';
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
} from './scenarios';

/** A burst: `count` calls due at one instant, created `leadMs` ahead of it. */
interface BurstPlan {
  count: number;
  leadMs: number;
}

const SCALES = {
  full: {
    lateness: { rate: 20, seconds: 60, runs: 3 },
    sustainRates: [20, 50, 100],
    sustainSeconds: 600,
    bursts: [
      { count: 1_000, leadMs: 60_000 },
      // 10,000 created at ~100/s take ~2 minutes: due 10 minutes after the last.
      { count: 10_000, leadMs: 720_000 },
    ] as BurstPlan[],
    floor: { rates: [20, 50, 100], seconds: 120, burst: { count: 1_000, leadMs: 60_000 } },
    apiCreations: 3_000,
    atRest: 100_000,
    sample: 100,
    scheduleSeconds: 60,
    schedulesSameSecond: 100,
    flow: { count: 1_000, ratePerSecond: 50, leadMs: 60_000 },
    bulk: { cancel: 10_000, retry: 1_000 },
  },
  quick: {
    lateness: { rate: 20, seconds: 20, runs: 1 },
    sustainRates: [20, 50],
    sustainSeconds: 30,
    bursts: [{ count: 1_000, leadMs: 60_000 }] as BurstPlan[],
    floor: { rates: [50], seconds: 30, burst: { count: 1_000, leadMs: 60_000 } },
    apiCreations: 1_000,
    atRest: 5_000,
    sample: 50,
    scheduleSeconds: 20,
    schedulesSameSecond: 100,
    flow: { count: 300, ratePerSecond: 50, leadMs: 20_000 },
    bulk: { cancel: 1_000, retry: 200 },
  },
};

async function main(): Promise<void> {
  const scaleName = process.argv.includes('--quick') ? 'quick' : 'full';
  const rates = flag('--sustain-rates');
  const seconds = flag('--sustain-seconds');
  const bursts = flag('--bursts');
  const scale = {
    ...SCALES[scaleName],
    ...(rates ? { sustainRates: rates.split(',').map(Number) } : {}),
    ...(seconds ? { sustainSeconds: Number(seconds) } : {}),
    ...(bursts
      ? {
          bursts: bursts.split(',').map((plan): BurstPlan => {
            const [count, leadMs] = plan.split(':').map(Number);
            return { count, leadMs };
          }),
        }
      : {}),
  };
  const positive = [...scale.sustainRates, scale.sustainSeconds, ...scale.bursts.flatMap((b) => [b.count, b.leadMs])];
  if (positive.some((n) => !(n > 0)))
    throw new Error('--sustain-rates, --sustain-seconds and --bursts (count:leadMs) take positive numbers');
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
    PAYLOAD_KEYS: newPayloadKeyEntry(),
    JWT_SECRET: randomBytes(32).toString('base64url'),
    // The bench's target listens on loopback.
    OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8',
    WORKFLOW_BUNDLE_PATH: join(root, 'dist', 'workflow-bundle.js'),
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  const token = await signToken(
    { mode: 'hs256', secret: env.JWT_SECRET, rolesClaim: 'roles', adminRole: 'admin' },
    { sub: 'bench', admin: false, ttlSeconds: 86_400 },
  );
  const worker = spawnApp('worker', env, 'ignore');
  const api = spawnApp('api', env, 'ignore');
  const target = await ArrivalTarget.start();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  let floor: Floor | null = null;
  const cleanUp = async () => {
    await Promise.all([stopProcess(api), stopProcess(worker), target.stop(), floor?.stop()]);
    await server.stop();
  };
  // Ctrl-C mid-run: stop the processes this run started, then exit.
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    await waitForHttpOk(`${apiUrl}/health`, api);
    const headers = { authorization: `Bearer ${token}` };
    const serverProcess: CpuProcesses = server.processes;
    const base = { apiUrl, headers, target, workerPid: worker.pid!, dbFile, serverMetricsUrl: server.metricsUrl, log };
    const ctx: BenchContext = { ...base, source: productSource(base, { ...serverProcess, worker: worker.pid!, api: api.pid! }) };
    const outDir = join(root, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const outFile = join(outDir, `bench-${scaleName}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const results: Results = {
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 1024 ** 3), node: process.version },
      server: server.description,
      scale: scaleName,
      lateness: [],
      bursts: [],
      floor: { sustained: null, bursts: [] },
    };
    // Written after every scenario: a long run stopped midway keeps what it measured.
    const record = (name: string, value: unknown) => {
      log(`${name}: ${JSON.stringify(value)}`);
      writeFileSync(outFile, JSON.stringify(results, null, 2));
    };
    if (wanted('api')) record('api', (results.api = await apiThroughput(ctx, scale.apiCreations)));
    for (let run = 1; wanted('lateness') && run <= scale.lateness.runs; run++) {
      const result = await steadyLateness(ctx, scale.lateness.rate, scale.lateness.seconds);
      results.lateness.push(result);
      record(`lateness run ${run}`, result);
    }
    if (wanted('sustained')) record('sustained', (results.sustained = await sustainedRate(ctx, scale.sustainRates, scale.sustainSeconds)));
    if (wanted('flow'))
      record('flow', (results.flow = await flowBurst(ctx, scale.flow.count, scale.flow.ratePerSecond, scale.flow.leadMs)));
    for (const plan of wanted('burst') ? scale.bursts : []) {
      const result = await burst(ctx, plan.count, 32, plan.leadMs);
      results.bursts.push(result);
      record(`burst ${plan.count}`, result);
    }
    if (wanted('floor')) {
      floor = await startFloor(server.address, server.namespace, target, log);
      for (const mode of ['regular', 'local'] as const) {
        const floorCtx: BenchContext = { ...ctx, source: floor.source(mode, serverProcess) };
        const sustained = await sustainedRate(floorCtx, scale.floor.rates, scale.floor.seconds);
        const burstResult = await burst(floorCtx, scale.floor.burst.count, 32, scale.floor.burst.leadMs);
        results.floor.bursts.push(burstResult);
        if (mode === 'local' || !results.floor.sustained) results.floor.sustained = sustained;
        results.floor[mode] = sustained;
        record(`floor (${mode})`, { sustained, burst: burstResult });
      }
    }
    if (wanted('bulk')) record('bulk', (results.bulk = await bulkJobs(ctx, scale.bulk.cancel, scale.bulk.retry)));
    if (wanted('schedules'))
      record('schedules', (results.schedules = await scheduleLateness(ctx, scale.scheduleSeconds, scale.schedulesSameSecond)));
    if (wanted('at-rest')) record('at rest', (results.atRest = await atRest(ctx, scale.atRest, scale.sample)));
    printTable(results);
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
  /** The server's processes by role, whose CPU each scenario counts. */
  processes: CpuProcesses;
  dbFile: string | null;
  metricsUrl: string | null;
  stop(): Promise<void>;
}

/**
 * The processes and metrics endpoints of the `npm run cluster` at `address`, from the state file
 * it keeps while it runs; null when it is some other server.
 */
function runningCluster(address: string): { processes: CpuProcesses; metricsUrls: string } | null {
  const file = join(projectRoot(), 'data', 'cluster', CLUSTER_STATE_FILE_NAME);
  if (!existsSync(file)) return null;
  const state = JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
  if (state.address !== address) return null;
  const roles: Record<string, string> = {
    frontend: 'frontend',
    history: 'history',
    matching: 'matching',
    worker: 'temporal-worker',
    postgres: 'postgres',
  };
  const processes = Object.fromEntries(Object.entries(roles).flatMap(([key, role]) => (state.pids[key] ? [[role, state.pids[key]]] : [])));
  return { processes, metricsUrls: Object.values(state.metricsUrls).join(',') };
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
    // `npm run cluster` says which processes it runs: their CPU is counted too.
    const cluster = runningCluster(address);
    log(
      `server: ${address} (namespace ${namespace})${cluster ? `: npm run cluster's, counting ${Object.keys(cluster.processes).join(', ')}` : ''}`,
    );
    return {
      address,
      namespace,
      description: cluster ? `${address} (npm run cluster: Temporal's four services and PostgreSQL)` : `${address} (given)`,
      processes: cluster?.processes ?? {},
      dbFile: null,
      metricsUrl: flag('--metrics-url') ?? cluster?.metricsUrls ?? null,
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
    processes: devServer.process.pid ? { server: devServer.process.pid } : {},
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
  bulk?: Awaited<ReturnType<typeof bulkJobs>>;
  lateness: Awaited<ReturnType<typeof steadyLateness>>[];
  sustained?: Awaited<ReturnType<typeof sustainedRate>>;
  bursts: Awaited<ReturnType<typeof burst>>[];
  floor: {
    sustained: Awaited<ReturnType<typeof sustainedRate>> | null;
    regular?: Awaited<ReturnType<typeof sustainedRate>>;
    local?: Awaited<ReturnType<typeof sustainedRate>>;
    bursts: Awaited<ReturnType<typeof burst>>[];
  };
  atRest?: Awaited<ReturnType<typeof atRest>>;
  schedules?: Awaited<ReturnType<typeof scheduleLateness>>;
  flow?: Awaited<ReturnType<typeof flowBurst>>;
}

/** `server 12.1 + worker 9.3 + api 2.0 = 23.4 ms` */
function cpuText(cpu: Record<string, number>): string {
  const parts = Object.entries(cpu).filter(([role]) => role !== 'total');
  return `${parts.map(([role, ms]) => `${role} ${ms}`).join(' + ')} = ${cpu.total} ms`;
}

function printTable(r: Results): void {
  const rows: Array<[string, string, string]> = [];
  for (const [i, l] of r.lateness.entries()) {
    rows.push([
      `lateness at ${l.ratePerSecond}/s for ${l.seconds} s, run ${i + 1} (ms)`,
      `p50 ${l.lateness.p50} / p95 ${l.lateness.p95} / p99 ${l.lateness.p99} / max ${l.lateness.max}; early ${l.lateness.early}, missing ${l.lateness.missing}, repeated ${l.lateness.repeated}; CPU per fire ${cpuText(l.cpuPerFireMs)}`,
      'p99 <= 50 in every run, never early',
    ]);
  }
  for (const sustained of [r.sustained, r.floor.regular, r.floor.local]) {
    if (!sustained) continue;
    const name =
      sustained === r.sustained ? 'product' : sustained === r.floor.regular ? 'floor (regular activity)' : 'floor (local activity)';
    for (const step of sustained.steps) {
      rows.push([
        `${name}: steady ${step.ratePerSecond}/s`,
        `p50 ${step.p50} / p99 ${step.p99} / max ${step.max} ms, missing ${step.missing}; CPU per fire ${cpuText(step.cpuPerFireMs)}`,
        'p99 <= 250 ms; CPU per fire <= 33 ms',
      ]);
    }
  }
  for (const b of [...r.bursts, ...r.floor.bursts]) {
    rows.push([
      `${b.source}: ${b.tasks} due at once, created ${Math.round(b.leadMs / 1000)} s ahead`,
      `last arrived ${b.lastArrivalAfterDueMs} ms after due; p50 ${b.lateness.p50} / p99 ${b.lateness.p99}; early ${b.lateness.early}, missing ${b.lateness.missing}, repeated ${b.lateness.repeated}; CPU per fire ${cpuText(b.cpuPerFireMs)}; worker RSS at most ${b.workerPeakRssMb} MB`,
      b.tasks <= 1000 ? 'all within 1 s' : 'all within 10 s; worker RSS <= 512 MB',
    ]);
    if (b.serverCost) {
      const calls = Object.entries(b.serverCost.historyCalls).map(([call, c]) => `${call} ${c.perTask}x ${c.meanMs} ms`);
      rows.push([
        `${b.source}: server work per task (${b.tasks})`,
        `${b.serverCost.persistenceOpsPerTask} persistence ops; history calls: ${calls.join(', ')}`,
        '-',
      ]);
    }
  }
  if (r.api) {
    rows.push([
      `API creations (${r.api.concurrency} clients)`,
      `${r.api.perSecond}/s; latency p50 ${r.api.latencyMs.p50} / p99 ${r.api.latencyMs.p99} ms`,
      '>= 300/s, p99 <= 100 ms',
    ]);
  }
  if (r.flow) {
    const f = r.flow;
    rows.push([
      `flow control: ${f.tasks} due at once at ${f.ratePerSecond}/s`,
      `${f.achievedPerSecond}/s; at most ${f.mostInAnySecond} in any second; last ${f.lastArrivalAfterDueMs} ms after due; missing ${f.missing}, repeated ${f.repeated}; CPU per fire ${cpuText(f.cpuPerFireMs)}`,
      `${f.ratePerSecond}/s +-10 %, never more than ${f.ratePerSecond} in any second, none lost or twice`,
    ]);
  }
  if (r.bulk) {
    for (const job of [r.bulk.cancel, r.bulk.retry]) {
      rows.push([
        `bulk ${job.action} of ${job.matched} tasks`,
        `${job.perSecond}/s (${job.seconds} s); first progress after ${job.firstProgressAfterMs} ms; done ${job.done}, failed ${job.failed}; CPU per run ${cpuText(job.cpuPerRunMs)}`,
        'finishes, progress as it goes',
      ]);
    }
  }
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
  console.log(`\nserver: ${r.server}; machine: ${JSON.stringify(r.machine)}`);
  console.log(rows.map(([name, value, goal]) => `${name.padEnd(width)}  ${value}   [target: ${goal}]`).join('\n') + '\n');
}

main().catch((err: unknown) => {
  console.error('bench: failed:', err);
  process.exitCode = 1;
});
