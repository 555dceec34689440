/**
 * The benchmark's scenarios (README, "Performance"). Each drives the product through its REST
 * API and measures, at the target, when each call arrives against when it was due.
 */
import { readFileSync, statSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ArrivalTarget } from './arrival-target';
import { cpuMs, measureCpu, type CpuPerFire, type CpuProcesses } from './cpu';
import { scrapeMetrics, serverCost, type ServerCost } from './server-metrics';
import { summarize, type Summary } from './stats';

/** What fires calls: the product (tasks through its REST API), or the floor (bare workflows from a client). */
export interface FireSource {
  name: string;
  /** Creates a call due at `dueAt` (ms since the epoch). */
  create(dueAt: number): Promise<CreatedTask & { latencyMs: number }>;
  /** The processes whose CPU a fire costs, by role (server, worker, api). */
  processes: CpuProcesses;
}

/** What a scenario runs against. */
export interface BenchContext {
  /** What the timed scenarios fire with (default: the product through its API). */
  source: FireSource;
  apiUrl: string;
  /** Sent with every API request: the bench user's bearer token. */
  headers: Record<string, string>;
  target: ArrivalTarget;
  /** pid of the worker process, for its RSS. */
  workerPid: number;
  /** The dev server's SQLite file, for its size; null when not persisted. */
  dbFile: string | null;
  /** The dev server's Prometheus endpoint, for what it spends per task; null when not served. */
  serverMetricsUrl: string | null;
  log(message: string): void;
}

/** Lateness (arrival - due) of a set of tasks. */
export interface LatenessReport extends Summary {
  /** Tasks that arrived before their due time. */
  early: number;
  /** Tasks that had not arrived when the scenario gave up waiting. */
  missing: number;
  /** Tasks that arrived more than once. */
  repeated: number;
}

interface CreatedTask {
  id: string;
  dueAt: number;
}

/** The product as a fire source: POST /tasks through the API. */
export function productSource(ctx: Omit<BenchContext, 'source'>, processes: CpuProcesses): FireSource {
  return { name: 'product', create: (dueAt) => createTask(ctx, dueAt), processes };
}

/** Waits until the processes are idle again (a backlog drained): CPU under 5 % of a core over a second. */
async function settle(processes: CpuProcesses, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = Object.values(processes).reduce((sum, pid) => sum + cpuMs(pid), 0);
  while (Date.now() < deadline) {
    await sleep(1_000);
    const now = Object.values(processes).reduce((sum, pid) => sum + cpuMs(pid), 0);
    if (now - last < 50) return;
    last = now;
  }
}

