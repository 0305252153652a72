import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloGateway, type SupergraphManager } from '@apollo/gateway';
import { authenticationMiddleware, type Identity, type SubjectDenylist, type TokenVerifier } from '@supergraph/auth';
import { isClientSafe, maskError } from '@supergraph/errors';
import { REQUEST_ID_HEADER, requestIdFrom, type Logger } from '@supergraph/logger';
import type { GraphQLFormattedError } from 'graphql';
import { requestLogPlugin, createMetrics, httpServerSpans, type ServiceMetrics } from '@supergraph/telemetry';
import { securedGateway, SupergraphSecurity } from './security.js';
import { supergraphFromFile } from './supergraphFile.js';
import type { GatewayContext } from './context.js';
import { SubgraphDataSource } from './SubgraphDataSource.js';
import { SubgraphHttpClient } from './perf/SubgraphHttpClient.js';
import { subgraphFetcher } from './perf/subgraphFetcher.js';
import { installFastResultShaping } from './perf/resultShaping.js';
import { SubscriptionEngine, type SubscriptionEngineOptions } from './subscriptions/SubscriptionEngine.js';
import { attachWebSocketServer, type WebSocketOptions } from './subscriptions/websocketServer.js';
import { multipartSubscriptions } from './subscriptions/multipart.js';
import { CostEstimator, DEFAULT_COST_OPTIONS } from './edge/cost.js';
import { Drain } from './edge/drain.js';
import { edgeGate, edgeResponseHeaders } from './edge/edgeMiddleware.js';
import { edgeErrorHandler } from './edge/httpErrors.js';
import { withoutSuggestions } from './edge/introspection.js';
import { DEFAULT_OPERATION_LIMITS, OperationLimiter } from './edge/limits.js';
import { operationGuard } from './edge/operationGuard.js';
import { DEFAULT_EDGE, type EdgeOptions } from './edge/options.js';
import { SubgraphResilience } from './edge/resilience.js';
import { operationLimitsMiddleware } from './edge/useOperationLimits.js';
import { DEFAULT_RATE_LIMIT_BUDGETS, RATE_LIMIT_KEY, rateLimitMiddleware } from './edge/useRateLimit.js';

export type { GatewayContext } from './context.js';
import {
  persistedQueryMiddleware,
  safelistDecider,
  SafelistRegistry,
  type PersistedQueryStats,
} from './persisted/index.js';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';

export interface GatewayOptions {
  readonly logger: Logger;
  /** Supergraph SDL file, reloaded on change. */
  readonly supergraphPath?: string;
  /** Or a fixed supergraph (tests). */
  readonly supergraphSdl?: string;
  /** Routing URLs by subgraph name that replace the supergraph's (embedded stack, tests). */
  readonly subgraphUrls?: Readonly<Record<string, string>>;
  /** Largest accepted request body. Default `1mb`. */
  readonly bodyLimit?: string;
  /** Verifies bearer tokens; without it every token is refused (anonymous requests still work). */
  readonly verifier?: TokenVerifier;
  /** Subjects whose still-valid tokens are refused at once (disabled accounts). */
  readonly denylist?: SubjectDenylist;
  /** Automatic persisted queries store; default in memory (one per replica). Redis in production. */
  readonly apqCache?: KeyValueCache<string>;
  /** Partner safelists: `<dir>/<client id>/manifest.json`, re-read every `manifestPollMs` (default 2 s). */
  readonly partnerManifestsDir?: string;
  readonly manifestPollMs?: number;
  /** `max-age` for anonymous GET query responses without errors (CDN-cacheable). Default 60 s; 0 disables. */
  readonly publicGetMaxAgeSeconds?: number;
  /** `log`: log first-party operations missing from `<partnerManifestsDir>/_first-party/manifest.json` (rollout). Default `off`. */
  readonly firstPartySafelistMode?: 'off' | 'log';
  /** Prometheus registry; default a new one labelled `service=gateway`. */
  readonly metrics?: ServiceMetrics;
  /** graphql-ws limits (subscriptions per connection and per subject, denylist check interval). */
  readonly websocket?: Pick<
    WebSocketOptions,
    'maxSubscriptionsPerConnection' | 'maxSubscriptionsPerSubject' | 'denylistCheckMs' | 'connectionInitWaitTimeoutMs'
  >;
  /** How lost subgraph subscription connections are retried (see SubscriptionEngineOptions). */
  readonly upstreamSubscriptions?: Pick<SubscriptionEngineOptions, 'upstreamRetryAttempts' | 'upstreamRetryBaseMs'>;
  /** Called after each reload attempt of the supergraph file. */
  readonly onSupergraphReload?: (outcome: 'updated' | 'rejected') => void;
  /** Limits, rate limits, CORS, security headers, introspection, subgraph resilience (docs/gateway-edge.md). */
  readonly edge?: EdgeOptions;
}

