import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { execFileSync } from 'node:child_process';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../common';
import { APP_ENTRIES } from '../../libs/runtime/app-process';
import { SERVER_DYNAMIC_CONFIG } from '../../libs/runtime/dev-server';
import { TEMPORAL_SERVER, TEMPORAL_UI_SERVER } from '../../libs/runtime/go-programs';
import { temporalBinary, TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../../libs/runtime/temporal-binaries';
import { clusterDynamicConfig } from '../../libs/runtime/temporal-cluster';

/**
 * No Docker engine runs where the tests run, so the scale-out stack is checked by
 * construction: docker-compose.yml, docker/dynamicconfig.yaml and the Dockerfile must agree
 * with the code they deploy.
 */

const ROOT = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface Healthcheck {
  test: string | string[];
}
interface DependsOn {
  condition?: 'service_started' | 'service_healthy' | 'service_completed_successfully';
}
interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, DependsOn>;
  healthcheck?: Healthcheck;
  ports?: string[];
  volumes?: string[];
  container_name?: string;
  deploy?: { replicas?: number | string };
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml')) as Compose;
const { services } = compose;
const dynamicConfig = parse(read('docker/dynamicconfig.yaml')) as Record<
  string,
  Array<{ value: unknown; constraints?: Record<string, unknown> }>
>;
const dockerfile = read('Dockerfile');

const APPS = {
  worker: { command: ['node', APP_ENTRIES.worker], source: 'apps/worker/src/main.ts' },
  api: { command: ['node', APP_ENTRIES.api], source: 'apps/api/src/main.ts' },
} as const;

/** Dockerfile stages by name (`FROM image AS name`), each with its instructions as text. */
function dockerfileStages(text: string): Record<string, string> {
  const stages: Record<string, string> = {};
  let current: string | null = null;
  for (const line of text.split('\n')) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = from[1] ?? `stage${Object.keys(stages).length}`;
      stages[current] = '';
    }
    if (current !== null) stages[current] += `${line}\n`;
  }
  return stages;
}

/** A shell command as one line: backslash-newlines joined, runs of whitespace made one space. */
function oneLine(command: string | string[] | undefined): string {
  const text = Array.isArray(command) ? command.join(' ') : (command ?? '');
  return text.replace(/\\\n/g, ' ').replace(/\s+/g, ' ');
}

/**
 * Settings docker/dynamicconfig.yaml adds to SERVER_DYNAMIC_CONFIG: Temporal's development id
 * length, and a search-attribute cache read through on every read, because temporal-setup
 * registers the attributes while the server already runs (README, "Scale-out").
 */
const COMPOSE_ONLY_DYNAMIC_CONFIG = { 'limit.maxIDLength': 255, 'system.forceSearchAttributesCacheRefreshOnRead': true };
/** What npm run cluster adds: the same id length (it registers the attributes before history starts). */
const CLUSTER_ONLY_DYNAMIC_CONFIG = { 'limit.maxIDLength': 255 };

