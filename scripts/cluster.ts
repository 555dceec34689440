/**
 * `npm run cluster`: the production topology on one machine, without Docker. PostgreSQL (the
 * machine's own binaries, an instance of its own under data/cluster/), the real Temporal server
 * built from the Go module proxy at the version docker-compose.yml pins, its four services as
 * separate processes, the Web UI, two workers and two API replicas sharing `npm start`'s secrets.
 * Prints what is where; Ctrl-C stops everything in order (APIs, workers, Temporal, PostgreSQL).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { appEnvironment, localApiUrl } from '../libs/runtime/app-environment';
import { spawnApp, stopProcess, waitForHttpOk } from '../libs/runtime/app-process';
import { loadClusterSettings, loadConfig, type ClusterSettings } from '../libs/runtime/config';
import { projectRoot } from '../libs/runtime/paths';
import { TEMPORAL_SERVER_VERSION } from '../libs/runtime/temporal-binaries';
import { waitForWorkerPolling } from '../libs/runtime/worker-polling';
import { readyLine } from './start';
import {
  CLUSTER_STATE_FILE_NAME,
  clusterPorts,
  startTemporalCluster,
  type ClusterPorts,
  type ClusterState,
  type RunningTemporalCluster,
} from '../libs/runtime/temporal-cluster';

const root = projectRoot();
const dataDir = join(root, 'data');
/** Where the cluster keeps its state; the secrets stay in data/, shared with `npm start` and `npm run token`. */
const clusterDir = join(dataDir, 'cluster');
/** What the bench (and a person) can read about the running cluster: addresses, metrics, process ids. */
const CLUSTER_STATE_FILE = join(clusterDir, CLUSTER_STATE_FILE_NAME);
const REPLICAS = 2;
const startedAt = Date.now();
/** When `npm run cluster` began, before its build (package.json sets it). */
const requestedAt = Number(process.env.START_REQUESTED_AT_MS) || undefined;

let cluster: RunningTemporalCluster | null = null;
const apis: ChildProcess[] = [];
const workers: ChildProcess[] = [];
let stopping = false;

/** Stops the APIs, then the workers (they drain and hand their held calls back), then Temporal and PostgreSQL. */
async function stop(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.exitCode = exitCode;
  rmSync(CLUSTER_STATE_FILE, { force: true });
  console.log('cluster: stopping the API replicas ...');
  await Promise.all(apis.map((child) => stopProcess(child)));
  console.log('cluster: stopping the workers (calls in flight finish, held calls are handed back) ...');
  await Promise.all(workers.map((child) => stopProcess(child)));
  if (cluster) {
    console.log("cluster: stopping Temporal's services and PostgreSQL ...");
    await cluster.stop();
  }
  console.log('cluster: stopped');
}

/** Every port of the running system: Temporal's services, PostgreSQL, the UI, the APIs, the workers' metrics. */
function systemPorts(ports: ClusterPorts, settings: ClusterSettings): number[] {
  return [
    ...Object.values(ports.grpc),
    ...Object.values(ports.membership),
    ...Object.values(ports.metrics),
    ports.frontendHttp,
    ports.postgres,
    ...(ports.ui ? [ports.ui] : []),
    ...Array.from({ length: REPLICAS }, (_, i) => settings.apiPort + i),
    ...Array.from({ length: REPLICAS }, (_, i) => settings.workerMetricsPort + i),
  ];
}

