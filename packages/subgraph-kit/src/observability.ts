import { defaultFieldResolver, isObjectType, type GraphQLSchema } from 'graphql';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { EventBus } from '@supergraph/events';
import type { PolicyEngine } from '@supergraph/policy';
import { inSpan, type ServiceMetrics } from '@supergraph/telemetry';
import type { ConsumerDefinition } from './defineSubgraph.js';

/** Spans for the resolvers of interest: every root field, `_entities` included (tracing on only). */
export function traceRootResolvers(schema: GraphQLSchema, subgraph: string): void {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root || !isObjectType(root)) continue;
    for (const field of Object.values(root.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      const name = `${root.name}.${field.name}`;
      field.resolve = (source, args, context, info) =>
        inSpan(`subgraph-${subgraph}`, `resolve ${name}`, { 'graphql.field.path': name }, async () =>
          resolve(source, args, context, info),
        );
    }
  }
}

/** Gauges read at scrape time: outbox backlog, consumer lag, connection pool, policy decisions. */
export function registerSubgraphGauges(
  metrics: ServiceMetrics,
  sources: { orm: MikroORM; bus: EventBus; consumers: readonly ConsumerDefinition[]; policy: PolicyEngine | undefined },
): void {
  const { orm, bus, consumers, policy } = sources;
  const schema = orm.config.get('schema');
  metrics.gauge(
    'supergraph_outbox_unpublished_events',
    'Outbox rows committed but not yet published',
    [],
    async (gauge) => {
      const [row] = await orm.em
        .fork()
        .getConnection()
        .execute<{ n: string; age: string | null }[]>(
          `select count(*) as n, extract(epoch from now() - min(created_at)) as age from "${schema}"."outbox_event" where published_at is null`,
        )
        .catch(() => [{ n: '0', age: null }]);
      gauge.set(Number(row?.n ?? 0));
    },
  );
  metrics.gauge('supergraph_outbox_lag_seconds', 'Age of the oldest unpublished outbox row', [], async (gauge) => {
    const [row] = await orm.em
      .fork()
      .getConnection()
      .execute<{ age: string | null }[]>(
        `select extract(epoch from now() - min(created_at)) as age from "${schema}"."outbox_event" where published_at is null`,
      )
      .catch(() => [{ age: null }]);
    gauge.set(Number(row?.age ?? 0));
  });
  metrics.gauge(
    'supergraph_stream_consumer_lag',
    'Events a consumer group has not read yet',
    ['stream', 'group'],
    async (gauge) => {
      for (const consumer of consumers) {
        gauge.set(
          { stream: consumer.stream, group: consumer.name },
          await bus.lag(consumer.stream, consumer.name).catch(() => 0),
        );
      }
    },
  );
  metrics.gauge('supergraph_db_pool_connections', 'PostgreSQL pool connections by state', ['state'], (gauge) => {
    const pool = (
      orm.em.getConnection().getKnex().client as {
        pool?: { numUsed(): number; numFree(): number; numPendingAcquires(): number };
      }
    ).pool;
    if (!pool) return;
    gauge.set({ state: 'used' }, pool.numUsed());
    gauge.set({ state: 'free' }, pool.numFree());
    gauge.set({ state: 'pending' }, pool.numPendingAcquires());
  });
  if (policy) {
    metrics.gauge('supergraph_policy_decisions', 'Policy decisions since start, by outcome', ['outcome'], (gauge) => {
      gauge.set({ outcome: 'allow' }, policy.stats.allowed);
      gauge.set({ outcome: 'deny' }, policy.stats.denied);
      gauge.set({ outcome: 'error' }, policy.stats.errors);
    });
    metrics.gauge('supergraph_policy_bundles', 'Policy bundle loads since start, by outcome', ['outcome'], (gauge) => {
      gauge.set({ outcome: 'loaded' }, policy.stats.bundlesLoaded);
      gauge.set({ outcome: 'rejected' }, policy.stats.bundlesRejected);
    });
  }
}
