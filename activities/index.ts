/** Activities run by the worker. Workflows import only their types. */
export { createCallActivities, type CallActivityDeps } from './call.activities';
export { CALL_METRIC_BUCKETS, CALL_METRICS, createCallMetrics, type CallMetrics } from './call-metrics';
export { heldCallKey, HeldCalls } from './held-calls';
export { createLambdaInvoker, lambdaCheckPassed } from './lambda-invoke';
export { createSqsSender, type SqsSender } from './sqs-send';
export { decodeWebhookSecret, encodeWebhookSecret, ownerSigningKey, verifyWebhook } from './webhook-signature';

/** The activity functions, as workflows see them through `proxyActivities`. */
export type CallActivities = ReturnType<typeof import('./call.activities').createCallActivities>;
