import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
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
