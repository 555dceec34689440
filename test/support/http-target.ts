import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the target received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request's headers arrived. */
  arrivedAt: number;
}

/** How the target answers the n-th (0-based) request to a path. */
export type Responder = (
  n: number,
  request: RecordedRequest,
) => { status: number; body?: unknown; delayMs?: number; headers?: Record<string, string> };

/**
 * A real HTTP server on loopback that records every request with its arrival time and answers
 * as a test scripts it (default: 200 `{ "ok": true }`).
 */
export class HttpTarget {
  private readonly server: Server;
  private readonly recorded: RecordedRequest[] = [];
  private readonly responders = new Map<string, Responder>();
  private readonly waiters = new Set<() => void>();
  /** The pending delayed answers (`delayMs`), cleared by stop(). */
  private readonly delayedReplies = new Set<NodeJS.Timeout>();

  private constructor() {
    this.server = createServer((req, res) => {
      const arrivedAt = Date.now();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0];
        const request: RecordedRequest = {
          method: req.method ?? '',
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
          arrivedAt,
        };
        const n = this.recorded.filter((r) => r.path === path).length;
        this.recorded.push(request);
        this.waiters.forEach((notify) => notify());
        const responder: Responder = this.responders.get(path) ?? (() => ({ status: 200, body: { ok: true } }));
        const answer = responder(n, request);
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
          res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
        };
        if (answer.delayMs) {
          const timer = setTimeout(() => {
            this.delayedReplies.delete(timer);
            send();
          }, answer.delayMs);
          this.delayedReplies.add(timer);
        } else send();
      });
    });
  }

  static async start(): Promise<HttpTarget> {
    const target = new HttpTarget();
    await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
    return target;
  }

  /** Absolute URL of `path` on this target. */
  url(path: string): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${path}`;
  }

  /** Scripts the answers to requests to `path`. */
  respond(path: string, responder: Responder): void {
    this.responders.set(path, responder);
  }

  /** Answers the first `failures` requests to `path` with `status`, then 200. */
  failTimes(path: string, failures: number, status = 500): void {
    this.respond(path, (n) => (n < failures ? { status, body: { error: 'scripted failure' } } : { status: 200, body: { ok: true } }));
  }

  requests(path?: string): RecordedRequest[] {
    return this.recorded.filter((r) => path === undefined || r.path === path);
  }

  /** The requests to paths starting with `prefix`, in arrival order. */
  requestsUnder(prefix: string): RecordedRequest[] {
    return this.recorded.filter((r) => r.path.startsWith(prefix));
  }

  /** The paths under `prefix` that were called (without the prefix), in arrival order. */
  calledPaths(prefix: string): string[] {
    return this.requestsUnder(prefix).map((r) => r.path.slice(prefix.length));
  }

  /** Resolves once `count` requests to `path` have arrived; rejects after `timeoutMs`. */
  async waitForRequests(path: string, count: number, timeoutMs = 10_000): Promise<RecordedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests(path).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${path}: ${this.requests(path).length} of ${count} requests after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const notify = () => {
          this.waiters.delete(notify);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(notify, left);
        this.waiters.add(notify);
      });
    }
    return this.requests(path);
  }

  async stop(): Promise<void> {
    // Their connections are closed below: the answers would go nowhere.
    this.delayedReplies.forEach((timer) => clearTimeout(timer));
    this.delayedReplies.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
