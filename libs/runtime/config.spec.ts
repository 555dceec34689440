import { ConfigError, loadClusterSettings, loadConfig } from './config';

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
        oidcClientId: null,
      },
      dispatch: { wakesPerSecond: 40, maxLeadMs: 900_000 },
      auth: null,
      outbound: {
        allow: [],
        // The system's own endpoints: Temporal, the API, the worker's metrics.
        deny: [
          { host: '127.0.0.1', port: 7233, text: '127.0.0.1:7233' },
          { host: '0.0.0.0', port: 3000, text: '0.0.0.0:3000' },
          { host: '0.0.0.0', port: 9464, text: '0.0.0.0:9464' },
        ],
      },
      payloadKeys: null,
      targets: { lambda: [], sqs: [] },
      quotas: { openTasks: 100_000, openOrchestrations: 10_000, schedules: 1_000 },
      log: { level: 'info', format: 'json' },
      worker: {
        maxConcurrentActivities: 20_000,
        maxConcurrentLocalActivities: 1_000,
        maxConcurrentWorkflowTasks: 100,
        maxCachedWorkflows: 250,
        workflowBundlePath: null,
        metricsAddress: '0.0.0.0:9464',
        heartbeatIntervalMs: 1_000,
        deadAfterMs: 4_000,
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

  it('reads the payload keys, newest first, and names bad ones with the rest', () => {
    const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');
    const config = loadConfig({ PAYLOAD_KEYS: `new:${key(1)},old:${key(2)}` });
    expect(config.payloadKeys?.encrypting.id).toBe('new');
    expect([...config.payloadKeys!.byId.keys()]).toEqual(['new', 'old']);
    expect(() => loadConfig({ PAYLOAD_KEYS: 'k1:c2hvcnQ=', API_PORT: 'x' })).toThrow(
      new ConfigError([
        'PAYLOAD_KEYS entry 1 (id "k1") must hold base64 of exactly 32 bytes (openssl rand -base64 32)',
        'API_PORT must be an integer from 0 to 65535, got "x"',
      ]),
    );
  });

  it('refuses the development sign-in on an API that listens beyond loopback', () => {
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(32), API_DEV_SIGN_IN: 'true', API_HOST: '127.0.0.1' }).api.devSignIn).toBe(true);
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(32), API_DEV_SIGN_IN: 'true', API_HOST: '::1' }).api.devSignIn).toBe(true);
    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(32), API_DEV_SIGN_IN: 'true' })).toThrow(
      new ConfigError(['API_DEV_SIGN_IN=true needs the API to listen on loopback alone (API_HOST=127.0.0.1), not on "0.0.0.0"']),
    );
  });

  it("denies calls to the system's own endpoints and OUTBOUND_DENY's", () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
      API_HOST: '127.0.0.1',
      API_PORT: '3001',
      WORKER_METRICS_PORT: '0',
      OUTBOUND_DENY: '127.0.0.1:7243, grafana:3000',
    });
    expect(config.outbound.deny.map((e) => e.text)).toEqual([
      '127.0.0.1:7243',
      'grafana:3000',
      'temporal:7233',
      'http://127.0.0.1:8233',
      '127.0.0.1:3001',
    ]);
  });

  it('reads the target allow-lists, the quotas and the OIDC client', () => {
    const config = loadConfig({
      LAMBDA_ALLOW: 'arn:aws:lambda:*:123456789012:function:{owner}-*, {owner}-*',
      SQS_ALLOW: '*',
      QUOTA_OPEN_TASKS: '10',
      QUOTA_OPEN_ORCHESTRATIONS: '0',
      QUOTA_SCHEDULES: '2',
      JWT_ISSUER: 'https://id.example.com',
      JWT_AUDIENCE: 'scheduler',
      OIDC_CLIENT_ID: 'dashboard',
    });
    expect(config.targets).toEqual({ lambda: ['arn:aws:lambda:*:123456789012:function:{owner}-*', '{owner}-*'], sqs: ['*'] });
    expect(config.quotas).toEqual({ openTasks: 10, openOrchestrations: 0, schedules: 2 });
    expect(config.api.oidcClientId).toBe('dashboard');
    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(32), OIDC_CLIENT_ID: 'dashboard' })).toThrow(
      new ConfigError(['OIDC_CLIENT_ID needs JWT_ISSUER: the dashboard finds the provider by its discovery document']),
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

  it('reads how often the worker heartbeats and after how long a silent peer counts as dead; 0 turns adoption off', () => {
    expect(loadConfig({ WORKER_HEARTBEAT_INTERVAL_MS: '2000', WORKER_DEAD_AFTER_MS: '10000' }).worker).toMatchObject({
      heartbeatIntervalMs: 2_000,
      deadAfterMs: 10_000,
    });
    expect(loadConfig({ WORKER_DEAD_AFTER_MS: '0' }).worker.deadAfterMs).toBeNull();
  });

  it('refuses a dead-after shorter than three heartbeats and a second: a live worker would be taken for dead', () => {
    expect(() => loadConfig({ WORKER_HEARTBEAT_INTERVAL_MS: '2000', WORKER_DEAD_AFTER_MS: '5000' })).toThrow(
      new ConfigError([
        'WORKER_DEAD_AFTER_MS must be 0 (never adopt) or at least 3 x WORKER_HEARTBEAT_INTERVAL_MS + 1000 (7000), got "5000"',
      ]),
    );
    expect(() => loadConfig({ WORKER_HEARTBEAT_INTERVAL_MS: '500' })).toThrow(
      new ConfigError(['WORKER_HEARTBEAT_INTERVAL_MS must be an integer from 1000 to 60000, got "500"']),
    );
  });
});

