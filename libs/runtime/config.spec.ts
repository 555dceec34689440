import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('fills every default from an empty environment', () => {
    expect(loadConfig({})).toEqual({
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'http-tasks' },
      api: {
        host: '0.0.0.0',
        port: 3000,
        bodyLimitBytes: 262_144,
        createRatePerSecond: 200,
        createBurst: 400,
        temporalUiUrl: null,
        publicUrl: null,
        devSignIn: false,
      },
      dispatch: { wakesPerSecond: 40, maxLeadMs: 900_000 },
      auth: null,
      outbound: { allow: [] },
      log: { level: 'info', format: 'json' },
      worker: {
        maxConcurrentActivities: 20_000,
        maxConcurrentLocalActivities: 1_000,
        maxConcurrentWorkflowTasks: 100,
        maxCachedWorkflows: 250,
        workflowBundlePath: null,
        metricsAddress: '0.0.0.0:9464',
      },
      http: { webhookSecret: null, responseBodyLimitBytes: 4096, userAgent: 'temporal-http-scheduler/0.1', connectionsPerOrigin: 128 },
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

  it('reads the authentication mode, the outbound allow-list and the creation rate limit', () => {
    const config = loadConfig({
      JWT_SECRET: 'x'.repeat(32),
      OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8, ::1/128',
      API_CREATE_RATE_PER_SECOND: '50',
      API_CREATE_BURST: '80',
    });
    expect(config.auth).toEqual({ mode: 'hs256', secret: 'x'.repeat(32), rolesClaim: 'roles', adminRole: 'admin' });
    expect(config.outbound.allow.map((c) => c.text)).toEqual(['127.0.0.0/8', '::1/128']);
    expect([config.api.createRatePerSecond, config.api.createBurst]).toEqual([50, 80]);
  });

  it('names bad authentication and allow-list variables with the rest', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short', OUTBOUND_ALLOW_CIDRS: '10.0.0.0/33' })).toThrow(
      new ConfigError(['OUTBOUND_ALLOW_CIDRS: "10.0.0.0/33" is not a CIDR', 'JWT_SECRET must be at least 32 characters']),
    );
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
      'WORKER_MAX_CONCURRENT_ACTIVITIES must be an integer from 1 to 1000000, got "0"',
    ]);
  });
});
