import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The benchmark's HTTP target on loopback: timestamps each call's arrival (when its headers
 * arrive) by its X-Task-Id, answers 200 at once, and keeps nothing else (it sees 100,000s).
 */
export class ArrivalTarget {
  /** Task id -> arrival times (ms since epoch); more than one means a repeat. */
  readonly arrivals = new Map<string, number[]>();
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      const arrivedAt = Date.now();
      const id = String(req.headers['x-task-id'] ?? '');
      const seen = this.arrivals.get(id);
      if (seen) seen.push(arrivedAt);
      else this.arrivals.set(id, [arrivedAt]);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    });
    this.server.keepAliveTimeout = 60_000;
  }

  static async start(host = '127.0.0.1'): Promise<ArrivalTarget> {
    const target = new ArrivalTarget();
    await new Promise<void>((resolve) => target.server.listen(0, host, resolve));
    return target;
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}/fire`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
