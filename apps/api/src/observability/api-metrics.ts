import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The API's Prometheus metrics, in a registry of its own (one per app, so tests can run several):
 * requests by route template and status, their latency, and Node's process metrics.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'scheduler_api_requests_total',
    help: 'API requests answered, by method, route (its template, e.g. /tasks/:id) and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'scheduler_api_request_duration_seconds',
    help: 'Time to answer an API request, by method and route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'scheduler_api_' });
  }

  /** Express middleware: observes every request when it is answered. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        // The route template, never the raw path: ids would make a series per resource.
        const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        this.requests.inc({ method: req.method, route, status: String(res.statusCode) });
        this.latency.observe({ method: req.method, route }, seconds);
      });
      next();
    };
  }
}