export interface Gateway {
  readonly app: express.Express;
  /** Federated subscriptions currently open. */
  readonly subscriptions: { active(): number };
  readonly metrics: ServiceMetrics;
  /** Partner requests per client and operation id (refusals counted apart). */
  readonly persistedQueries: PersistedQueryStats;
  start(options: { port: number; host?: string }): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

/**
 * The public edge: `@apollo/gateway` executing the composed supergraph behind `@apollo/server`, with
 * health endpoints, request ids and masked errors. Nothing listens until `start`.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { logger } = options;
  // Result shaping compiled once per request instead of re-derived per value (docs/gateway-performance.md).
  installFastResultShaping();
  const security = new SupergraphSecurity();
  const metrics = options.metrics ?? createMetrics('gateway');
  const edge = options.edge ?? {};
  const resilience = new SubgraphResilience(edge.resilience, metrics);
  const introspection = edge.introspection ?? DEFAULT_EDGE.introspection();
  const limiter = new OperationLimiter({ ...DEFAULT_OPERATION_LIMITS, ...edge.limits });
  const costs = new CostEstimator({ ...DEFAULT_COST_OPTIONS, ...edge.cost });
  const rateBudgets = { ...DEFAULT_RATE_LIMIT_BUDGETS, ...edge.rateLimit?.budgets };
  const drain = new Drain();
  // Keep-alive pools per subgraph and one upstream request for identical queries in flight (docs/gateway-performance.md).
  const subgraphClient = new SubgraphHttpClient();
  const fetchSubgraph = subgraphFetcher(subgraphClient);
  const fetchMetrics = {
    duration: metrics.histogram('supergraph_subgraph_fetch_duration_seconds', 'Gateway fetches to subgraphs', [
      'subgraph',
    ]),
    errors: metrics.counter('supergraph_subgraph_fetch_errors_total', 'Gateway fetches to subgraphs that failed', [
      'subgraph',
    ]),
  };
  // One data source per subgraph, for queries and for the follow-up fetches of subscription events alike:
  // keep-alive pools, timeouts, retries and circuit breakers. `url` is already the routing URL to use.
  const dataSource = (name: string, url: string) =>
    new SubgraphDataSource(name, { url, fetcher: resilience.wrap(name, fetchSubgraph) as never }, fetchMetrics);
  const subscriptions = new SubscriptionEngine({
    logger,
    dataSource,
    ...(options.subgraphUrls ? { subgraphUrls: options.subgraphUrls } : {}),
    ...options.upstreamSubscriptions,
  });
  security.onCommit((sdl, requirements) => subscriptions.update(sdl, requirements));
  let websockets: ReturnType<typeof attachWebSocketServer> | undefined;
  let supergraphSdl: string | SupergraphManager;
  if (options.supergraphSdl !== undefined) {
    const prepared = security.prepare(options.supergraphSdl);
    prepared.commit();
    supergraphSdl = prepared.sdl;
  } else if (options.supergraphPath !== undefined) {
    supergraphSdl = supergraphFromFile(options.supergraphPath, logger, {
      prepare: (sdl) => security.prepare(sdl),
      ...(options.onSupergraphReload ? { onReload: options.onSupergraphReload } : {}),
    });
  } else throw new Error('createGateway needs supergraphPath or supergraphSdl');

  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    buildService: ({ name, url }) => dataSource(name, options.subgraphUrls?.[name] ?? url!),
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', edge.trustProxyHops ?? 0);
  app.use(edgeResponseHeaders(drain, edge.securityHeaders));
  app.use(httpServerSpans('gateway'), (req, res, next) => metrics.http(req, res, next));
  app.get('/metrics', (req, res) => void metrics.handler(req, res));
  const httpServer = http.createServer(app);

  // A subgraph that failed without a registered code (unreachable, crashed) surfaces as
  // DOWNSTREAM_SERVICE_ERROR naming it; anything else unregistered is masked. Originals are logged
  // by `requestLog`, with the request id.
  const formatError = (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const serviceName = formatted.extensions?.serviceName;
    if (typeof serviceName === 'string' && !isClientSafe(formatted)) {
      return {
        message: `The ${serviceName} service failed`,
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName },
      };
    }
    // Apollo Server gives this one no code.
    if (formatted.message === 'provided sha does not match query' && !isClientSafe(formatted)) {
      return { message: formatted.message, extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } };
    }
    return introspection === 'public' ? maskError(formatted) : withoutSuggestions(maskError(formatted));
  };

  const requestLog = requestLogPlugin<GatewayContext>(metrics);

  const safelists = options.partnerManifestsDir
    ? new SafelistRegistry(options.partnerManifestsDir, logger, options.manifestPollMs)
    : undefined;
  const persistedStats: PersistedQueryStats = { byOperation: new Map() };
  const safelist = safelists
    ? safelistDecider(safelists, logger, persistedStats, { firstPartyMode: options.firstPartySafelistMode ?? 'off' })
    : undefined;
  metrics.gauge('supergraph_websocket_connections', 'Open graphql-ws connections', [], (gauge) =>
    gauge.set(websockets?.connections() ?? 0),
  );
  metrics.gauge('supergraph_subscriptions_active', 'Client subscriptions open', [], (gauge) =>
    gauge.set(subscriptions.active),
  );
  metrics.gauge(
    'supergraph_persisted_operations',
    'Partner requests since start, by client, operation id and outcome',
    ['client', 'operation', 'outcome'],
    (gauge) => {
      for (const [key, { count, refused }] of persistedStats.byOperation) {
        const [client = '', operation = ''] = key.split('|');
        gauge.set({ client, operation, outcome: 'served' }, count - refused);
        gauge.set({ client, operation, outcome: 'refused' }, refused);
      }
    },
  );
  const publicMaxAge = options.publicGetMaxAgeSeconds ?? 60;
  const cdnHeaders: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response, contextValue, errors }) {
          // Anonymous GET queries are the same for everyone: let a CDN keep them briefly.
          if (request.http?.method !== 'GET' || response.http.headers.has('cache-control')) return;
          const cacheable =
            publicMaxAge > 0 &&
            !contextValue.identity &&
            !errors?.length &&
            response.body.kind === 'single' &&
            !response.body.singleResult.errors;
          response.http.headers.set(
            'cache-control',
            cacheable ? `public, max-age=${publicMaxAge}` : 'private, no-store',
          );
          response.http.headers.set('vary', 'authorization');
        },
      };
    },
  };

  const apollo = new ApolloServer<GatewayContext>({
    gateway: securedGateway(gateway, security),
    persistedQueries: {
      cache: options.apqCache ?? new InMemoryLRUCache<string>({ maxSize: 32 * 1024 * 1024 }),
      ttl: 86_400,
    },
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      requestLog,
      cdnHeaders,
      operationGuard({
        cost: costs,
        introspection,
        ...(edge.rateLimit ? { mutations: { store: edge.rateLimit.store, policy: rateBudgets.mutation } } : {}),
      }),
    ],
  });

  let ready = false;
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'live' });
  });
  app.get('/health/ready', (_req, res) => {
    res
      .status(ready ? 200 : 503)
      .json(ready ? { status: 'ready' } : { status: 'not ready', reason: 'supergraph not loaded' });
  });

  let started = false;
  return {
    app,
    persistedQueries: persistedStats,
    subscriptions: { active: () => subscriptions.active },
    metrics,
    async start({ port, host = '127.0.0.1' }) {
      await safelists?.start();
      await apollo.start();
      started = true;
      app.use(
        '/graphql',
        edgeGate(edge.cors ?? { allowedOrigins: [] }),
        authenticationMiddleware(options.verifier, options.denylist, (error) =>
          logger.error({ err: error }, 'token verification unavailable'),
        ),
        ...(edge.rateLimit ? [rateLimitMiddleware(edge.rateLimit.store, rateBudgets, logger)] : []),
        express.json({ limit: options.bodyLimit ?? '1mb' }),
        edgeErrorHandler(logger),
        ...(safelist ? [persistedQueryMiddleware(safelist)] : []),
        // After the safelists, which turn partners' ids into documents.
        operationLimitsMiddleware(limiter),
        // After the safelists: partners subscribe by id too.
        multipartSubscriptions(subscriptions, logger, { cost: costs }),
        expressMiddleware(apollo, {
          context: async ({ req, res }) => {
            const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
            const identity = res.locals.identity as Identity | undefined;
            const operationId = res.locals.persistedOperationId as string | undefined;
            return {
              requestId,
              identity,
              logger: logger.child({
                requestId,
                ...(identity ? { subject: identity.subject, clientId: identity.clientId } : {}),
                ...(operationId ? { operationId } : {}),
              }),
              authorization: req.headers.authorization,
              rateLimitKey: res.locals[RATE_LIMIT_KEY] as string | undefined,
            };
          },
        }),
      );
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      websockets = attachWebSocketServer(httpServer, subscriptions, logger, {
        verifier: options.verifier,
        denylist: options.denylist,
        ...(safelist ? { safelist } : {}),
        limits: { limiter, cost: costs },
        ...options.websocket,
      });
      ready = true;
      const address = httpServer.address() as AddressInfo;
      const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}/graphql`;
      logger.info({ url }, 'gateway listening');
      return { url, port: address.port };
    },
    async stop() {
      ready = false;
      drain.start();
      safelists?.stop();
      // Subscriptions first: clients get a clean close, upstream connections end.
      await websockets?.close();
      await subscriptions.close();
      if (started) await apollo.stop();
      else httpServer.close();
      // After the drain: requests still in flight needed their subgraph connections.
      await subgraphClient.close();
    },
  };
}
