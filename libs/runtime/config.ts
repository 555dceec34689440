import { DEFAULT_TASK_QUEUE } from '../../common';

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
    /** Owner of every resource until authentication lands. */
    defaultOwner: string;
  };
  worker: {
    maxConcurrentActivities: number;
    maxConcurrentWorkflowTasks: number;
    /** Workflows kept in the worker's cache; null = the SDK's default (from the heap size). */
    maxCachedWorkflows: number | null;
    /** Prebuilt workflow bundle (production); null = bundle `workflows/` at start (development). */
    workflowBundlePath: string | null;
  };
  http: {
    /** Standard Webhooks secret (`whsec_<base64>`) every call is signed with; required by the worker. */
    webhookSecret: string | null;
    /** Response bodies kept in results are cut to this many bytes. */
    responseBodyLimitBytes: number;
    userAgent: string;
  };
}

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

  const address = text('TEMPORAL_ADDRESS', '127.0.0.1:7233');
  if (!/^[^\s:]+:\d{1,5}$/.test(address)) problems.push(`TEMPORAL_ADDRESS must be host:port, got "${address}"`);
  const webhookSecret = env.WEBHOOK_SECRET?.trim() || null;
  if (webhookSecret && !/^(whsec_)?[A-Za-z0-9+/]{22,}={0,2}$/.test(webhookSecret)) {
    problems.push('WEBHOOK_SECRET must be whsec_ followed by base64 of at least 16 bytes');
  }

  const config: AppConfig = {
    temporal: {
      address,
      namespace: text('TEMPORAL_NAMESPACE', 'default'),
      taskQueue: text('TEMPORAL_TASK_QUEUE', DEFAULT_TASK_QUEUE),
    },
    api: {
      host: text('API_HOST', '0.0.0.0'),
      port: integer('API_PORT', 3000, 0, 65_535),
      bodyLimitBytes: integer('API_BODY_LIMIT_BYTES', 256 * 1024, 1024, 64 * 1024 * 1024),
      defaultOwner: text('DEFAULT_OWNER', 'default'),
    },
    worker: {
      maxConcurrentActivities: integer('WORKER_MAX_CONCURRENT_ACTIVITIES', 200, 1, 10_000),
      maxConcurrentWorkflowTasks: integer('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 100, 2, 10_000),
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS?.trim() ? integer('WORKER_MAX_CACHED_WORKFLOWS', 0, 0, 1_000_000) : null,
      workflowBundlePath: env.WORKFLOW_BUNDLE_PATH?.trim() || null,
    },
    http: {
      webhookSecret,
      responseBodyLimitBytes: integer('RESPONSE_BODY_LIMIT_BYTES', 4096, 0, 1024 * 1024),
      userAgent: text('HTTP_USER_AGENT', 'temporal-http-scheduler/0.1'),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