describe('docker-compose stack', () => {
  it('parses as YAML and names exactly the services of the stack', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'postgresql',
      'temporal',
      'temporal-schema',
      'temporal-setup',
      'temporal-ui',
      'worker',
    ]);
  });

  it('runs the real Temporal server (not the deprecated auto-setup image) on PostgreSQL, with the product dynamic config mounted where DYNAMIC_CONFIG_FILE_PATH points', () => {
    const { postgresql, temporal } = services;
    expect(postgresql.image).toBe('postgres:16');
    expect(postgresql.volumes).toContain('postgresql-data:/var/lib/postgresql/data');
    expect(compose.volumes).toHaveProperty('postgresql-data');
    expect(oneLine(postgresql.healthcheck?.test)).toContain('pg_isready');

    expect(temporal.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(read('docker-compose.yml')).not.toContain('auto-setup:');
    expect(temporal.environment).toMatchObject({
      DB: 'postgres12',
      DB_PORT: '5432',
      POSTGRES_SEEDS: 'postgresql',
      NUM_HISTORY_SHARDS: '4',
      BIND_ON_IP: '0.0.0.0',
    });
    expect(temporal.environment?.POSTGRES_USER).toBe(postgresql.environment?.POSTGRES_USER);
    expect(temporal.environment?.POSTGRES_PWD).toBe(postgresql.environment?.POSTGRES_PASSWORD);
    expect(temporal.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(temporal.volumes).toContain(`./docker/dynamicconfig.yaml:${temporal.environment?.DYNAMIC_CONFIG_FILE_PATH}:ro`);
    expect(oneLine(temporal.healthcheck?.test)).toContain('nc -z 127.0.0.1 7233');
  });

  it("publishes Temporal's ports (frontend, Web UI) on the host's loopback only", () => {
    expect(services.temporal.ports).toEqual(['127.0.0.1:7233:7233']);
    expect(services['temporal-ui'].ports).toEqual(['127.0.0.1:8233:8080']);
    for (const name of ['postgresql', 'temporal-schema', 'temporal-setup', 'worker']) expect(services[name].ports).toBeUndefined();
  });

  it('sets up both databases and their schema with temporal-sql-tool from the admin-tools image, before the server starts', () => {
    const schema = services['temporal-schema'];
    expect(schema.image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(schema.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    const script = oneLine(schema.command);
    expect(script).toContain('for db in temporal:temporal temporal_visibility:visibility; do');
    expect(script).toContain('temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432');
    for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d /etc/temporal/schema/postgresql/v12/$$schema/versioned']) {
      expect(script).toContain(`$$sql ${step}`);
    }
    expect(schema.environment?.SQL_PASSWORD).toBe(services.postgresql.environment?.POSTGRES_PASSWORD);
  });

  it('serves the Temporal Web UI the CLI embeds, against the server', () => {
    const ui = services['temporal-ui'];
    expect(ui.image).toBe(`temporalio/ui:${TEMPORAL_UI_VERSION}`);
    expect(ui.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('runs one server version and one Web UI version everywhere: compose, npm run cluster (built from the Go module proxy) and the dev server', () => {
    expect(TEMPORAL_SERVER.version).toBe(`v${TEMPORAL_SERVER_VERSION}`);
    expect(TEMPORAL_UI_SERVER.version).toBe(`v${TEMPORAL_UI_VERSION}`);
    expect([services.temporal.image, services['temporal-schema'].image, services['temporal-setup'].image]).toEqual([
      `temporalio/server:${TEMPORAL_SERVER_VERSION}`,
      `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`,
      `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`,
    ]);
    // The dev server is the CLI's: it says which server and UI it embeds.
    const version = execFileSync(temporalBinary('temporal'), ['--version'], { encoding: 'utf8' });
    expect(version).toContain(`(Server ${TEMPORAL_SERVER_VERSION}, UI ${TEMPORAL_UI_VERSION})`);
  });

  it('builds the worker and the api from the repo Dockerfile and runs files the build produces from existing sources', () => {
    for (const [name, app] of Object.entries(APPS)) {
      const service = services[name];
      expect(service.build).toEqual({ context: '.', dockerfile: 'Dockerfile', target: 'runtime' });
      expect(service.command).toEqual(app.command);
      expect(existsSync(join(ROOT, app.source))).toBe(true);
      // tsc maps apps/x/src/main.ts to dist/apps/x/src/main.js.
      expect(app.command[1]).toBe(`dist/${app.source.replace(/\.ts$/, '.js')}`);
    }
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it('points the worker at the workflow bundle the build writes into the image', () => {
    expect(services.worker.environment?.WORKFLOW_BUNDLE_PATH).toBe('/app/dist/workflow-bundle.js');
    expect(dockerfileStages(dockerfile).runtime).toMatch(/^WORKDIR \/app$/m);
    expect(read('scripts/build-workflow-bundle.ts')).toContain("join(projectRoot(), 'dist', 'workflow-bundle.js')");
  });

  it('registers namespace default (when missing) and every search attribute of common/search-attributes.ts, with its type', () => {
    const setup = services['temporal-setup'];
    expect(setup.image).toMatch(/^temporalio\/admin-tools:/);
    expect(setup.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    const script = oneLine(setup.command);
    expect(script).toContain('temporal operator cluster health --address temporal:7233');
    expect(script).toContain(
      'temporal operator namespace create --namespace default --retention "$$NAMESPACE_RETENTION" --address temporal:7233',
    );
    expect(setup.environment?.NAMESPACE_RETENTION).toBe('${TEMPORAL_NAMESPACE_RETENTION:-168h}');
    expect(script).toContain('temporal operator search-attribute create --namespace default --address temporal:7233');
    expect(SEARCH_ATTRIBUTE_DEFINITIONS.length).toBeGreaterThan(0);
    for (const { name, type } of SEARCH_ATTRIBUTE_DEFINITIONS) {
      expect(script).toContain(`--name ${name} --type ${type}`);
    }
    // Exactly those: no attribute registered here that the code does not define.
    const registered = [...script.matchAll(/--name (\S+) --type (\S+)/g)].map(([, name, type]) => ({ name, type }));
    expect(registered).toEqual(SEARCH_ATTRIBUTE_DEFINITIONS.map(({ name, type }) => ({ name, type })));
  });

  it('tolerates search attributes that already exist, but not with another type', () => {
    const script = oneLine(services['temporal-setup'].command);
    expect(script).toContain('*"already exists"*)');
    // The "different type" case must come first: its message also says "already exists".
    expect(script.indexOf('*"different type"*) exit 1')).toBeGreaterThan(-1);
    expect(script.indexOf('*"different type"*)')).toBeLessThan(script.indexOf('*"already exists"*)'));
  });

  it('starts the api and the worker only once the namespace and the search attributes are registered', () => {
    for (const name of Object.keys(APPS)) {
      expect(services[name].depends_on?.['temporal-setup']).toEqual({ condition: 'service_completed_successfully' });
    }
  });

  it('gives the compose server exactly the dev server dynamic config (SERVER_DYNAMIC_CONFIG) and its two listed extras', () => {
    expect(SERVER_DYNAMIC_CONFIG).toHaveProperty(['history.timerProcessorMaxTimeShift']);
    expect(SERVER_DYNAMIC_CONFIG).toHaveProperty(['frontend.WorkerHeartbeatsEnabled'], true);
    // One unconstrained entry per key: the value holds for every namespace and task queue.
    const expected = Object.fromEntries(
      Object.entries({ ...SERVER_DYNAMIC_CONFIG, ...COMPOSE_ONLY_DYNAMIC_CONFIG }).map(([key, value]) => [
        key,
        [{ value, constraints: {} }],
      ]),
    );
    expect(dynamicConfig).toEqual(expected);
  });

  it('gives the npm run cluster server the same dynamic config, written from the one source', () => {
    const expected = Object.fromEntries(
      Object.entries({ ...SERVER_DYNAMIC_CONFIG, ...CLUSTER_ONLY_DYNAMIC_CONFIG }).map(([key, value]) => [
        key,
        [{ value, constraints: {} }],
      ]),
    );
    expect(clusterDynamicConfig()).toEqual(expected);
  });

  it('sets only environment variables that the configuration (or the AWS SDK) reads, in the api and the worker', () => {
    const configSource = read('libs/runtime/config.ts') + read('libs/runtime/auth-config.ts');
    for (const name of Object.keys(APPS)) {
      const variables = Object.keys(services[name].environment ?? {}).filter(
        (variable) => variable !== 'NODE_ENV' && !/^AWS_(REGION|ACCESS_KEY_ID|SECRET_ACCESS_KEY|ENDPOINT_URL_LAMBDA)$/.test(variable),
      );
      expect(variables.length).toBeGreaterThan(0);
      for (const variable of variables) {
        expect({ service: name, variable, readByLoadConfig: new RegExp(`\\b${variable}\\b`).test(configSource) }).toEqual({
          service: name,
          variable,
          readByLoadConfig: true,
        });
      }
      expect(services[name].environment).toMatchObject({
        TEMPORAL_ADDRESS: 'temporal:7233',
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TASK_QUEUE: 'http-tasks',
        NODE_ENV: 'production',
      });
    }
    expect(services.api.environment).toMatchObject({ API_HOST: '0.0.0.0', API_PORT: '3000' });
  });

  it('gives the api and the worker the one signing secret, and the api a way to check tokens', () => {
    expect(services.api.environment?.WEBHOOK_SECRET).toBe(services.worker.environment?.WEBHOOK_SECRET);
    expect(services.api.environment).toHaveProperty('JWT_SECRET');
    expect(services.api.environment).toHaveProperty('JWT_JWKS_URL');
    // The worker's metrics stay on the compose network: a host port would stop it scaling.
    expect(services.worker.environment?.WORKER_METRICS_PORT).toBe('9464');
    expect(services.worker.ports).toBeUndefined();
  });

  it('exposes the api on port 3000 and checks its health on /health', () => {
    const { api } = services;
    expect(api.ports).toEqual([`3000:${api.environment?.API_PORT}`]);
    expect(oneLine(api.healthcheck?.test)).toContain(`http://127.0.0.1:${api.environment?.API_PORT}/health`);
  });

  it('names only defined services in depends_on, and every service waited on as healthy has a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ service: name, dependency, defined: dependency in services }).toEqual({ service: name, dependency, defined: true });
        if (condition === 'service_healthy') {
          expect({ service: name, dependency, hasHealthcheck: Boolean(services[dependency].healthcheck) }).toEqual({
            service: name,
            dependency,
            hasHealthcheck: true,
          });
        }
      }
    }
  });

  it('lets the worker scale: replicas from WORKER_REPLICAS, no host ports, no container_name', () => {
    const { worker } = services;
    expect(worker.deploy?.replicas).toBe('${WORKER_REPLICAS:-2}');
    expect(worker.ports).toBeUndefined();
    expect(worker.container_name).toBeUndefined();
  });

  it('takes WEBHOOK_SECRET and PAYLOAD_KEYS from the environment, one value for the api and the worker, and refuses to start without them', () => {
    expect(services.worker.environment?.WEBHOOK_SECRET).toMatch(/^\$\{WEBHOOK_SECRET:\?[^}]*\}$/);
    expect(services.worker.environment?.PAYLOAD_KEYS).toMatch(/^\$\{PAYLOAD_KEYS:\?[^}]*\}$/);
    expect(services.api.environment?.PAYLOAD_KEYS).toBe(services.worker.environment?.PAYLOAD_KEYS);
    // No secret of any kind is written into the file.
    expect(read('docker-compose.yml')).not.toMatch(/whsec_[A-Za-z0-9+/]{8,}/);
  });

  it('builds dist/ in the build stage and copies only dist/ and production dependencies into the runtime stage', () => {
    const stages = dockerfileStages(dockerfile);
    expect(Object.keys(stages)).toEqual(['build', 'runtime']);
    expect(stages.build).toMatch(/^FROM node:20-bookworm-slim AS build$/m);
    expect(stages.build).toMatch(/^RUN npm ci\b/m);
    expect(stages.build).toMatch(/^RUN npm run build$/m);
    expect(stages.runtime).toMatch(/^FROM node:20-bookworm-slim AS runtime$/m);
    expect(stages.runtime).toMatch(/^ENV NODE_ENV=production$/m);
    expect(stages.runtime).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(stages.runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(stages.runtime).toMatch(/^USER node$/m);
    expect(stages.runtime).toMatch(/^CMD \["node", "dist\/apps\/api\/src\/main\.js"\]$/m);
  });

  it('keeps host state and secrets out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['node_modules', 'dist', 'data', '.tools', '.git', '.env']) expect(ignored).toContain(entry);
  });
});
