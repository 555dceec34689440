import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { status as grpcStatus } from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { stopProcess } from './app-process';
import { SERVER_DYNAMIC_CONFIG } from './dev-server';
import { ensureGoProgram, goModuleDir, TEMPORAL_SERVER, TEMPORAL_UI_SERVER } from './go-programs';
import { startPostgres, type RunningPostgres } from './postgres';
import { SearchAttr } from '../../common';
import { registerSearchAttributes } from './search-attributes';

/**
 * What `npm run cluster` writes into its data folder while it runs (`cluster.json`), for the
 * bench and for people: where the cluster is and which processes it runs.
 */
export interface ClusterState {
  address: string;
  namespace: string;
  uiUrl: string | null;
  apiUrls: string[];
  metricsUrls: Record<string, string>;
  /** Process ids by role: Temporal's services, `postgres` (the postmaster), `ui`, `worker-1`, `api-1`, ... */
  pids: Record<string, number>;
}
export const CLUSTER_STATE_FILE_NAME = 'cluster.json';

/** Temporal's four services, each run as a process of its own. */
export const TEMPORAL_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/** Where everything of a cluster listens (all on 127.0.0.1). */
export interface ClusterPorts {
  postgres: number;
  /** gRPC of each service; the frontend's is the cluster's address. */
  grpc: Record<TemporalService, number>;
  membership: Record<TemporalService, number>;
  /** Each service's Prometheus endpoint (`/metrics`). */
  metrics: Record<TemporalService, number>;
  /** The frontend's HTTP API. */
  frontendHttp: number;
  /** The Web UI; null = none. */
  ui: number | null;
}

/** The ports of a cluster whose frontend listens on `base`: the other services on the ports after it. */
export function clusterPorts(base: number, postgres: number, ui: number | null): ClusterPorts {
  const each = (offset: number) =>
    Object.fromEntries(TEMPORAL_SERVICES.map((service, i) => [service, base + offset + i])) as Record<TemporalService, number>;
  return { postgres, grpc: each(0), frontendHttp: base + 4, membership: each(10), metrics: each(20), ui };
}

export interface TemporalClusterOptions {
  /** State and logs: PostgreSQL's data, the generated config, the services' logs. */
  dataDir: string;
  ports: ClusterPorts;
  namespace: string;
  /** How long closed workflows stay readable. */
  retentionMs: number;
  /** History shards (a shard is the unit history work is spread over). */
  historyShards: number;
  /** The services' log level. */
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The Web UI's codec server (the API's /codec), if any. */
  uiCodecEndpoint?: string;
  /** Progress lines. */
  log: (line: string) => void;
}

export interface RunningTemporalCluster {
  /** host:port of the frontend. */
  address: string;
  namespace: string;
  uiUrl: string | null;
  /** The services' Prometheus endpoints. */
  metricsUrls: Record<TemporalService, string>;
  /** The running processes, by role (Temporal's services, the UI server); PostgreSQL's postmaster under `postgres`. */
  pids(): Record<string, number>;
  logFile(role: TemporalService | 'ui' | 'postgres'): string;
  /** kill -9 of one service (fault tests). */
  kill(service: TemporalService): Promise<void>;
  /** Starts a service that was killed or stopped, and waits until it answers. */
  start(service: TemporalService): Promise<void>;
  /** Stops the UI, the services (frontend first) and PostgreSQL. */
  stop(): Promise<void>;
}

/** SQL databases of the cluster, with the schema folders of the module's PostgreSQL schema. */
const DATABASES = [
  { name: 'temporal', schema: 'temporal' },
  { name: 'temporal_visibility', schema: 'visibility' },
] as const;

/**
 * Settings the cluster adds to SERVER_DYNAMIC_CONFIG (the dev server's): Temporal's own
 * development default for the id length (the dev server has it too).
 */
const CLUSTER_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = { 'limit.maxIDLength': 255 };

