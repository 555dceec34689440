import { DEFAULT_TASK_QUEUE } from '../../common';
import { parsePayloadKeys, type PayloadKeyRing } from '../codec';
import { parseOutboundPolicy, withDeniedEndpoints, type OutboundPolicy } from '../outbound';
import type { LogConfig } from '../observability/logger';
import { readAuthConfig, type AuthConfig } from './auth-config';

/** The whole configuration of the API and the worker, validated once at start-up. */
export interface AppConfig {
  temporal: {
    /** host:port of the Temporal frontend. */
    address: string;
    namespace: string;
    taskQueue: string;
  };
  api: {
    host: string;
    port: number;
    /** Request bodies above this size are answered with 413. */
    bodyLimitBytes: number;
    /** Creations (POST of a task, orchestration or schedule) each user may make per second, sustained. */
    createRatePerSecond: number;
    /** How many creations a user may make at once above the sustained rate. */
    createBurst: number;
    /** The Temporal Web UI, for links from the dashboard to each resource's history; null = none. */
    temporalUiUrl: string | null;
    /** Where clients reach the API (resume URLs are made on it); null = the address each request came to. */
    publicUrl: string | null;
    /**
     * The dashboard's one-click development sign-in (any name, no password): only with the
     * embedded HS256 secret, only when API_DEV_SIGN_IN=true (npm start sets it), and only while
     * the API listens on loopback alone (a configuration error otherwise).
     */
    devSignIn: boolean;
    /** OIDC_CLIENT_ID: the dashboard signs people in at JWT_ISSUER with this public client (authorization code + PKCE); null = paste a token. */
    oidcClientId: string | null;
  };
  /** How tasks due at the same time are woken ahead of it (see WakeCalendar). */
  dispatch: {
    /** Task wakes each API process plans into any one second; more wake earlier and hold their calls. */
    wakesPerSecond: number;
    /** The earliest a task wakes before its due time. */
    maxLeadMs: number;
  };
  /** How callers authenticate; null when no JWT_* variable is set (the API refuses to start then, the worker needs none). */
  auth: AuthConfig | null;
  /**
   * Destinations calls may go to beyond public unicast addresses (OUTBOUND_ALLOW_CIDRS), and the
   * endpoints they never may (the system's own: Temporal, its Web UI, the API, the worker's
   * metrics; and OUTBOUND_DENY).
   */
  outbound: OutboundPolicy;
  /** PAYLOAD_KEYS: the keys of the payload codec, newest first; null when unset (the API and the worker refuse to start then). */
  payloadKeys: PayloadKeyRing | null;
  /**
   * Lambda functions (LAMBDA_ALLOW) and SQS queues (SQS_ALLOW) a caller may target: ARN or name
   * globs, `{owner}` standing for the caller's sub. Empty: none (the production default).
   */
  targets: { lambda: readonly string[]; sqs: readonly string[] };
  /** What one owner may leave open at once (0 = no limit); past it, creation is refused. */
  quotas: { openTasks: number; openOrchestrations: number; schedules: number };
  log: LogConfig;
  worker: {
    /** Activity slots: calls in flight and calls held until due. */
    maxConcurrentActivities: number;
    /** Local activity slots: calls held for their last moments and made. */
    maxConcurrentLocalActivities: number;
    maxConcurrentWorkflowTasks: number;
    /** Workflows kept in the worker's cache; null = the SDK's default (from the heap size). */
    maxCachedWorkflows: number;
    /** Prebuilt workflow bundle (production); null = bundle `workflows/` at start (development). */
    workflowBundlePath: string | null;
    /** host:port of the worker's Prometheus endpoint (`/metrics`); null = none. */
    metricsAddress: string | null;
    /** How often the worker tells the server it is alive (a worker heartbeat: in memory on the server, no write). */
    heartbeatIntervalMs: number;
    /**
     * A peer whose worker heartbeat stopped this long is dead: a live worker has its held calls
     * dispatched again (apps/worker/src/held-call-adopter.ts); null = never (the server's 180 s
     * heartbeat timeout of each held call still applies).
     */
    deadAfterMs: number | null;
  };
  http: {
    /**
     * Master Standard Webhooks secret (`whsec_<base64>`): each owner's signing secret is derived
     * from it. Required by the worker (it signs) and the API (it tells each user theirs).
     */
    webhookSecret: string | null;
    /** Response bodies kept in results are cut to this many bytes. */
    responseBodyLimitBytes: number;
    userAgent: string;
    /** Connections the worker keeps open to any one origin (host:port); more calls at once wait for one. */
    connectionsPerOrigin: number;
  };
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;

/** Why the API and the worker refuse to start without payload keys: nothing goes into Temporal in the clear. */
export const PAYLOAD_KEYS_REQUIRED =
  'PAYLOAD_KEYS is required: everything written to Temporal is encrypted with it (<id>:<base64 of 32 bytes>, newest first; npm start makes data/payload-keys)';

/** A configuration that cannot run; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the configuration from environment variables (README, "Configuration").
 * @throws ConfigError naming every bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const { text, integer, bool, oneOf } = envReader(env, problems);
  const metricsPort = integer('WORKER_METRICS_PORT', 9464, 0, 65_535);
  // The SDK accepts worker heartbeats every 1 to 60 s.
  const heartbeatIntervalMs = integer('WORKER_HEARTBEAT_INTERVAL_MS', 1_000, 1_000, 60_000);
  const deadAfterMs = integer('WORKER_DEAD_AFTER_MS', 4_000, 0, 600_000);
  // Two heartbeats may be late without the worker being taken for dead, and its lease (1 s shorter) must hold between them.
  if (deadAfterMs !== 0 && deadAfterMs < 3 * heartbeatIntervalMs + 1_000) {
    problems.push(
      `WORKER_DEAD_AFTER_MS must be 0 (never adopt) or at least 3 x WORKER_HEARTBEAT_INTERVAL_MS + 1000 (${3 * heartbeatIntervalMs + 1_000}), got "${deadAfterMs}"`,
    );
  }

  const address = text('TEMPORAL_ADDRESS', '127.0.0.1:7233');
  if (!/^[^\s:]+:\d{1,5}$/.test(address)) problems.push(`TEMPORAL_ADDRESS must be host:port, got "${address}"`);
  const webhookSecret = env.WEBHOOK_SECRET?.trim() || null;
  const outbound = parseOutboundPolicy(env.OUTBOUND_ALLOW_CIDRS, env.OUTBOUND_DENY);
  problems.push(...outbound.problems);
  const auth = readAuthConfig(env, problems);
  const publicUrl = env.API_PUBLIC_URL?.trim() || null;
  if (publicUrl && !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/i.test(publicUrl)) {
    problems.push(`API_PUBLIC_URL must be an http or https URL without query or fragment, got "${publicUrl}"`);
  }
  if (webhookSecret && !/^(whsec_)?[A-Za-z0-9+/]{22,}={0,2}$/.test(webhookSecret)) {
    problems.push('WEBHOOK_SECRET must be whsec_ followed by base64 of at least 16 bytes');
  }
  const payloadKeys = parsePayloadKeys(env.PAYLOAD_KEYS);
  problems.push(...payloadKeys.problems);
  const apiHost = text('API_HOST', '0.0.0.0');
  const apiPort = integer('API_PORT', 3000, 0, 65_535);
  const devSignIn = bool('API_DEV_SIGN_IN', false);
  // Anyone who reaches the API could mint an admin token with one request.
  if (devSignIn && !isLoopbackHost(apiHost)) {
    problems.push(`API_DEV_SIGN_IN=true needs the API to listen on loopback alone (API_HOST=127.0.0.1), not on "${apiHost}"`);
  }
  const oidcClientId = env.OIDC_CLIENT_ID?.trim() || null;
  if (oidcClientId !== null && !(auth?.mode === 'jwks' && auth.issuer !== null)) {
    problems.push('OIDC_CLIENT_ID needs JWT_ISSUER: the dashboard finds the provider by its discovery document');
  }
  const metricsHost = text('WORKER_METRICS_HOST', '0.0.0.0');
  const uiUrl = env.TEMPORAL_UI_URL?.trim() || null;
  // The system's own endpoints: a call must never reach Temporal (its history holds every
  // user's input), its Web UI (which proxies Temporal's API), the API or the worker's metrics.
  const ownEndpoints = [address, ...(uiUrl ? [uiUrl] : []), ...(apiPort ? [`${bracketed(apiHost)}:${apiPort}`] : [])];
  if (metricsPort !== 0) ownEndpoints.push(`${bracketed(metricsHost)}:${metricsPort}`);

  const config: AppConfig = {
    temporal: {
      address,
      namespace: text('TEMPORAL_NAMESPACE', 'default'),
      taskQueue: text('TEMPORAL_TASK_QUEUE', DEFAULT_TASK_QUEUE),
    },
    api: {
      host: apiHost,
      port: apiPort,
      bodyLimitBytes: integer('API_BODY_LIMIT_BYTES', 256 * 1024, 1024, 64 * 1024 * 1024),
      createRatePerSecond: integer('API_CREATE_RATE_PER_SECOND', 200, 1, 1_000_000),
      createBurst: integer('API_CREATE_BURST', 400, 1, 1_000_000),
      temporalUiUrl: uiUrl,
      publicUrl,
      devSignIn,
      oidcClientId,
    },
    dispatch: {
      wakesPerSecond: integer('DISPATCH_WAKES_PER_SECOND', 40, 1, 100_000),
      maxLeadMs: integer('DISPATCH_MAX_LEAD_MS', 15 * 60_000, 0, 24 * 3_600_000),
    },
    auth,
    outbound: withDeniedEndpoints(outbound.policy, ownEndpoints),
    payloadKeys: payloadKeys.ring,
    targets: { lambda: globList(env.LAMBDA_ALLOW), sqs: globList(env.SQS_ALLOW) },
    quotas: {
      openTasks: integer('QUOTA_OPEN_TASKS', 100_000, 0, 100_000_000),
      openOrchestrations: integer('QUOTA_OPEN_ORCHESTRATIONS', 10_000, 0, 100_000_000),
      schedules: integer('QUOTA_SCHEDULES', 1_000, 0, 100_000_000),
    },
    log: { level: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'), format: oneOf('LOG_FORMAT', ['json', 'pretty'] as const, 'json') },
    worker: {
      maxConcurrentActivities: integer('WORKER_MAX_CONCURRENT_ACTIVITIES', 20_000, 1, 1_000_000),
      maxConcurrentLocalActivities: integer('WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES', 1_000, 1, 1_000_000),
      maxConcurrentWorkflowTasks: integer('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 100, 2, 10_000),
      // A cached workflow costs the worker about 0.4 MB (measured: RSS grew 16 MB/s while held
      // calls dispatched at 40/s filled the SDK's default cache of 2,310, sized from the heap
      // limit, and reached 2.2 GB in a 10,000 burst). A held call needs no cached workflow: its
      // completion replays a short history. 0 turns the cache off.
      maxCachedWorkflows: integer('WORKER_MAX_CACHED_WORKFLOWS', 250, 0, 1_000_000),
      workflowBundlePath: env.WORKFLOW_BUNDLE_PATH?.trim() || null,
      metricsAddress: metricsPort === 0 ? null : `${metricsHost}:${metricsPort}`,
      heartbeatIntervalMs,
      deadAfterMs: deadAfterMs === 0 ? null : deadAfterMs,
    },
    http: {
      webhookSecret,
      responseBodyLimitBytes: integer('RESPONSE_BODY_LIMIT_BYTES', 4096, 0, 1024 * 1024),
      userAgent: text('HTTP_USER_AGENT', 'temporal-http-scheduler/0.1'),
      connectionsPerOrigin: integer('HTTP_CONNECTIONS_PER_ORIGIN', 128, 1, 100_000),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Readers of environment variables that note every bad value in `problems` and fall back to the default. */
function envReader(env: NodeJS.ProcessEnv, problems: string[]) {
  const text = (name: string, fallback: string): string => {
    const value = env[name]?.trim();
    return value ? value : fallback;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (!raw) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
    return fallback;
  };
  return { text, integer, bool, oneOf };
}

/** `npm run cluster`'s own settings (README, "Scale-out"). */
export interface ClusterSettings {
  /** The Temporal frontend's gRPC port; the other services use the 23 ports after it. */
  temporalPort: number;
  /** The Web UI; 0 = none. */
  uiPort: number;
  postgresPort: number;
  /** The first API replica's port; the second listens on the next one. */
  apiPort: number;
  /** The first worker's metrics port; the second's is the next one. */
  workerMetricsPort: number;
  historyShards: number;
  /** How long finished runs stay readable in the namespace it creates. */
  retentionMs: number;
  /** The Temporal services' log level (their logs go to files). */
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** Ports a cluster's Temporal services take from CLUSTER_TEMPORAL_PORT on (gRPC, HTTP, membership, metrics). */
export const CLUSTER_TEMPORAL_PORT_SPAN = 24;

/**
 * Reads `npm run cluster`'s variables. The defaults stay clear of the dev server's (7233, 8233),
 * PostgreSQL's (5432) and `npm start`'s worker metrics (9464), so both can run side by side.
 * @throws ConfigError naming every bad variable, and ports that overlap.
 */
export function loadClusterSettings(env: NodeJS.ProcessEnv = process.env): ClusterSettings {
  const problems: string[] = [];
  const { text, integer, oneOf } = envReader(env, problems);
  const retention = text('TEMPORAL_NAMESPACE_RETENTION', '168h');
  const retentionHours = /^\d+h$/.test(retention) ? Number(retention.slice(0, -1)) : NaN;
  if (!(retentionHours >= 1 && retentionHours <= 87_600))
    problems.push(`TEMPORAL_NAMESPACE_RETENTION must be hours such as 168h (1h to 87600h), got "${retention}"`);
  const settings: ClusterSettings = {
    // Temporal keeps each service's membership port in a 16-bit signed column: all of them below 32768.
    temporalPort: integer('CLUSTER_TEMPORAL_PORT', 7333, 1024, 32_767 - CLUSTER_TEMPORAL_PORT_SPAN + 1),
    uiPort: integer('CLUSTER_UI_PORT', 8333, 0, 65_535),
    postgresPort: integer('CLUSTER_POSTGRES_PORT', 5433, 1024, 65_535),
    apiPort: integer('CLUSTER_API_PORT', 3000, 1024, 65_534),
    workerMetricsPort: integer('CLUSTER_WORKER_METRICS_PORT', 9465, 1024, 65_534),
    historyShards: integer('CLUSTER_HISTORY_SHARDS', 4, 1, 16_384),
    retentionMs: (retentionHours || 168) * 3_600_000,
    logLevel: oneOf('CLUSTER_TEMPORAL_LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'warn'),
  };
  const taken: Array<[string, number, number]> = [
    ['CLUSTER_TEMPORAL_PORT', settings.temporalPort, settings.temporalPort + CLUSTER_TEMPORAL_PORT_SPAN - 1],
    ['CLUSTER_POSTGRES_PORT', settings.postgresPort, settings.postgresPort],
    ['CLUSTER_API_PORT', settings.apiPort, settings.apiPort + 1],
    ['CLUSTER_WORKER_METRICS_PORT', settings.workerMetricsPort, settings.workerMetricsPort + 1],
    ...(settings.uiPort ? [['CLUSTER_UI_PORT', settings.uiPort, settings.uiPort] as [string, number, number]] : []),
  ];
  for (const [i, [name, from, to]] of taken.entries()) {
    for (const [other, otherFrom, otherTo] of taken.slice(i + 1)) {
      if (from <= otherTo && otherFrom <= to) problems.push(`${name} (${from}-${to}) overlaps ${other} (${otherFrom}-${otherTo})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

/** True for a host that is loopback alone: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** An IPv6 address in brackets, as `host:port` needs it. */
export function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** A comma-separated list of globs (`LAMBDA_ALLOW`), blanks dropped. */
function globList(text: string | undefined): readonly string[] {
  return (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