async function main(): Promise<void> {
  const settings = loadClusterSettings();
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  const log = (line: string) => console.log(`cluster: ${line}`);
  const ports = clusterPorts(settings.temporalPort, settings.postgresPort, settings.uiPort || null);
  const env = appEnvironment(root, dataDir);
  const apiUrls = Array.from({ length: REPLICAS }, (_, i) => localApiUrl(env.API_HOST, settings.apiPort + i));
  // Calls never reach the system's own ports (every loopback one is allowed otherwise): Temporal's
  // services (the frontend's HTTP API serves every user's history), PostgreSQL, the UI, the APIs
  // and the workers' metrics.
  env.OUTBOUND_DENY = [env.OUTBOUND_DENY, ...systemPorts(ports, settings).map((port) => `127.0.0.1:${port}`)].filter(Boolean).join(',');
  cluster = await startTemporalCluster({
    dataDir: clusterDir,
    ports,
    namespace: process.env.TEMPORAL_NAMESPACE?.trim() || 'default',
    retentionMs: settings.retentionMs,
    historyShards: settings.historyShards,
    logLevel: settings.logLevel,
    // Its Web UI decodes payloads through the first API replica's codec server (for a signed-in admin).
    uiCodecEndpoint: `${apiUrls[0]}/codec`,
    log,
  });
  if (stopping) return;

  env.TEMPORAL_ADDRESS = cluster.address;
  env.TEMPORAL_NAMESPACE = cluster.namespace;
  if (cluster.uiUrl) env.TEMPORAL_UI_URL ??= cluster.uiUrl;
  // Each replica plans its own wakes and their rates add up: the replicas share one API's budget.
  env.DISPATCH_WAKES_PER_SECOND ??= String(Math.max(1, Math.floor(loadConfig({}).dispatch.wakesPerSecond / REPLICAS)));
  const apiEnvs = Array.from({ length: REPLICAS }, (_, i) => ({ ...env, API_PORT: String(settings.apiPort + i) }));
  const workerEnvs = Array.from({ length: REPLICAS }, (_, i) => ({
    ...env,
    WORKER_METRICS_HOST: '127.0.0.1',
    WORKER_METRICS_PORT: String(settings.workerMetricsPort + i),
  }));
  // Fail here, once, with every bad variable named.
  const config = loadConfig(apiEnvs[0]);
  for (const e of [...apiEnvs.slice(1), ...workerEnvs]) loadConfig(e);

  workerEnvs.forEach((e, i) => workers.push(spawnApp('worker', e, 'prefixed', `worker-${i + 1}`)));
  apiEnvs.forEach((e, i) => apis.push(spawnApp('api', e, 'prefixed', `api-${i + 1}`)));
  for (const [name, child] of [
    ...workers.map((c, i) => [`worker-${i + 1}`, c] as const),
    ...apis.map((c, i) => [`api-${i + 1}`, c] as const),
  ]) {
    child.once('exit', (code, signal) => {
      // A replica may die: the others carry on (that is the point of replicas); Ctrl-C still stops all.
      if (!stopping) console.error(`cluster: ${name} exited (code ${code}, signal ${signal}); the other replicas keep running`);
    });
  }
  await Promise.all([
    ...apiUrls.map((url, i) => waitForHttpOk(`${url}/health`, apis[i])),
    ...workers.map((child) =>
      waitForWorkerPolling(child, { address: cluster!.address, namespace: cluster!.namespace, taskQueue: config.temporal.taskQueue }),
    ),
  ]);

  const pids: Record<string, number> = { ...cluster.pids() };
  workers.forEach((c, i) => (pids[`worker-${i + 1}`] = c.pid!));
  apis.forEach((c, i) => (pids[`api-${i + 1}`] = c.pid!));
  const state: ClusterState = {
    address: cluster.address,
    namespace: cluster.namespace,
    uiUrl: cluster.uiUrl,
    apiUrls,
    metricsUrls: cluster.metricsUrls,
    pids,
  };
  writeFileSync(CLUSTER_STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);

  const postgresVersion = readFileSync(join(clusterDir, 'postgres', 'PG_VERSION'), 'utf8').trim();
  const rel = (path: string) => relative(process.cwd(), path) || '.';
  const { grpc, metrics } = ports;
  console.log(
    [
      '',
      `${readyLine(startedAt, Date.now(), requestedAt)} a Temporal ${TEMPORAL_SERVER_VERSION} cluster on PostgreSQL ${postgresVersion}, ${settings.historyShards} history shards`,
      `  API replicas   ${apiUrls.join('  ')}   (dashboard at /, Swagger UI at /docs)`,
      `  Workers        ${workers.length} (metrics ${workerEnvs.map((e) => `http://127.0.0.1:${e.WORKER_METRICS_PORT}/metrics`).join(', ')})`,
      `  Temporal UI    ${cluster.uiUrl ?? '(none: CLUSTER_UI_PORT=0)'}`,
      `  Temporal gRPC  ${cluster.address} (namespace ${cluster.namespace}, task queue ${config.temporal.taskQueue})`,
      `  Services       frontend :${grpc.frontend}, history :${grpc.history}, matching :${grpc.matching}, worker :${grpc.worker}; metrics :${metrics.frontend}-${metrics.worker}/metrics`,
      `  PostgreSQL     127.0.0.1:${ports.postgres} (${rel(join(clusterDir, 'postgres'))})`,
      `  Logs           ${rel(join(clusterDir, 'logs'))}/ (Temporal's services, the UI, PostgreSQL)`,
      env.JWT_SECRET
        ? '  A token        TOKEN=$(npm run -s token -- --sub alice)   (good on both replicas)'
        : '  Tokens         from your identity provider (JWT_ISSUER / JWT_JWKS_URL)',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

if (require.main === module) {
  main().catch(async (err: unknown) => {
    console.error('cluster: failed:', err instanceof Error ? err.message : err);
    await stop(1);
  });
}