/** POST /tasks (with `extra` fields, e.g. flowControl); returns the id and due time, and the request's latency. */
async function createTask(
  ctx: Pick<BenchContext, 'apiUrl' | 'headers' | 'target'>,
  runAt: number,
  extra: Record<string, unknown> = {},
): Promise<CreatedTask & { latencyMs: number }> {
  const started = performance.now();
  const res = await fetch(`${ctx.apiUrl}/tasks`, {
    method: 'POST',
    headers: { ...ctx.headers, 'content-type': 'application/json' },
    body: JSON.stringify({
      url: ctx.target.url,
      runAt: new Date(runAt).toISOString(),
      timeoutMs: 5000,
      retries: 2,
      retryIntervalMs: 500,
      ...extra,
    }),
  });
  const latencyMs = performance.now() - started;
  if (res.status !== 201) throw new Error(`POST /tasks answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { id: string; runAt: string };
  return { id: body.id, dueAt: Date.parse(body.runAt), latencyMs };
}

/** Runs `count` jobs with at most `concurrency` at once. */
async function pool<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await job(i);
      }
    }),
  );
  return results;
}

/** Waits until every task has arrived or `graceMs` after the last is due; then measures. */
async function lateness(ctx: BenchContext, tasks: CreatedTask[], graceMs = 30_000): Promise<LatenessReport> {
  const lastDue = Math.max(...tasks.map((t) => t.dueAt));
  while (tasks.some((t) => !ctx.target.arrivals.has(t.id)) && Date.now() < lastDue + graceMs) await sleep(100);
  await sleep(500); // let repeats, if any, show up
  const values: number[] = [];
  let missing = 0;
  let repeated = 0;
  for (const task of tasks) {
    const arrivals = ctx.target.arrivals.get(task.id);
    if (!arrivals) missing++;
    else {
      values.push(arrivals[0] - task.dueAt);
      if (arrivals.length > 1) repeated++;
    }
  }
  return { ...summarize(values), early: values.filter((v) => v < 0).length, missing, repeated };
}

/**
 * Creates tasks at a steady `ratePerSecond` for `seconds`, each due `leadMs` after its creation
 * slot, so that they fire at that same steady rate.
 */
async function steadyLoad(
  ctx: BenchContext,
  ratePerSecond: number,
  seconds: number,
  leadMs: number,
): Promise<{ tasks: CreatedTask[]; behindMs: number }> {
  const count = Math.round(ratePerSecond * seconds);
  const t0 = Date.now() + 200;
  const tasks: Promise<CreatedTask>[] = [];
  let behindMs = 0;
  for (let i = 0; i < count; i++) {
    const slot = t0 + (i * 1000) / ratePerSecond;
    const wait = slot - Date.now();
    if (wait > 0) await sleep(wait);
    else behindMs = Math.max(behindMs, -wait);
    tasks.push(ctx.source.create(slot + leadMs));
  }
  return { tasks: await Promise.all(tasks), behindMs };
}

export interface LatenessResult {
  source: string;
  ratePerSecond: number;
  seconds: number;
  lateness: LatenessReport;
  /** CPU each process spent per fire, creation to completion, in ms. */
  cpuPerFireMs: CpuPerFire;
  /** Event-loop delay of the measuring process (its own error bar), p99 in ms. */
  benchLoopDelayP99Ms: number;
}

/** Tasks due 2 s after creation, at a steady rate: lateness percentiles and CPU per fire. */
export async function steadyLateness(ctx: BenchContext, ratePerSecond: number, seconds: number): Promise<LatenessResult> {
  ctx.log(`lateness (${ctx.source.name}): ${ratePerSecond} fires/s for ${seconds} s`);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu = measureCpu(ctx.source.processes);
  const { tasks } = await steadyLoad(ctx, ratePerSecond, seconds, 2_000);
  const report = await lateness(ctx, tasks);
  await settle(ctx.source.processes);
  const cpuPerFireMs = cpu(tasks.length);
  loop.disable();
  return {
    source: ctx.source.name,
    ratePerSecond,
    seconds,
    lateness: report,
    cpuPerFireMs,
    benchLoopDelayP99Ms: Math.round(loop.percentile(99) / 1e6),
  };
}

export interface SustainedResult {
  source: string;
  /** Highest rate that held with p99 <= the limit, or 0. */
  sustainedPerSecond: number;
  steps: Array<{
    ratePerSecond: number;
    p50: number;
    p99: number;
    max: number;
    missing: number;
    creationBehindMs: number;
    cpuPerFireMs: CpuPerFire;
    held: boolean;
  }>;
}

/** Steps up the steady rate until p99 lateness exceeds `p99LimitMs` (or tasks go missing). */
export async function sustainedRate(ctx: BenchContext, rates: number[], seconds: number, p99LimitMs = 250): Promise<SustainedResult> {
  const steps: SustainedResult['steps'] = [];
  let sustainedPerSecond = 0;
  for (const rate of rates) {
    ctx.log(`sustained (${ctx.source.name}): ${rate} fires/s for ${seconds} s`);
    const cpu = measureCpu(ctx.source.processes);
    const { tasks, behindMs } = await steadyLoad(ctx, rate, seconds, 2_000);
    const report = await lateness(ctx, tasks, 60_000);
    await settle(ctx.source.processes);
    const held = report.p99 <= p99LimitMs && report.missing === 0;
    const { p50, p99, max, missing } = report;
    steps.push({
      ratePerSecond: rate,
      p50,
      p99,
      max,
      missing,
      creationBehindMs: Math.round(behindMs),
      cpuPerFireMs: cpu(tasks.length),
      held,
    });
    ctx.log(`sustained (${ctx.source.name}): ${rate}/s p50 ${p50} p99 ${p99} max ${max} missing ${missing}`);
    if (!held) break;
    sustainedPerSecond = rate;
  }
  return { source: ctx.source.name, sustainedPerSecond, steps };
}

export interface BurstResult {
  source: string;
  tasks: number;
  /** How long before the due time the burst began to be created. */
  leadMs: number;
  creationSeconds: number;
  /** CPU each process spent per fire, creation to completion, in ms. */
  cpuPerFireMs: CpuPerFire;
  /** From the shared due time until the last call arrived. */
  lastArrivalAfterDueMs: number;
  lateness: LatenessReport;
  /** What the server spent per task, from creation until the processes settled after the last arrival. */
  serverCost: ServerCost | null;
  /** The worker's largest RSS from creation to the last arrival (sampled every 500 ms), in MB. */
  workerPeakRssMb: number | null;
}

/** `count` tasks all due at the same instant. */
export async function burst(
  ctx: BenchContext,
  count: number,
  concurrency = 32,
  // Due once they are surely all created (measured creation runs at >= 200/s).
  leadMs = 5_000 + Math.ceil(count / 200) * 1000,
): Promise<BurstResult> {
  const dueAt = Date.now() + leadMs;
  ctx.log(`burst (${ctx.source.name}): ${count} tasks due at ${new Date(dueAt).toISOString()} (${Math.round(leadMs / 1000)} s ahead)`);
  const metricsBefore = ctx.serverMetricsUrl ? await scrapeMetrics(ctx.serverMetricsUrl) : null;
  const cpu = measureCpu(ctx.source.processes);
  const workerRss = sampleRss(ctx.source.processes.worker);
  const started = Date.now();
  const created = await pool(count, concurrency, () => ctx.source.create(dueAt));
  const creationSeconds = (Date.now() - started) / 1000;
  if (Date.now() > dueAt) ctx.log(`burst: creation ran past the due time by ${Date.now() - dueAt} ms`);
  // A backlog drains at the server's pace: wait long enough to see the last one arrive.
  const report = await lateness(ctx, created, Math.max(30_000, count * 60));
  const workerPeakRssMb = workerRss.stop();
  // After the processes settle: the completions that follow the last call count too.
  await settle(ctx.source.processes);
  const cost = metricsBefore ? serverCost(metricsBefore, await scrapeMetrics(ctx.serverMetricsUrl!), count) : null;
  ctx.log(`burst (${ctx.source.name}): last arrival ${report.max} ms after due, p50 ${report.p50}, missing ${report.missing}`);
  return {
    source: ctx.source.name,
    tasks: count,
    leadMs,
    creationSeconds,
    cpuPerFireMs: cpu(count),
    lastArrivalAfterDueMs: report.max,
    lateness: report,
    serverCost: cost,
    workerPeakRssMb,
  };
}

export interface FlowBurstResult {
  tasks: number;
  ratePerSecond: number;
  /** Calls per second between the first arrival and the last. */
  achievedPerSecond: number;
  /** The most calls that arrived in any one second: sliding (any 1,000 ms) and by calendar second. */
  mostInAnySecond: number;
  mostInACalendarSecond: number;
  firstArrivalAfterDueMs: number;
  lastArrivalAfterDueMs: number;
  missing: number;
  repeated: number;
  cpuPerFireMs: CpuPerFire;
  serverCost: ServerCost | null;
}

/**
 * `count` tasks due at one instant under one flow-control key with `ratePerSecond`: how evenly
 * they arrive (at most `ratePerSecond` in any second, none lost or twice) and what a limited call
 * costs the server and each process.
 */
export async function flowBurst(ctx: BenchContext, count: number, ratePerSecond: number, leadMs = 60_000): Promise<FlowBurstResult> {
  const dueAt = Date.now() + leadMs;
  const flowControl = { key: `bench-${dueAt}`, ratePerSecond };
  ctx.log(`flow burst: ${count} tasks due at ${new Date(dueAt).toISOString()} at ${ratePerSecond}/s`);
  const metricsBefore = ctx.serverMetricsUrl ? await scrapeMetrics(ctx.serverMetricsUrl) : null;
  const cpu = measureCpu(ctx.source.processes);
  const created = await pool(count, 32, () => createTask(ctx, dueAt, { flowControl }));
  const report = await lateness(ctx, created, Math.max(60_000, (count / ratePerSecond) * 1_000 * 2));
  await settle(ctx.source.processes);
  const cost = metricsBefore ? serverCost(metricsBefore, await scrapeMetrics(ctx.serverMetricsUrl!), count) : null;
  const arrivals = created.flatMap((t) => ctx.target.arrivals.get(t.id)?.slice(0, 1) ?? []).sort((a, b) => a - b);
  let sliding = 0;
  for (let i = 0, j = 0; i < arrivals.length; i++) {
    while (arrivals[i] - arrivals[j] >= 1_000) j++;
    sliding = Math.max(sliding, i - j + 1);
  }
  const perSecond = new Map<number, number>();
  for (const t of arrivals) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  const spanS = (arrivals.at(-1)! - arrivals[0]) / 1000;
  const result: FlowBurstResult = {
    tasks: count,
    ratePerSecond,
    achievedPerSecond: Math.round(((arrivals.length - 1) / spanS) * 10) / 10,
    mostInAnySecond: sliding,
    mostInACalendarSecond: Math.max(...perSecond.values()),
    firstArrivalAfterDueMs: arrivals[0] - dueAt,
    lastArrivalAfterDueMs: arrivals.at(-1)! - dueAt,
    missing: report.missing,
    repeated: report.repeated,
    cpuPerFireMs: cpu(count),
    serverCost: cost,
  };
  ctx.log(
    `flow burst: ${result.achievedPerSecond}/s (asked ${ratePerSecond}), at most ${sliding} in any second, missing ${report.missing}, twice ${report.repeated}`,
  );
  return result;
}

/** Samples a process's RSS every 500 ms until stopped; `stop` returns the largest seen, in MB. */
function sampleRss(pid: number | undefined): { stop(): number | null } {
  if (pid === undefined) return { stop: () => null };
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 500);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid));
    },
  };
}

export interface ApiResult {
  creations: number;
  concurrency: number;
  perSecond: number;
  latencyMs: Summary;
}

/** Task creations through the REST API at `concurrency` clients (due far ahead: they stay asleep). */
export async function apiThroughput(ctx: BenchContext, creations: number, concurrency = 32): Promise<ApiResult> {
  ctx.log(`api: ${creations} creations at ${concurrency} concurrent clients`);
  const dueAt = Date.now() + 6 * 3_600_000;
  const started = performance.now();
  const results = await pool(creations, concurrency, () => createTask(ctx, dueAt));
  const seconds = (performance.now() - started) / 1000;
  const latency = summarize(results.map((r) => r.latencyMs));
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    creations,
    concurrency,
    perSecond: Math.round(creations / seconds),
    latencyMs: {
      count: latency.count,
      p50: round(latency.p50),
      p95: round(latency.p95),
      p99: round(latency.p99),
      max: round(latency.max),
      min: round(latency.min),
    },
  };
}

export interface AtRestResult {
  sleeping: number;
  creationSeconds: number;
  workerRssMb: number;
  dbFileMb: number | null;
  sample: LatenessReport;
}

/** The resident set size of a process, in MB (Linux /proc). */
function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}

function fileMb(path: string): number {
  let bytes = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      bytes += statSync(path + suffix).size;
    } catch {
      // no such file
    }
  }
  return Math.round(bytes / 1024 / 1024);
}

/**
 * `count` sleeping tasks (due hours ahead), then the worker's RSS and the data file's size;
 * then `sampleSize` of them are moved (PATCH) to fire in a few seconds, and measured.
 */
export async function atRest(
  ctx: BenchContext,
  count: number,
  sampleSize: number,
  concurrency = 32,
  settleMs = 5_000,
): Promise<AtRestResult> {
  ctx.log(`at rest: creating ${count} sleeping tasks`);
  const dueAt = Date.now() + 3 * 3_600_000;
  const started = Date.now();
  const created = await pool(count, concurrency, async (i) => {
    const task = await createTask(ctx, dueAt + i);
    if (i > 0 && i % 10_000 === 0) ctx.log(`at rest: ${i} created`);
    return task;
  });
  const creationSeconds = (Date.now() - started) / 1000;
  await sleep(settleMs); // let the worker settle (first workflow tasks, cache)
  const workerRssMb = rssMb(ctx.workerPid);
  const dbFileMb = ctx.dbFile ? fileMb(ctx.dbFile) : null;

  ctx.log(`at rest: moving ${sampleSize} of them to fire now`);
  const step = Math.max(1, Math.floor(count / sampleSize));
  const fireAt = Date.now() + 2_000 + sampleSize * 20;
  const sample = await pool(sampleSize, 8, async (i) => {
    const { id } = created[i * step];
    const runAt = fireAt + i * 20;
    const res = await fetch(`${ctx.apiUrl}/tasks/${id}`, {
      method: 'PATCH',
      headers: { ...ctx.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ runAt: new Date(runAt).toISOString() }),
    });
    if (res.status !== 200) throw new Error(`PATCH /tasks/${id} answered ${res.status}: ${await res.text()}`);
    return { id, dueAt: runAt };
  });
  return { sleeping: count, creationSeconds, workerRssMb, dbFileMb, sample: await lateness(ctx, sample) };
}

export interface ScheduleLatenessResult {
  /** One schedule running every second: each run's lateness from its nominal time to its arrival. */
  lone: LatenessReport;
  /** `schedules` schedules all due at the same second (each an `at` of one time). */
  sameSecond: { schedules: number; creationSeconds: number; lastArrivalAfterDueMs: number; lateness: LatenessReport };
}

/** The nominal time of a schedule's run, from its task id (`task-<schedule id>-<nominal time>`). */
function nominalOfRun(taskId: string): number {
  return Date.parse(taskId.slice(-'2026-11-23T09:00:00Z'.length));
}

async function createSchedule(ctx: BenchContext, timing: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${ctx.apiUrl}/schedules`, {
    method: 'POST',
    headers: { ...ctx.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ ...timing, task: { url: ctx.target.url, timeoutMs: 5000 } }),
  });
  if (res.status !== 201) throw new Error(`POST /schedules answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function deleteSchedule(ctx: BenchContext, id: string): Promise<void> {
  const res = await fetch(`${ctx.apiUrl}/schedules/${id}`, { method: 'DELETE', headers: ctx.headers });
  if (res.status !== 200) throw new Error(`DELETE /schedules/${id} answered ${res.status}`);
}

/** Lateness of the runs of `schedule` (arrivals whose task id starts with `task-<schedule id>-`), from each one's nominal time. */
function runLateness(ctx: BenchContext, scheduleIds: string[], expected: number): LatenessReport {
  const values: number[] = [];
  let repeated = 0;
  for (const id of scheduleIds) {
    for (const [taskId, arrivals] of ctx.target.arrivals) {
      if (!taskId.startsWith(`task-${id}-`)) continue;
      values.push(arrivals[0] - nominalOfRun(taskId));
      if (arrivals.length > 1) repeated++;
    }
  }
  return { ...summarize(values), early: values.filter((v) => v < 0).length, missing: Math.max(0, expected - values.length), repeated };
}

/**
 * Recurring schedules (Temporal Schedules): a lone schedule firing every second for
 * `loneSeconds`, then `count` schedules all due at one second, `leadMs` after the first is created.
 */
export async function scheduleLateness(
  ctx: BenchContext,
  loneSeconds: number,
  count: number,
  concurrency = 16,
): Promise<ScheduleLatenessResult> {
  ctx.log(`schedules: one every second for ${loneSeconds} s`);
  const lone = await createSchedule(ctx, { everyMs: 1000 });
  const loneStart = Date.now();
  await sleep(loneSeconds * 1000 + 1000);
  await deleteSchedule(ctx, lone);
  await sleep(1000); // a run started just before the delete
  const loneReport = runLateness(ctx, [lone], Math.floor((Date.now() - loneStart) / 1000) - 2);

  const dueAt = Math.ceil((Date.now() + 5_000 + count * 20) / 1000) * 1000;
  ctx.log(`schedules: ${count} due at ${new Date(dueAt).toISOString()}`);
  const started = Date.now();
  const ids = await pool(count, concurrency, () => createSchedule(ctx, { at: [new Date(dueAt).toISOString()] }));
  const creationSeconds = (Date.now() - started) / 1000;
  const deadline = dueAt + 30_000;
  const arrived = () => ids.filter((id) => [...ctx.target.arrivals.keys()].some((taskId) => taskId.startsWith(`task-${id}-`))).length;
  while (arrived() < count && Date.now() < deadline) await sleep(200);
  await sleep(500);
  const report = runLateness(ctx, ids, count);
  await pool(ids.length, concurrency, (i) => deleteSchedule(ctx, ids[i]));
  return { lone: loneReport, sameSecond: { schedules: count, creationSeconds, lastArrivalAfterDueMs: report.max, lateness: report } };
}

export interface BulkJobResult {
  action: 'cancel' | 'retry';
  matched: number;
  done: number;
  failed: number;
  seconds: number;
  perSecond: number;
  /** When the job first showed progress, and how done grew: [seconds since the job was created, done]. */
  firstProgressAfterMs: number;
  progress: Array<[number, number]>;
  cpuPerRunMs: CpuPerFire;
}

export interface BulkResult {
  cancel: BulkJobResult;
  retry: BulkJobResult;
}

/** POSTs a bulk job and reads GET /bulk/{id} every 250 ms until it completes. */
async function bulkJob(ctx: BenchContext, action: 'cancel' | 'retry', filter: Record<string, unknown>): Promise<BulkJobResult> {
  const cpu = measureCpu(ctx.source.processes);
  const started = performance.now();
  const res = await fetch(`${ctx.apiUrl}/tasks/bulk`, {
    method: 'POST',
    headers: { ...ctx.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ action, filter }),
  });
  if (res.status !== 202) throw new Error(`POST /tasks/bulk answered ${res.status}: ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const progress: Array<[number, number]> = [];
  let firstProgressAfterMs = -1;
  for (;;) {
    const job = (await (await fetch(`${ctx.apiUrl}/bulk/${id}`, { headers: ctx.headers })).json()) as {
      status: string;
      matched: number;
      done: number;
      failed: number;
    };
    const at = performance.now() - started;
    if (job.done + job.failed > 0 && firstProgressAfterMs < 0) firstProgressAfterMs = Math.round(at);
    if (progress.at(-1)?.[1] !== job.done) progress.push([Math.round(at / 100) / 10, job.done]);
    if (job.status === 'completed') {
      const seconds = at / 1000;
      const result = {
        action,
        matched: job.matched,
        done: job.done,
        failed: job.failed,
        seconds: Math.round(seconds * 10) / 10,
        perSecond: Math.round((job.done + job.failed) / seconds),
        firstProgressAfterMs,
        progress: everyTenth(progress, job.matched),
        cpuPerRunMs: cpu(job.done + job.failed),
      };
      ctx.log(`bulk ${action}: ${job.done} done, ${job.failed} failed of ${job.matched} in ${result.seconds} s (${result.perSecond}/s)`);
      return result;
    }
    await sleep(250);
  }
}