describe('loadClusterSettings', () => {
  it("keeps clear of the dev server's, PostgreSQL's and npm start's ports by default", () => {
    expect(loadClusterSettings({})).toEqual({
      temporalPort: 7333,
      uiPort: 8333,
      postgresPort: 5433,
      apiPort: 3000,
      workerMetricsPort: 9465,
      historyShards: 4,
      retentionMs: 168 * 3_600_000,
      logLevel: 'warn',
    });
  });

  it('reads every port, the shards, the retention and the log level', () => {
    expect(
      loadClusterSettings({
        CLUSTER_TEMPORAL_PORT: '17333',
        CLUSTER_UI_PORT: '0',
        CLUSTER_POSTGRES_PORT: '15433',
        CLUSTER_API_PORT: '13000',
        CLUSTER_WORKER_METRICS_PORT: '19465',
        CLUSTER_HISTORY_SHARDS: '8',
        TEMPORAL_NAMESPACE_RETENTION: '24h',
        CLUSTER_TEMPORAL_LOG_LEVEL: 'info',
      }),
    ).toEqual({
      temporalPort: 17333,
      uiPort: 0,
      postgresPort: 15433,
      apiPort: 13000,
      workerMetricsPort: 19465,
      historyShards: 8,
      retentionMs: 24 * 3_600_000,
      logLevel: 'info',
    });
  });

  it('names bad values and ports that overlap, all at once', () => {
    let error: unknown;
    try {
      loadClusterSettings({ CLUSTER_TEMPORAL_PORT: '3000', CLUSTER_UI_PORT: '3010', TEMPORAL_NAMESPACE_RETENTION: '7d' });
    } catch (err) {
      error = err;
    }
    expect((error as ConfigError).problems).toEqual([
      'TEMPORAL_NAMESPACE_RETENTION must be hours such as 168h (1h to 87600h), got "7d"',
      'CLUSTER_TEMPORAL_PORT (3000-3023) overlaps CLUSTER_API_PORT (3000-3001)',
      'CLUSTER_TEMPORAL_PORT (3000-3023) overlaps CLUSTER_UI_PORT (3010-3010)',
    ]);
  });
});