/** The dynamic config file's content: key -> [{ value, constraints }] (JSON, which is YAML). */
export function clusterDynamicConfig(): Record<string, Array<{ value: unknown; constraints: Record<string, never> }>> {
  return Object.fromEntries(
    Object.entries({ ...SERVER_DYNAMIC_CONFIG, ...CLUSTER_DYNAMIC_CONFIG }).map(([key, value]) => [key, [{ value, constraints: {} }]]),
  );
}

/** How long a service may take to stop on SIGTERM (history hands its shards over) before SIGKILL. */
const SERVICE_STOP_GRACE_MS = 15_000;

/**
 * Builds the Temporal server from the Go module proxy (first run only), starts PostgreSQL, sets
 * up the schema with Temporal's SQL tool, and runs the four services as separate processes;
 * registers the namespace and the search attributes before the history service first starts,
 * so that it sees them from its first workflow task; then the Web UI.
 */
export async function startTemporalCluster(options: TemporalClusterOptions): Promise<RunningTemporalCluster> {
  const { dataDir, ports, log } = options;
  const logsDir = join(dataDir, 'logs');
  const configDir = join(dataDir, 'temporal');
  mkdirSync(logsDir, { recursive: true });
  mkdirSync(configDir, { recursive: true, mode: 0o700 });

  const serverBin = await ensureGoProgram(TEMPORAL_SERVER, log);
  const uiBin = ports.ui === null ? null : await ensureGoProgram(TEMPORAL_UI_SERVER, log);

  const postgres = startPostgres({
    dataDir: join(dataDir, 'postgres'),
    logFile: join(logsDir, 'postgres.log'),
    port: ports.postgres,
    user: 'temporal',
    passwordFile: join(dataDir, 'postgres-password'),
  });
  const processes = new Map<string, ChildProcess>();
  const logFile = (role: string) => join(logsDir, `${role}.log`);
  const address = `127.0.0.1:${ports.grpc.frontend}`;
  const stopAll = async () => {
    // The worker service's system workers go through the frontend: they stop first.
    const order: string[] = ['ui', 'worker', 'frontend', 'matching', 'history'];
    for (const role of order) {
      const child = processes.get(role);
      processes.delete(role);
      if (child) await stopProcess(child, 'SIGTERM', SERVICE_STOP_GRACE_MS);
    }
    postgres.stop();
  };
  try {
    await setUpSchema(join(serverBin, 'sql'), postgres);
    const dynamicConfigFile = join(configDir, 'dynamicconfig.yaml');
    writeFileSync(dynamicConfigFile, `${JSON.stringify(clusterDynamicConfig(), null, 2)}\n`);
    for (const service of TEMPORAL_SERVICES) {
      writeFileSync(
        join(configDir, `${service}.yaml`),
        `${JSON.stringify(serviceConfig(service, options, postgres, dynamicConfigFile), null, 2)}\n`,
        {
          mode: 0o600,
        },
      );
    }
    const startService = async (service: TemporalService) => {
      processes.set(service, spawnLogged(join(serverBin, 'server'), serviceArgs(configDir, service), logFile(service)));
      await waitUntilServing(address, options.namespace, service, processes.get(service)!, logFile(service));
    };

    await startService('frontend');
    await registerNamespace(address, options, log);
    for (const service of ['history', 'matching', 'worker'] as const) await startService(service);

    if (uiBin && ports.ui !== null) {
      const uiDir = join(dataDir, 'ui');
      mkdirSync(uiDir, { recursive: true });
      writeFileSync(join(uiDir, 'development.yaml'), `${JSON.stringify(uiConfig(options, address), null, 2)}\n`);
      processes.set(
        'ui',
        spawnLogged(join(uiBin, 'server'), ['--root', uiDir, '--config', '.', '--env', 'development', 'start'], logFile('ui')),
      );
      await waitForHttp(`http://127.0.0.1:${ports.ui}/`, processes.get('ui')!, logFile('ui'));
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  return {
    address,
    namespace: options.namespace,
    uiUrl: ports.ui === null ? null : `http://127.0.0.1:${ports.ui}`,
    metricsUrls: Object.fromEntries(TEMPORAL_SERVICES.map((s) => [s, `http://127.0.0.1:${ports.metrics[s]}/metrics`])) as Record<
      TemporalService,
      string
    >,
    pids: () => ({
      ...Object.fromEntries(
        [...processes].filter(([, child]) => child.pid && child.exitCode === null).map(([role, child]) => [role, child.pid!]),
      ),
      postgres: postgres.pid,
    }),
    logFile,
    kill: async (service) => {
      const child = processes.get(service);
      processes.delete(service);
      if (child) await stopProcess(child, 'SIGKILL');
    },
    start: async (service) => {
      if (processes.has(service)) throw new Error(`the ${service} service is already running`);
      processes.set(service, spawnLogged(join(serverBin, 'server'), serviceArgs(configDir, service), logFile(service)));
      await waitUntilServing(address, options.namespace, service, processes.get(service)!, logFile(service));
    },
    stop: stopAll,
  };
}

function serviceArgs(configDir: string, service: TemporalService): string[] {
  return ['--config-file', join(configDir, `${service}.yaml`), '--allow-no-auth', 'start', '--service', service];
}

/** A process whose output (stdout and stderr) is appended to `file`. */
function spawnLogged(command: string, args: string[], file: string): ChildProcess {
  const fd = openSync(file, 'a');
  try {
    return spawn(command, args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}

/**
 * The server config of one service's process: PostgreSQL for both stores, every service's
 * ports (membership finds the others through them), this process's own metrics endpoint.
 * Written as JSON, which the server's YAML reader takes as it is.
 */
function serviceConfig(service: TemporalService, options: TemporalClusterOptions, postgres: RunningPostgres, dynamicConfigFile: string) {
  const { ports } = options;
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: postgres.address,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  return {
    log: { stdout: true, level: options.logLevel },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: options.historyShards,
      datastores: { default: sql('temporal', 20), visibility: sql('temporal_visibility', 5) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${ports.metrics[service]}` } },
    },
    services: Object.fromEntries(
      TEMPORAL_SERVICES.map((s) => [
        s,
        {
          rpc: {
            grpcPort: ports.grpc[s],
            membershipPort: ports.membership[s],
            bindOnLocalHost: true,
            ...(s === 'frontend' ? { httpPort: ports.frontendHttp } : {}),
          },
        },
      ]),
    ),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.grpc.frontend}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
}

/** The Web UI server's config (its `development.yaml`). */
function uiConfig(options: TemporalClusterOptions, address: string) {
  return {
    temporalGrpcAddress: address,
    host: '127.0.0.1',
    port: options.ports.ui,
    publicPath: '',
    enableUi: true,
    defaultNamespace: options.namespace,
    disableNewsFetch: true,
    refreshInterval: '1m',
    cors: { allowOrigins: [], cookieInsecure: true },
    codec: { endpoint: options.uiCodecEndpoint ?? '', passAccessToken: false, includeCredentials: Boolean(options.uiCodecEndpoint) },
    forwardHeaders: ['X-Forwarded-For'],
  };
}

/**
 * The two databases and their schema, by Temporal's SQL tool from the schema files that ship in
 * the server's module. Every step is idempotent (an existing database is kept, a schema already
 * set up is left as it is), so it runs on every start: a no-op when current, the upgrade after a
 * version change.
 */
async function setUpSchema(sqlTool: string, postgres: RunningPostgres): Promise<void> {
  const schemaRoot = join(goModuleDir(TEMPORAL_SERVER), 'schema', 'postgresql', 'v12');
  const [host, port] = postgres.address.split(':');
  await Promise.all(
    DATABASES.map(async (db) => {
      const sql = (...args: string[]) =>
        runTool(sqlTool, ['--plugin', 'postgres12', '--ep', host, '-p', port, '-u', postgres.user, '--db', db.name, ...args], {
          SQL_PASSWORD: postgres.password,
        });
      await sql('create');
      await sql('setup-schema', '-v', '0.0');
      await sql('update-schema', '-d', join(schemaRoot, db.schema, 'versioned'));
    }),
  );
}

function runTool(command: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      if (err)
        reject(
          new Error(`${command} ${args.join(' ')} failed: ${(stderr || stdout || err.message).trim().split('\n').slice(-5).join('\n')}`),
        );
      else resolve();
    });
  });
}

/** Registers the namespace (when missing) and the search attributes, through the frontend. */
async function registerNamespace(address: string, options: TemporalClusterOptions, log: (line: string) => void): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const { namespace } = options;
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== grpcStatus.NOT_FOUND) throw err;
      log(`registering namespace ${namespace} ...`);
      await connection.workflowService.registerNamespace(
        // fromObject takes the retention's seconds as a plain number (the field is a Long).
        temporal.api.workflowservice.v1.RegisterNamespaceRequest.fromObject({
          namespace,
          workflowExecutionRetentionPeriod: { seconds: Math.floor(options.retentionMs / 1000) },
        }),
      );
    }
    // The frontend learns of a new namespace, and of its search attributes, when its namespace
    // cache refreshes (every 10 s): wait for both, so that the apps' first queries find them.
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await registerSearchAttributes(connection, namespace);
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
        const registered = Object.keys(customAttributes ?? {});
        if (Object.values(SearchAttr).every(({ name }) => registered.includes(name))) return;
      } catch (err) {
        if ((err as { code?: number }).code !== grpcStatus.NOT_FOUND || Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`the search attributes of namespace ${namespace} did not show up within 60 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await connection.close();
  }
}

/**
 * Waits until `service` answers through the frontend: the frontend itself (system info), the
 * history service (a workflow that does not exist is "not found", not "unavailable"), matching
 * (a task queue's description), the worker service (its process is up: it has no call of its own).
 */
async function waitUntilServing(
  address: string,
  namespace: string,
  service: TemporalService,
  child: ChildProcess,
  logFile: string,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `the ${service} service exited (${child.exitCode ?? child.signalCode}); the end of ${logFile}:\n${tailOf(logFile, 8)}`,
      );
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        if (await serviceAnswers(connection, namespace, service)) return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the ${service} service did not answer within ${timeoutMs} ms (see ${logFile})`, { cause: lastError });
}

async function serviceAnswers(connection: Connection, namespace: string, service: TemporalService): Promise<boolean> {
  const svc = connection.workflowService;
  switch (service) {
    case 'frontend':
      await svc.getSystemInfo({});
      return true;
    case 'history':
      try {
        await svc.describeWorkflowExecution({ namespace, execution: { workflowId: 'cluster-readiness-probe' } });
        return true;
      } catch (err) {
        return (err as { code?: number }).code === grpcStatus.NOT_FOUND;
      }
    case 'matching':
      await svc.describeTaskQueue({ namespace, taskQueue: { name: 'cluster-readiness-probe' }, taskQueueType: 1 });
      return true;
    case 'worker':
      return true;
  }
}

async function waitForHttp(url: string, child: ChildProcess, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}'s server exited (${child.exitCode}); see ${logFile}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (see ${logFile})`);
}

/** A log file's last lines, for error messages: of the services' JSON lines, level, message and error only. */
export function tailOf(file: string, lines = 20): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(-lines)
    .map((line) => {
      try {
        const { level, msg, error } = JSON.parse(line) as { level?: string; msg?: string; error?: string };
        return `  ${level ?? ''}: ${msg ?? ''}${error ? ` (${error})` : ''}`;
      } catch {
        return `  ${line.slice(0, 300)}`;
      }
    })
    .join('\n');
}