/** The first reading in each tenth of the way, and the last. */
function everyTenth(progress: Array<[number, number]>, total: number): Array<[number, number]> {
  const tenth = (done: number) => Math.floor((done * 10) / Math.max(1, total));
  return progress.filter(([, done], i) => i === 0 || i === progress.length - 1 || tenth(done) > tenth(progress[i - 1][1]));
}

/**
 * Bulk jobs: `cancelCount` tasks due in 6 h cancelled in one job; then `retryCount` others
 * cancelled and retried in one job (each retry a new task, due now: its call is made).
 */
export async function bulkJobs(ctx: BenchContext, cancelCount: number, retryCount: number): Promise<BulkResult> {
  const dueAt = Date.now() + 6 * 3_600_000;
  const run = Date.now().toString(36);
  const tagged = async (tag: string, count: number) => {
    ctx.log(`bulk: creating ${count} tasks tagged ${tag}`);
    await pool(count, 32, () => createTask(ctx, dueAt, { tags: { bulk: tag } }));
    // Visibility is eventually consistent: a job matches what it lists when created.
    for (;;) {
      const res = await fetch(`${ctx.apiUrl}/tasks/counts?tag=bulk:${tag}`, { headers: ctx.headers });
      if (((await res.json()) as { scheduled: number }).scheduled === count) return;
      await sleep(500);
    }
  };
  await tagged(`c${run}`, cancelCount);
  await settle(ctx.source.processes);
  const cancel = await bulkJob(ctx, 'cancel', { tag: [`bulk:c${run}`] });
  await tagged(`r${run}`, retryCount);
  await bulkJob(ctx, 'cancel', { tag: [`bulk:r${run}`] });
  for (;;) {
    const res = await fetch(`${ctx.apiUrl}/tasks/counts?tag=bulk:r${run}`, { headers: ctx.headers });
    if (((await res.json()) as { cancelled: number }).cancelled === retryCount) break;
    await sleep(500);
  }
  await settle(ctx.source.processes);
  const retry = await bulkJob(ctx, 'retry', { tag: [`bulk:r${run}`], status: 'cancelled' });
  return { cancel, retry };
}
