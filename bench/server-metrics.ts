/**
 * What the Temporal server spent per task during a scenario, from its Prometheus endpoint
 * (`temporal server start-dev --metrics-port`): persistence operations (each a SQLite
 * transaction or query) and how long the history service took per call. This is how the
 * README's "why" was found; the bench prints it with the burst.
 */

/** Counter totals by `<metric>:<service>.<operation>`, summed over the other labels. */
export type MetricTotals = Map<string, number>;

const WANTED = /^(persistence_requests|visibility_persistence_requests|service_latency_sum|service_latency_count)\{([^}]*)\} (\S+)$/;

/** Parses the counters this module needs out of a Prometheus text exposition. */
export function parseMetrics(text: string): MetricTotals {
  const totals: MetricTotals = new Map();
  for (const line of text.split('\n')) {
    const match = WANTED.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const key = `${match[1]}:${labels.service_name ?? '?'}.${labels.operation ?? '?'}`;
    totals.set(key, (totals.get(key) ?? 0) + Number(match[3]));
  }
  return totals;
}

/** Reads the server's counters now: from one endpoint, or summed over several (a cluster's services), comma-separated. */
export async function scrapeMetrics(metricsUrls: string): Promise<MetricTotals> {
  const totals: MetricTotals = new Map();
  for (const url of metricsUrls
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
    for (const [key, value] of parseMetrics(await res.text())) totals.set(key, (totals.get(key) ?? 0) + value);
  }
  return totals;
}

export interface ServerCost {
  /** Persistence operations (execution and visibility stores) per task. */
  persistenceOpsPerTask: number;
  /** The most frequent persistence operations, per task. */
  persistenceOps: Record<string, number>;
  /** Mean latency of the history service's calls, in ms, with how many each task made. */
  historyCalls: Record<string, { perTask: number; meanMs: number }>;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** The server's work between two scrapes, divided over `tasks`. */
export function serverCost(before: MetricTotals, after: MetricTotals, tasks: number): ServerCost {
  const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const persistence = new Map<string, number>();
  const historyCalls: ServerCost['historyCalls'] = {};
  for (const key of after.keys()) {
    const [metric, where] = key.split(':');
    const operation = where.slice(where.indexOf('.') + 1);
    if (metric === 'persistence_requests' || metric === 'visibility_persistence_requests') {
      const name = metric === 'visibility_persistence_requests' ? `visibility.${operation}` : operation;
      persistence.set(name, (persistence.get(name) ?? 0) + delta(key));
    } else if (metric === 'service_latency_count' && where.startsWith('history.')) {
      const calls = delta(key);
      if (calls > 0)
        historyCalls[operation] = {
          perTask: round2(calls / tasks),
          meanMs: Math.round((delta(`service_latency_sum:${where}`) / calls) * 1000 * 10) / 10,
        };
    }
  }
  const ranked = [...persistence.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const total = ranked.reduce((sum, [, n]) => sum + n, 0);
  return {
    persistenceOpsPerTask: round2(total / tasks),
    persistenceOps: Object.fromEntries(ranked.slice(0, 8).map(([name, n]) => [name, round2(n / tasks)])),
    historyCalls,
  };
}
