/** Activities run by the worker. Workflows import only their types. */
export { createHttpActivities } from './http-call.activity';
export { decodeWebhookSecret, verifyWebhook } from './webhook-signature';

/** The activity functions, as workflows see them through `proxyActivities`. */
export type HttpActivities = ReturnType<typeof import('./http-call.activity').createHttpActivities>;
