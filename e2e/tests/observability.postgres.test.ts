/**
 * Operations: one trace from the gateway through subgraphs to SQL, Prometheus series on every process,
 * and log lines that carry the trace id.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startStack, type Stack } from '@supergraph/stack';
import { initTracing, type Tracing } from '@supergraph/telemetry';
import { eventually, graphql, testDatabase, testLogger, type TestDatabase } from '@supergraph/testing';

const exporter = new InMemorySpanExporter();
const log = testLogger();
let tracing: Tracing;
let db: TestDatabase;
let stack: Stack;

beforeAll(async () => {
  // Tracing is set up before the servers are built, as every process does at start.
  tracing = initTracing({ serviceName: 'e2e', spanExporter: exporter });
  db = await testDatabase();
  stack = await startStack({ logger: log.logger, databaseUrl: db.serverUrl, databaseName: db.name, gatewayPort: 0 });
  const token = await stack.devIssuer!.mintToken('alice');
  await graphql(stack.gatewayUrl, '{ me { id } }', {}, { authorization: `Bearer ${token}` });
});

afterAll(async () => {
  await stack?.stop();
  await db?.drop();
  await tracing?.shutdown();
});

describe('tracing', () => {
  it('one trace holds the gateway operation, its subgraph fetches, the subgraphs’ requests and resolvers, and their SQL', async () => {
    exporter.reset();
    const { body } = await graphql(
      stack.gatewayUrl,
      'query Traced { users(first: 1) { edges { node { handle subscription { plan } } } } }',
      {},
      { 'x-request-id': 'trace-me' },
    );
    expect(body).toEqual({
      data: { users: { edges: [{ node: { handle: 'alice', subscription: { plan: 'FREE' } } }] } },
    });

    const spans = await eventually(async () => {
      const finished = exporter.getFinishedSpans();
      const root = finished.find(
        (span) => span.name === 'POST /graphql' && span.instrumentationScope.name === 'gateway',
      );
      expect(root).toBeDefined();
      return finished.filter((span) => span.spanContext().traceId === root!.spanContext().traceId);
    });
    const names = (scope: string) =>
      spans.filter((span) => span.instrumentationScope.name === scope).map((span) => span.name);
    expect(names('gateway')).toEqual(['POST /graphql']);
    expect(spans.map((span) => span.name)).toEqual(
      expect.arrayContaining(['gateway.request', 'gateway.plan', 'gateway.execute', 'gateway.fetch']),
    );
    expect(spans.filter((span) => span.name === 'gateway.fetch')).toHaveLength(2); // users, then billing
    expect(names('subgraph-users')).toEqual(expect.arrayContaining(['POST /graphql', 'resolve Query.users']));
    expect(names('subgraph-billing')).toEqual(expect.arrayContaining(['POST /graphql', 'resolve Query._entities']));
    const sql = spans.filter((span) => span.name === 'db.query');
    expect(sql.map((span) => span.attributes['db.statement'])).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"users"."user"'),
        expect.stringContaining('"billing"."customer_subscription"'),
      ]),
    );
    // Parentage: every span but the root has its parent inside the same trace.
    const ids = new Set(spans.map((span) => span.spanContext().spanId));
    const orphans = spans.filter(
      (span: ReadableSpan) => span.parentSpanContext && !ids.has(span.parentSpanContext.spanId),
    );
    expect(orphans.map((span) => span.name)).toEqual([]);

    const traceId = spans[0]!.spanContext().traceId;
    const lines = log.lines().filter((line) => line.requestId === 'trace-me' && line.msg === 'graphql request');
    expect(lines.map((line) => [line.subgraph ?? 'gateway', line.traceId, line.outcome]).sort()).toEqual([
      ['billing', traceId, 'ok'],
      ['gateway', traceId, 'ok'],
      ['users', traceId, 'ok'],
    ]);
  });
});

describe('metrics', () => {
  const scrape = async (graphqlUrl: string) => (await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'))).text();
  /** Whether the exposition has a sample of `name` with all of `labels` (in any order). */
  const hasSeries = (text: string, name: string, labels: Record<string, string>) =>
    text.split('\n').some((line) => {
      const match = /^([a-z_]+)\{([^}]*)\} /.exec(line);
      if (!match || match[1] !== name) return false;
      return Object.entries(labels).every(([key, value]) => match[2]!.includes(`${key}="${value}"`));
    });

  it('the gateway exposes request, operation and subgraph-fetch series, and Node runtime metrics', async () => {
    await graphql(stack.gatewayUrl, 'query Metered { plans { code } }');
    const text = await scrape(stack.gatewayUrl);
    const expected: [string, Record<string, string>][] = [
      ['http_requests_total', { method: 'POST', route: '/graphql', status: '200', service: 'gateway' }],
      ['graphql_requests_total', { operation: 'Metered', client: 'anonymous', outcome: 'ok', service: 'gateway' }],
      [
        'graphql_request_duration_seconds_bucket',
        { le: '0.005', operation: 'Metered', client: 'anonymous', service: 'gateway' },
      ],
      ['supergraph_subgraph_fetch_duration_seconds_count', { subgraph: 'billing', service: 'gateway' }],
      ['nodejs_heap_size_used_bytes', { service: 'gateway' }],
    ];
    expect(expected.filter(([name, labels]) => !hasSeries(text, name, labels))).toEqual([]);
  });

  it('subgraphs expose outbox backlog, consumer lag, pool and policy series', async () => {
    const users = await scrape(stack.subgraphUrls.users);
    const expected: [string, Record<string, string>][] = [
      ['supergraph_outbox_unpublished_events', { service: 'users' }],
      ['supergraph_outbox_lag_seconds', { service: 'users' }],
      ['supergraph_db_pool_connections', { state: 'used', service: 'users' }],
      ['supergraph_policy_decisions', { outcome: 'allow', service: 'users' }],
      ['graphql_requests_total', { service: 'users' }],
    ];
    expect(expected.filter(([name, labels]) => !hasSeries(users, name, labels))).toEqual([]);
    const search = await scrape(stack.subgraphUrls.search);
    expect(search).toMatch(
      /supergraph_stream_consumer_lag\{stream="content\.posts",group="search\.index-posts",service="search"\} 0/,
    );
  });
});
