/** Every workflow the worker registers. Bundled for the workflow sandbox: keep it deterministic. */
export { scheduledTaskWorkflow } from './task.workflow';
export { orchestrationWorkflow } from './orchestration.workflow';
export { flowLimiterWorkflow } from './flow-limiter.workflow';
export { bulkJobWorkflow } from './bulk-job.workflow';
