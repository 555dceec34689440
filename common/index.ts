/**
 * Shared definitions: the one place that workflows, the worker and the API take names,
 * types and constants from. Everything here must be safe to bundle into workflow code.
 */
export * from './call';
export * from './cron';
export * from './dispatch';
export * from './http';
export * from './lambda';
export * from './sqs';
export * from './runs';
export * from './timing';
export * from './search-attributes';
export * from './task';
export * from './orchestration';
export * from './references';
export * from './flow-control';
export * from './tags';
export * from './callback';

/** Default task queue of the worker; overridable with TEMPORAL_TASK_QUEUE. */
export const DEFAULT_TASK_QUEUE = 'http-tasks';
export * from './bulk';
