import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { ChangeSetType, MikroORM, PostgreSqlDriver, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { authenticationMiddleware, type Identity, type SubjectDenylist, type TokenVerifier } from '@supergraph/auth';
import { AppError, maskError } from '@supergraph/errors';
import {
  idempotent,
  InProcessRealtime,
  outboxEntities,
  OutboxRelay,
  type Consumption,
  type EventBus,
  type RealtimeBus,
} from '@supergraph/events';
import { REQUEST_ID_HEADER, requestIdFrom, type Logger } from '@supergraph/logger';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { SubgraphContext } from './context.js';
import type { ConsumerContext, SubgraphDefinition } from './defineSubgraph.js';
import { Loaders } from './Loaders.js';
import { withReferenceResolvers } from './referenceResolvers.js';
import { registerSubgraphGauges, traceRootResolvers } from './observability.js';
import {
  requestLogPlugin,
  createMetrics,
  httpServerSpans,
  recordSqlSpan,
  tracingEnabled,
  type ServiceMetrics,
} from '@supergraph/telemetry';
import { createPolicyGuard } from './policyGuard.js';
import type { PolicyEngine } from '@supergraph/policy';
import { applyAccessControl } from './accessControl.js';
import { serveSubscriptions, type SubscriptionServer } from './subscriptions.js';

export interface SubgraphDeps {
  readonly databaseUrl: string;
  readonly bus: EventBus;
  readonly logger: Logger;
  /** Outbox relay safety-net interval. Default 500 ms. */
  readonly relayIntervalMs?: number;
  /** Count SQL statements issued while serving GraphQL requests in `stats.sqlQueries` (tests of batching). Default false. */
  readonly countSqlQueries?: boolean;
  /** Largest accepted request body. Default `1mb`. */
  readonly bodyLimit?: string;
  /** Verifies bearer tokens (zero trust: again after the gateway). Without it, every token is refused. */
  readonly verifier?: TokenVerifier;
  /** Subjects whose tokens are refused although valid (disabled accounts). */
  readonly denylist?: SubjectDenylist;
  /** Decides `@policy` fields and `ctx.policy` checks; without it every policy check denies. */
  readonly policy?: PolicyEngine;
  /** Prometheus registry of this subgraph; default a new one labelled `service=<name>`. */
  readonly metrics?: ServiceMetrics;
  /**
   * Realtime pub/sub feeding subscriptions (`ctx.realtime`, consumers' `realtime`); share one Redis-backed
   * bus between replicas (`createRealtime`). Default an in-process bus of this server's own, closed by
   * `stop()` (a given one is the caller's to close).
   */
  readonly realtime?: RealtimeBus;
}

export interface SubgraphServer {
  readonly name: string;
  readonly orm: MikroORM;
  readonly app: express.Express;
  readonly stats: { graphqlRequests: number; sqlQueries: number; readonly outboxPolls: number };
  readonly metrics: ServiceMetrics;
  /** The realtime bus of `ctx.realtime` (the given one, or this server's in-process one). */
  readonly realtime: RealtimeBus;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /**
   * Listens (GraphQL over HTTP and over WebSocket, `graphql-transport-ws`, both at `/graphql`), starts
   * the outbox relay and the event consumers. Port 0 picks a free port.
   */
  start(options: { port: number; host?: string }): Promise<{ url: string; wsUrl: string; port: number }>;
  /** Publishes committed outbox rows now (tests and seeding). */
  drainOutbox(): Promise<number>;
  /** Ready = database reachable and no pending migration. */
  readiness(): Promise<{ ready: boolean; reason?: string }>;
  /**
   * Stops accepting requests, completes every subscription and closes WebSocket connections (1001),
   * drains in-flight requests, stops consumers and closes the pool.
   */
  stop(): Promise<void>;
}

/**
 * Builds a subgraph server from its definition. Nothing listens and nothing is consumed until
 * `start`; the ORM is initialised (its pool connects lazily on first query).
 */
export async function createSubgraphServer(
  definition: SubgraphDefinition,
  deps: SubgraphDeps,
): Promise<SubgraphServer> {
  const logger = deps.logger.child({ subgraph: definition.name });
  const ownsRealtime = deps.realtime === undefined;
  const realtime: RealtimeBus = deps.realtime ?? new InProcessRealtime({ logger });
  const stats = { graphqlRequests: 0, sqlQueries: 0 };
  // Marks the async work of GraphQL requests, so that SQL counts leave out the relay and consumers.
  const requestScope = new AsyncLocalStorage<true>();
  const traced = tracingEnabled();
  const countQuery = (context?: { query?: string; took?: number }) => {
    if (requestScope.getStore()) stats.sqlQueries += 1;
    if (traced && context?.query) recordSqlSpan(context.query, context.took ?? 0);
  };

  const orm = await MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl: deps.databaseUrl,
    schema: definition.name,
    entities: [...definition.entities, ...outboxEntities()],
    extensions: [Migrator],
    migrations: {
      migrationsList: [...definition.migrations],
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    allowGlobalContext: false,
    pool: { min: 0, max: 10 },
    connect: false,
    ...(deps.countSqlQueries || traced
      ? {
          debug: ['query'] as const,
          loggerFactory: () =>
            ({
              log: (_namespace: unknown, _message: unknown, context?: { query?: string; took?: number }) =>
                countQuery(context),
              error: () => undefined,
              warn: () => undefined,
              logQuery: (context: { query?: string; took?: number }) => countQuery(context),
              setDebugMode: () => undefined,
              isEnabled: (namespace: string) => namespace === 'query',
            }) as never,
        }
      : { debug: false }),
  });

  const relay = new OutboxRelay({
    orm,
    bus: deps.bus,
    logger,
    ...(deps.relayIntervalMs !== undefined ? { intervalMs: deps.relayIntervalMs } : {}),
  });
  // Wake the relay once this process has committed an outbox row, rather than at its next interval.
  // Only flushes that create outbox rows count: the relay's own transactions must not wake it again.
  let outboxCommitPending = false;
  orm.em.getEventManager().registerSubscriber({
    afterFlush: ({ em, uow }) => {
      if (
        !uow
          .getChangeSets()
          .some((changeSet) => changeSet.name === 'OutboxEvent' && changeSet.type === ChangeSetType.CREATE)
      )
        return;
      if (em.isInTransaction()) outboxCommitPending = true;
      else relay.notify();
    },
    afterTransactionCommit: () => {
      if (!outboxCommitPending) return;
      outboxCommitPending = false;
      relay.notify();
    },
  });

  const metrics = deps.metrics ?? createMetrics(definition.name);
  const app = express();
  app.disable('x-powered-by');
  app.use(httpServerSpans(`subgraph-${definition.name}`), (req, res, next) => metrics.http(req, res, next));
  app.get('/metrics', (req, res) => void metrics.handler(req, res));
  const httpServer = http.createServer(app);

  // Clients get registered codes only; the originals of masked errors are logged by `requestLog`
  // below, where the request's logger (and so its request id) is at hand.
  const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = (error as { originalError?: unknown }).originalError;
    if (original instanceof UniqueConstraintViolationException) {
      return {
        ...AppError.conflict('The change conflicts with existing data').toJSON(),
        ...(formatted.path ? { path: formatted.path } : {}),
      };
    }
    return maskError(formatted);
  };

  const requestLog = requestLogPlugin<SubgraphContext>(metrics, {
    expected: (error) => error.originalError instanceof UniqueConstraintViolationException,
    onRequest: () => void (stats.graphqlRequests += 1),
  });

  // Subscriptions are served over WebSocket only (`serveSubscriptions`); over HTTP they would resolve nothing.
  const refuseHttpSubscriptions: ApolloServerPlugin<SubgraphContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError('Subscriptions are served over WebSocket (graphql-transport-ws) at this URL', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        },
      };
    },
  };

  const schema = buildSubgraphSchema({
    typeDefs: definition.typeDefs,
    resolvers: withReferenceResolvers(definition) as never,
  });
  applyAccessControl(schema, definition.typeDefs, definition.policyResources);
  if (traced) traceRootResolvers(schema, definition.name);
  registerSubgraphGauges(metrics, { orm, bus: deps.bus, consumers: definition.consumers ?? [], policy: deps.policy });
  const apollo = new ApolloServer<SubgraphContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // Inline tracing (ftv1) is for Apollo Studio, which we do not use; it costs on every request.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      requestLog,
      refuseHttpSubscriptions,
    ],
  });

  const createContext = (identity: Identity | undefined, requestId: string): SubgraphContext => {
    const em = orm.em.fork();
    return {
      em,
      requestId,
      identity,
      realtime,
      logger: logger.child({ requestId, ...(identity ? { subject: identity.subject } : {}) }),
      loaders: new Loaders(em),
      policy: createPolicyGuard(
        deps.policy,
        identity,
        identity && definition.policyPlan ? () => definition.policyPlan!(em, identity.subject) : undefined,
      ),
    };
  };
  let subscriptions: SubscriptionServer | undefined;

  let accepting = false;
  const readiness = async (): Promise<{ ready: boolean; reason?: string }> => {
    if (!accepting) return { ready: false, reason: 'not started' };
    if (deps.policy && !deps.policy.ready) return { ready: false, reason: 'no policy bundle loaded' };
    try {
      const pending = await orm.getMigrator().getPendingMigrations();
      if (pending.length > 0) return { ready: false, reason: `${pending.length} pending migration(s)` };
      return { ready: true };
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      return { ready: false, reason: 'database unreachable' };
    }
  };

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'live' });
  });
  app.get('/health/ready', async (_req, res) => {
    const state = await readiness();
    res
      .status(state.ready ? 200 : 503)
      .json(state.ready ? { status: 'ready' } : { status: 'not ready', reason: state.reason });
  });

  for (const route of definition.httpRoutes ?? []) {
    // Raw bytes, any content type: webhook signatures are computed over the body exactly as sent.
    const raw = express.raw({ type: () => true, limit: deps.bodyLimit ?? '1mb' });
    app[route.method === 'GET' ? 'get' : 'post'](route.path, raw, async (req, res) => {
      const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      const routeLogger = logger.child({ requestId, route: route.path });
      try {
        const answer = await route.handle({
          rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          headers: req.headers,
          em: orm.em.fork(),
          logger: routeLogger,
          requestId,
        });
        res.status(answer.status).json(answer.body);
      } catch (error) {
        routeLogger.error({ err: error }, 'HTTP route failed');
        res.status(500).json({ error: 'internal error' });
      }
    });
  }

  const consumptions: Consumption[] = [];
  const consumerContext: ConsumerContext = { realtime, logger };
  let started = false;

  return {
    name: definition.name,
    orm,
    app,
    metrics,
    realtime,
    stats: Object.defineProperty(stats, 'outboxPolls', {
      get: () => relay.polls,
      enumerable: true,
    }) as SubgraphServer['stats'],
    async migrate() {
      const applied = await orm.getMigrator().up();
      if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
      return applied.map((m) => m.name);
    },
    async start({ port, host = '127.0.0.1' }) {
      await apollo.start();
      started = true;
      app.use(
        '/graphql',
        (_req, _res, next) => requestScope.run(true, next),
        authenticationMiddleware(deps.verifier, deps.denylist, (error) =>
          logger.error({ err: error }, 'token verification unavailable'),
        ),
        express.json({ limit: deps.bodyLimit ?? '1mb' }),
        expressMiddleware(apollo, {
          context: async ({ req, res }) =>
            createContext(res.locals.identity as Identity | undefined, requestIdFrom(req.headers[REQUEST_ID_HEADER])),
        }),
      );
      subscriptions = serveSubscriptions({
        httpServer,
        path: '/graphql',
        schema,
        logger,
        verifier: deps.verifier,
        denylist: deps.denylist,
        context: createContext,
        eventContext: (operation) => {
          const em = orm.em.fork();
          return { ...operation, em, loaders: new Loaders(em) };
        },
        formatError,
        run: (work) => requestScope.run(true, work),
      });
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      relay.start();
      for (const consumer of definition.consumers ?? []) {
        consumptions.push(
          await deps.bus.consume({
            stream: consumer.stream,
            group: consumer.name,
            handler: idempotent(orm, consumer.name, (event, em) => consumer.handle(event, em, consumerContext)),
          }),
        );
      }
      accepting = true;
      const address = httpServer.address() as AddressInfo;
      const url = `http://${host}:${address.port}/graphql`;
      const wsUrl = `ws://${host}:${address.port}/graphql`;
      logger.info({ url, wsUrl }, 'subgraph listening');
      return { url, wsUrl, port: address.port };
    },
    drainOutbox: () => relay.drain(),
    readiness,
    async stop() {
      accepting = false;
      // Before the HTTP drain, which would end upgraded sockets without a close frame.
      await subscriptions?.close();
      await Promise.all(consumptions.splice(0).map((c) => c.stop()));
      if (started) await apollo.stop();
      else httpServer.close();
      await relay.stop();
      if (ownsRealtime) await realtime.close();
      await orm.close();
      logger.info('subgraph stopped');
    },
  };
}
