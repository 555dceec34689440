import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLUSTER_TEMPORAL_PORT_SPAN } from '../../../libs/runtime/config';
import { freePort } from '../../../libs/runtime/dev-server';
import { clusterPorts, startTemporalCluster, type RunningTemporalCluster } from '../../../libs/runtime/temporal-cluster';

/** A cluster as `npm run cluster` runs it (PostgreSQL, the four services as processes; no Web UI), in a temp folder, on free ports. */
export interface TestCluster {
  temporal: RunningTemporalCluster;
  /** Stops the services and PostgreSQL and removes the folder. */
  stop(): Promise<void>;
}

export async function startTestCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'test-cluster-'));
  // The postgres user must reach its data folder inside.
  chmodSync(dir, 0o755);
  const [base, postgres] = await Promise.all([freePortBlock(CLUSTER_TEMPORAL_PORT_SPAN), freePort()]);
  try {
    const temporal = await startTemporalCluster({
      dataDir: dir,
      ports: clusterPorts(base, postgres, null),
      namespace: 'default',
      retentionMs: 24 * 3_600_000,
      historyShards: 4,
      logLevel: 'warn',
      log: () => undefined,
    });
    return {
      temporal,
      stop: async () => {
        await temporal.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The first of `count` consecutive free ports on 127.0.0.1 (tried from random places), below
 * 32768: Temporal keeps membership ports in a 16-bit signed column.
 */
async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (32_768 - count - 20_000));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
