import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { types } from 'node:util';
import pino, { type Logger, type LoggerOptions } from 'pino';

/** How processes log (LOG_LEVEL, LOG_FORMAT). */
export interface LogConfig {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** json: one JSON object per line (the default, for log collectors); pretty: for a person at a terminal. */
  format: 'json' | 'pretty';
}

/**
 * Paths that never reach a log: credentials of callers and of calls. The API logs no request
 * bodies and the worker no call headers at all; this catches anything that slips through.
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  '*.authorization',
  '*.secret',
  '*.token',
];

/**
 * The process's logger: JSON lines carrying `service` (api, worker), or pino-pretty's output
 * when LOG_FORMAT=pretty (npm start at a terminal). Secrets are redacted (REDACTED_PATHS).
 */
export function createLogger(service: string, config: LogConfig, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level: config.level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: loggedError, error: loggedError },
  };
  if (config.format === 'pretty' && !destination) {
    try {
      require.resolve('pino-pretty');
      return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } });
    } catch {
      // pino-pretty is a development dependency: without it, JSON is still readable.
    }
  }
  return destination ? pino(options, destination) : pino(options);
}

/** What a log line shows of an error (see loggedError). */
export interface LoggedError {
  /** The error's class: `Error`, `ApplicationFailure`, `ActivityFailure`, ... */
  type: string;
  message: string;
  /** A Temporal ApplicationFailure's own type, e.g. `TaskFailed`. */
  failureType?: string;
  nonRetryable?: boolean;
  /** Where a plain error (a bug) was thrown; Temporal failures carry none, their message says it. */
  stack?: string;
  cause?: LoggedError;
}

/** How many causes deep a logged error goes. */
const MAX_CAUSES = 4;

/**
 * An error as log lines show it: its class, message, a Temporal failure's type and cause chain,
 * never its `details`, which hold a call's attempts and results (headers and bodies stay out of
 * the logs). Errors that crossed from the workflow sandbox are errors of another realm, whose
 * fields JSON would drop (`"error":{}`): this reads them all the same. Anything else is kept as is.
 */
export function loggedError(value: unknown, depth = 0): unknown {
  if (!isErrorLike(value)) return value;
  const { name, message, type, nonRetryable, stack, cause } = value as {
    name: string;
    message: string;
    type?: unknown;
    nonRetryable?: unknown;
    stack?: unknown;
    cause?: unknown;
  };
  // Cloned across the worker thread's boundary, a workflow's failure arrives as a plain Error
  // (its class name only in its stack's first line) without its own fields.
  const stackClass = typeof stack === 'string' ? /^(\w+): /.exec(stack)?.[1] : undefined;
  const kind = name === 'Error' && stackClass ? stackClass : name;
  return {
    type: kind,
    message,
    ...(typeof type === 'string' ? { failureType: type } : {}),
    ...(typeof nonRetryable === 'boolean' ? { nonRetryable } : {}),
    ...(typeof stack === 'string' && !kind.endsWith('Failure') ? { stack } : {}),
    ...(depth < MAX_CAUSES && isErrorLike(cause) ? { cause: loggedError(cause, depth + 1) as LoggedError } : {}),
  } satisfies LoggedError;
}

function isErrorLike(value: unknown): value is Error {
  if (types.isNativeError(value)) return true;
  const { name, message } = (value ?? {}) as { name?: unknown; message?: unknown };
  return typeof value === 'object' && typeof name === 'string' && typeof message === 'string';
}

const SDK_LEVELS: Readonly<Record<SdkLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'>> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal SDK's logger interface over pino, so the SDK's own lines (and the core's,
 * forwarded) are JSON like the rest, with their metadata (workflowId, activityId, attempt…) as fields.
 */
export function sdkLogger(logger: Logger): SdkLogger {
  const write = (level: SdkLogLevel, message: string, meta?: LogMetadata) => logger[SDK_LEVELS[level]]({ ...meta }, message);
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}
