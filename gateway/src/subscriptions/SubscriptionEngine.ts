import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import { authorizeOperation, type Identity, type Requirements } from '@supergraph/auth';
import type { Logger } from '@supergraph/logger';
import { CloseCode, createClient, type Client } from 'graphql-ws';
import {
  GraphQLError,
  Kind,
  parse,
  print,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import WebSocket from 'ws';
import type { GatewayContext } from '../context.js';
import { AsyncQueue } from './AsyncQueue.js';

interface Loaded {
  readonly supergraph: Supergraph;
  readonly apiSchema: Schema;
  readonly schema: GraphQLSchema;
  readonly supergraphSchema: GraphQLSchema;
  readonly planner: QueryPlanner;
  readonly requirements: Requirements;
  /** One data source per subgraph, built when the supergraph loads (not per event). */
  readonly sources: ReadonlyMap<string, GraphQLDataSource>;
  /** Prepared documents by operation name and text, for this supergraph only (least recently used evicted). */
  readonly prepared: Map<string, Prepared>;
}

/** What is known of a document once, whoever sends it: parsed, validated, planned. */
export interface Prepared {
  readonly document: DocumentNode;
  readonly operationName: string | undefined;
  /** Parse or validation errors; nothing else is set when there are some. */
  readonly errors: readonly GraphQLError[];
  readonly isSubscription: boolean;
  /** Set on first subscribe: the plan's primary fetch and the rest, shared by every subscriber. */
  planned?: Planned | { readonly error: GraphQLError };
  /** `authorizeOperation` outcome by the caller's scopes (it depends on nothing else). */
  readonly authorized: Map<string, readonly GraphQLError[]>;
}

interface Planned {
  readonly primary: FetchNode;
  readonly eventPlan: QueryPlan;
  readonly operationContext: ReturnType<typeof buildOperationContext>;
  /** The document printed once: part of the key that lets identical subscriptions share a feed. */
  readonly printed: string;
}

const PREPARED_MAX = 1_000;
const AUTHORIZED_MAX = 64;

export interface SubscriptionEngineOptions {
  readonly logger: Logger;
  /** Data source of each subgraph for the follow-up fetches of every event. */
  readonly dataSource: (serviceName: string, url: string) => GraphQLDataSource;
  /** Routing URLs that replace the supergraph's (as for HTTP fetches). */
  readonly subgraphUrls?: Readonly<Record<string, string>>;
  /** Events a client may fall behind before its subscription ends. Default 100. */
  readonly queueCapacity?: number;
  /**
   * Reconnection attempts when a subgraph's subscription connection is lost, before the client
   * subscriptions on it end with DOWNSTREAM_SERVICE_ERROR. Default 4.
   */
  readonly upstreamRetryAttempts?: number;
  /** First retry delay; doubles with each attempt, with up to 50% random jitter. Default 200 ms (total ≈ 3–4.5 s). */
  readonly upstreamRetryBaseMs?: number;
}

/** What one client subscription asks for. */
interface SubscribeArgs {
  readonly document: DocumentNode;
  readonly operationName: string | null | undefined;
  readonly variables: Record<string, unknown>;
  readonly context: GatewayContext;
}

/** One upstream subscription and the client subscriptions it feeds. */
interface Feed {
  readonly queues: Set<AsyncQueue<ExecutionResult>>;
  stop(): void;
}

interface Upstream {
  readonly client: Client;
  refs: number;
}

const wsUrl = (url: string) => url.replace(/^http/, 'ws');
const isCallerRefused = (event: unknown) =>
  typeof event === 'object' &&
  event !== null &&
  'code' in event &&
  (event.code === CloseCode.Unauthorized || event.code === CloseCode.Forbidden);
/**
 * Disposes a graphql-ws client. Its `dispose` awaits a connection attempt in progress, which rejects
 * ("All Subscriptions Gone") when the client's last subscription ended during a retry's wait: that
 * rejection means nothing here and must not become an unhandled one.
 */
const dispose = (client: Client) => Promise.resolve(client.dispose()).catch(() => undefined);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Exponential backoff with jitter, so that gateways do not reconnect to a restarted subgraph in lockstep. */
const backoff = (retries: number, baseMs: number) => baseMs * 2 ** retries * (1 + Math.random() * 0.5);

/**
 * Executes federated subscriptions, which `@apollo/gateway` cannot: the query planner's
 * SubscriptionNode gives a primary fetch (the subscription on the owning subgraph, opened over
 * graphql-ws) and the rest of the plan, run for every event with the event standing in for the
 * primary fetch's result, so fields of other subgraphs are resolved per event. Upstream connections
 * are shared per subgraph and caller.
 */
export class SubscriptionEngine {
  private loaded: Loaded | undefined;
  private readonly upstreams = new Map<string, Upstream>();
  private readonly feeds = new Map<string, Feed>();
  /** A document parsed by `prepare` leads back to what was prepared with it. */
  private readonly preparedByDocument = new WeakMap<DocumentNode, Prepared>();
  /** Client subscriptions currently open. */
  active = 0;

  constructor(private readonly options: SubscriptionEngineOptions) {}

  /** Takes the supergraph the gateway plans with (security marks already removed) and its requirements. */
  update(supergraphSdl: string, requirements: Requirements): void {
    const supergraph = Supergraph.build(supergraphSdl, { validateSupergraph: false });
    const apiSchema = supergraph.apiSchema();
    this.loaded = {
      supergraph,
      apiSchema,
      schema: apiSchema.toGraphQLJSSchema(),
      supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
      planner: new QueryPlanner(supergraph),
      requirements,
      prepared: new Map(),
      sources: new Map(
        supergraph
          .subgraphsMetadata()
          .map(({ name, url }) => [name, this.options.dataSource(name, this.options.subgraphUrls?.[name] ?? url)]),
      ),
    };
  }

  /** The API schema subscriptions are validated against; undefined until a supergraph is loaded. */
  get schema(): GraphQLSchema | undefined {
    return this.loaded?.schema;
  }

  private url(serviceName: string): string {
    const fromSupergraph = this.loaded?.supergraph.subgraphsMetadata().find((s) => s.name === serviceName)?.url;
    const url = this.options.subgraphUrls?.[serviceName] ?? fromSupergraph;
    if (!url) throw new Error(`no URL for subgraph ${serviceName}`);
    return url;
  }

  private upstream(serviceName: string, authorization: string | undefined): { client: Client; release: () => void } {
    const key = `${serviceName}|${authorization ?? ''}`;
    let entry = this.upstreams.get(key);
    if (!entry) {
      const client = createClient({
        url: wsUrl(this.url(serviceName)),
        webSocketImpl: WebSocket,
        lazy: true,
        lazyCloseTimeout: 1_000,
        // A lost upstream (a subgraph replica restarting or going away) is reconnected with exponential
        // backoff and every subscription on it is sent again; events published meanwhile are missed.
        // When the retries run out, the client subscriptions end with DOWNSTREAM_SERVICE_ERROR.
        retryAttempts: this.options.upstreamRetryAttempts ?? 4,
        retryWait: (retries) => sleep(backoff(retries, this.options.upstreamRetryBaseMs ?? 200)),
        // Also a refused connection (graphql-ws retries only close events by default: the replica may be
        // restarting), but not a refusal of the caller (4401/4403: an expired token or a disabled account).
        shouldRetry: (event) => !isCallerRefused(event),
        on: {
          connected: (_socket, _payload, wasRetry) => {
            if (wasRetry) this.options.logger.info({ serviceName }, 'upstream subscription connection restored');
          },
        },
        connectionParams: authorization ? { authorization } : {},
      });
      entry = { client, refs: 0 };
      this.upstreams.set(key, entry);
    }
    const held = entry;
    held.refs += 1;
    let released = false;
    return {
      client: held.client,
      release: () => {
        if (released) return;
        released = true;
        held.refs -= 1;
        if (held.refs === 0) {
          this.upstreams.delete(key);
          void dispose(held.client);
        }
      },
    };
  }

  /**
   * Parses and validates a subscription document once per supergraph: thousands of clients sending the
   * same text share the result (and, on first subscribe, its plan).
   */
  prepare(query: string, operationName: string | null | undefined): Prepared | undefined {
    const loaded = this.loaded;
    if (!loaded) return undefined;
    const key = `${operationName ?? ''}\u0000${query}`;
    const hit = loaded.prepared.get(key);
    if (hit) {
      loaded.prepared.delete(key);
      loaded.prepared.set(key, hit);
      return hit;
    }
    const prepared = this.prepareDocument(loaded, query, operationName ?? undefined);
    if (loaded.prepared.size >= PREPARED_MAX) loaded.prepared.delete(loaded.prepared.keys().next().value!);
    loaded.prepared.set(key, prepared);
    return prepared;
  }

  private prepareDocument(loaded: Loaded, query: string, operationName: string | undefined): Prepared {
    const base = { operationName, authorized: new Map<string, readonly GraphQLError[]>() };
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      const message = (error as Error).message;
      const errors = [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
      return { ...base, document: { kind: Kind.DOCUMENT, definitions: [] }, errors, isSubscription: false };
    }
    const errors = validate(loaded.schema, document).map(
      (e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    );
    const prepared = { ...base, document, errors, isSubscription: isSubscription(document, operationName) };
    this.preparedByDocument.set(document, prepared);
    return prepared;
  }

  private plan(loaded: Loaded, prepared: Prepared): Planned | { readonly error: GraphQLError } {
    if (prepared.planned) return prepared.planned;
    const operation = operationFromDocument(loaded.apiSchema, prepared.document, {
      ...(prepared.operationName ? { operationName: prepared.operationName } : {}),
    });
    const node = loaded.planner.buildQueryPlan(operation).node;
    if (!node || node.kind !== 'Subscription') {
      prepared.planned = { error: new GraphQLError('Only subscriptions are served over WebSocket') };
      return prepared.planned;
    }
    const primary: FetchNode = node.primary;
    prepared.planned = {
      primary,
      eventPlan: {
        kind: 'QueryPlan',
        node: node.rest ? ({ kind: 'Sequence', nodes: [primary, node.rest] } as PlanNode) : primary,
      },
      operationContext: buildOperationContext({
        schema: loaded.schema,
        operationDocument: prepared.document,
        ...(prepared.operationName ? { operationName: prepared.operationName } : {}),
      }),
      printed: print(prepared.document),
    };
    return prepared.planned;
  }

  private authorize(loaded: Loaded, prepared: Prepared, identity: Identity | undefined): readonly GraphQLError[] {
    const key = identity ? [...identity.scopes].sort().join(' ') : '\u0000anonymous';
    const cached = prepared.authorized.get(key);
    if (cached) return cached;
    const denied = authorizeOperation(
      loaded.schema,
      prepared.document,
      prepared.operationName,
      loaded.requirements,
      identity,
    );
    const errors = (denied?.denied ?? []).map(
      (path) =>
        new GraphQLError('Unauthorized field or type', {
          path: [...path],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' },
        }),
    );
    if (prepared.authorized.size >= AUTHORIZED_MAX) prepared.authorized.clear();
    prepared.authorized.set(key, errors);
    return errors;
  }

  /** One client subscription: an iterator of results, ended by the client, the upstream or an error. */
  subscribe(args: SubscribeArgs): AsyncIterableIterator<ExecutionResult> | ExecutionResult {
    const loaded = this.loaded;
    if (!loaded) return { errors: [new GraphQLError('The supergraph is not loaded yet')] };
    const prepared =
      this.preparedByDocument.get(args.document) ?? this.prepare(print(args.document), args.operationName);
    if (!prepared || prepared.errors.length > 0) return { errors: [...(prepared?.errors ?? [])] };
    const denied = this.authorize(loaded, prepared, args.context.identity);
    if (denied.length > 0) return { errors: [...denied] };
    const planned = this.plan(loaded, prepared);
    if ('error' in planned) return { errors: [planned.error] };
    const { primary } = planned;
    const variables: Record<string, unknown> = {};
    for (const name of primary.variableUsages ?? []) if (name in args.variables) variables[name] = args.variables[name];

    // Identical subscriptions of one caller share one upstream subscription and one plan execution
    // per event, fanned out to every subscriber (what makes thousands of subscribers affordable).
    const key = [
      primary.serviceName,
      args.context.authorization ?? '',
      planned.printed,
      args.operationName ?? '',
      JSON.stringify(args.variables),
    ].join('\u0000');
    const feed = this.feeds.get(key) ?? this.openFeed(key, loaded, planned, variables, args);
    this.active += 1;
    const queue: AsyncQueue<ExecutionResult> = new AsyncQueue<ExecutionResult>(
      this.options.queueCapacity ?? 100,
      () => {
        this.active -= 1;
        feed.queues.delete(queue);
        if (feed.queues.size === 0) feed.stop();
      },
    );
    feed.queues.add(queue);
    return queue;
  }

  private openFeed(
    key: string,
    loaded: Loaded,
    { primary, eventPlan, operationContext }: Planned,
    variables: Record<string, unknown>,
    args: SubscribeArgs,
  ): Feed {
    const { client, release } = this.upstream(primary.serviceName, args.context.authorization);
    const queues = new Set<AsyncQueue<ExecutionResult>>();
    const broadcast = (result: ExecutionResult) => {
      for (const queue of [...queues]) queue.push(result);
    };
    const endAll = () => {
      for (const queue of [...queues]) queue.finish();
    };
    // Serialised: events are delivered in the order the subgraph sent them.
    let chain = Promise.resolve();
    const unsubscribe = client.subscribe(
      {
        query: primary.operation,
        variables,
        ...(primary.operationName ? { operationName: primary.operationName } : {}),
      },
      {
        next: (event) => {
          chain = chain
            .then(async () => {
              if (!event.data) {
                broadcast({
                  errors: (event.errors ?? []).map(
                    (e) =>
                      new GraphQLError(e.message, {
                        extensions: { ...e.extensions, serviceName: primary.serviceName },
                      }),
                  ),
                });
                return;
              }
              broadcast(await this.resolveEvent(loaded, eventPlan, primary, event.data, args, operationContext));
            })
            .catch((error: unknown) => {
              this.options.logger.error({ err: error }, 'subscription event could not be resolved');
              broadcast({
                errors: [new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })],
              });
            });
        },
        error: (error) => {
          this.options.logger.warn({ err: error, serviceName: primary.serviceName }, 'upstream subscription failed');
          void chain.then(() => {
            broadcast({
              errors: [
                new GraphQLError(`The ${primary.serviceName} service ended the subscription`, {
                  extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: primary.serviceName },
                }),
              ],
            });
            endAll();
          });
        },
        complete: () => void chain.then(endAll),
      },
    );
    const feed: Feed = {
      queues,
      stop: () => {
        this.feeds.delete(key);
        unsubscribe();
        release();
      },
    };
    this.feeds.set(key, feed);
    return feed;
  }

  private async resolveEvent(
    loaded: Loaded,
    plan: QueryPlan,
    primary: FetchNode,
    data: Record<string, unknown>,
    args: SubscribeArgs,
    operationContext: ReturnType<typeof buildOperationContext>,
  ): Promise<ExecutionResult> {
    const services: ServiceMap = {};
    for (const [name, source] of loaded.sources) {
      services[name] =
        name === primary.serviceName
          ? {
              // The primary fetch is answered by the event itself; other fetches go to the subgraph.
              process: (options) =>
                options.request.query === primary.operation
                  ? Promise.resolve({ data } as never)
                  : source.process(options),
            }
          : source;
    }
    const requestContext = {
      request: { query: undefined, variables: args.variables, operationName: args.operationName ?? undefined },
      context: args.context,
      metrics: {},
      document: args.document,
      operation: operationContext.operation,
      operationName: args.operationName ?? null,
      schema: loaded.schema,
      logger: this.options.logger,
      cache: undefined,
      source: undefined,
      queryHash: '',
      overallCachePolicy: { restrict: () => undefined, replace: () => undefined, policyIfCacheable: () => null },
    };
    const result = await executeQueryPlan(
      plan,
      services,
      requestContext as never,
      operationContext,
      loaded.supergraphSchema,
      loaded.apiSchema,
    );
    return {
      ...(result.data !== undefined ? { data: result.data } : {}),
      ...(result.errors?.length ? { errors: result.errors } : {}),
    } as ExecutionResult;
  }

  /** Ends every upstream connection (gateway shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.upstreams.values()].map((entry) => dispose(entry.client)));
    this.upstreams.clear();
  }
}

function isSubscription(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((d) => d.name?.value === operationName) : operations[0];
  return operation?.operation === 'subscription';
}
