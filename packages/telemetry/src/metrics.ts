import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ServiceMetrics {
  readonly registry: Registry;
  /** Express middleware: `http_requests_total` and `http_request_duration_seconds` by method, route, status. */
  http(
    req: { method: string; path: string },
    res: { statusCode: number; once(e: 'finish', l: () => void): unknown },
    next: () => void,
  ): void;
  /** One GraphQL operation: `graphql_requests_total` and `graphql_request_duration_seconds` by operation and client. */
  observeOperation(
    operation: string | null | undefined,
    client: string | null | undefined,
    outcome: 'ok' | 'error',
    seconds: number,
  ): void;
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  histogram(name: string, help: string, labelNames?: readonly string[]): Histogram;
  /** A gauge read at scrape time (`collect` sets its values). */
  gauge(
    name: string,
    help: string,
    labelNames: readonly string[],
    collect: (gauge: Gauge) => void | Promise<void>,
  ): Gauge;
  /** `GET /metrics` handler (Prometheus text format). */
  handler(req: unknown, res: { setHeader(n: string, v: string): unknown; end(body: string): unknown }): Promise<void>;
}

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Bounded label values: client-chosen names must not explode the series count. */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return '(anonymous)';
  return OPERATION_NAME.test(name) ? name : '(invalid)';
}

/** The Prometheus registry of one deployable (`service` label on every series), with Node runtime metrics. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    buckets: SECONDS,
    registers: [registry],
  });
  const operations = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations',
    labelNames: ['operation', 'client', 'outcome'],
    registers: [registry],
  });
  const operationDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL operation duration',
    labelNames: ['operation', 'client'],
    buckets: SECONDS,
    registers: [registry],
  });
  return {
    registry,
    http(req, res, next) {
      const started = process.hrtime.bigint();
      // Routes, not raw paths: only the endpoints this service has.
      const route = ['/graphql', '/health/live', '/health/ready', '/metrics', '/webhooks/payments'].includes(req.path)
        ? req.path
        : 'other';
      res.once('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
        httpDuration.observe({ method: req.method, route }, seconds);
      });
      next();
    },
    observeOperation(operation, client, outcome, seconds) {
      const labels = { operation: operationLabel(operation), client: client || 'anonymous' };
      operations.inc({ ...labels, outcome });
      operationDuration.observe(labels, seconds);
    },
    counter: (name, help, labelNames = []) =>
      new Counter({ name, help, labelNames: [...labelNames], registers: [registry] }),
    histogram: (name, help, labelNames = []) =>
      new Histogram({ name, help, labelNames: [...labelNames], buckets: SECONDS, registers: [registry] }),
    gauge: (name, help, labelNames, collect) =>
      new Gauge({
        name,
        help,
        labelNames: [...labelNames],
        registers: [registry],
        async collect() {
          await collect(this);
        },
      }),
    async handler(_req, res) {
      res.setHeader('content-type', registry.contentType);
      res.end(await registry.metrics());
    },
  };
}
