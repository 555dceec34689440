import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('fills every default from an empty environment', () => {
    expect(loadConfig({})).toEqual({
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'http-tasks' },
      api: { host: '0.0.0.0', port: 3000, bodyLimitBytes: 262_144, defaultOwner: 'default' },
      worker: { maxConcurrentActivities: 200, maxConcurrentWorkflowTasks: 100, maxCachedWorkflows: null, workflowBundlePath: null },
      http: { webhookSecret: null, responseBodyLimitBytes: 4096, userAgent: 'temporal-http-scheduler/0.1' },
    });
  });

  it('reads the environment variables the README documents', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'prod',
      TEMPORAL_TASK_QUEUE: 'q',
      API_PORT: '8080',
      WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      RESPONSE_BODY_LIMIT_BYTES: '100',
      WORKFLOW_BUNDLE_PATH: '/app/dist/workflow-bundle.js',
    });
    expect(config.temporal).toEqual({ address: 'temporal:7233', namespace: 'prod', taskQueue: 'q' });
    expect(config.api.port).toBe(8080);
    expect(config.http.webhookSecret).toBe('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(config.http.responseBodyLimitBytes).toBe(100);
    expect(config.worker.workflowBundlePath).toBe('/app/dist/workflow-bundle.js');
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ TEMPORAL_ADDRESS: 'no-port', API_PORT: 'eighty', WORKER_MAX_CONCURRENT_ACTIVITIES: '0', WEBHOOK_SECRET: 'plain' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'TEMPORAL_ADDRESS must be host:port, got "no-port"',
      'WEBHOOK_SECRET must be whsec_ followed by base64 of at least 16 bytes',
      'API_PORT must be an integer from 0 to 65535, got "eighty"',
      'WORKER_MAX_CONCURRENT_ACTIVITIES must be an integer from 1 to 10000, got "0"',
    ]);
  });
});
