/** Activities run by the worker. Workflows import only their types. */
export { createHttpActivities, CALL_HEADERS, type HttpActivityDeps } from './http-call.activity';
export { decodeWebhookSecret, signWebhook, verifyWebhook } from './webhook-signature';

/** The activity functions, as workflows see them through `proxyActivities`. */
export type HttpActivities = ReturnType<typeof import('./http-call.activity').createHttpActivities>;
