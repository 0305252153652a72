import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { Context as WsContext, FormattedExecutionResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { authenticate, type Identity, type SubjectDenylist, type TokenVerifier } from '@supergraph/auth';
import { AppError, isClientSafe } from '@supergraph/errors';
import { RealtimeOverflowError } from '@supergraph/events';
import type { Logger } from '@supergraph/logger';
import type { SubgraphContext } from './context.js';

/** Close code of a refused or expired token (graphql-transport-ws `Forbidden`). */
export const CLOSE_FORBIDDEN = 4403;
/** Close code of a server that shuts down, after it completed every subscription. */
export const CLOSE_GOING_AWAY = 1001;
/** Largest accepted WebSocket message. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SubscriptionServerOptions {
  readonly httpServer: http.Server;
  readonly path: string;
  readonly schema: GraphQLSchema;
  readonly logger: Logger;
  readonly verifier: TokenVerifier | undefined;
  readonly denylist: SubjectDenylist | undefined;
  /** The context of one operation of a connection whose caller is `identity`. */
  readonly context: (identity: Identity | undefined, requestId: string) => SubgraphContext;
  /** The context one subscription event is resolved with: a fresh `em` and loaders, the rest of `operation`'s. */
  readonly eventContext: (operation: SubgraphContext) => SubgraphContext;
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Runs GraphQL work inside the request scope (SQL counting, like HTTP requests). */
  readonly run: <T>(work: () => T) => T;
}

export interface SubscriptionServer {
  /** Open WebSocket connections. */
  readonly connections: number;
  /**
   * Graceful shutdown: refuses new connections, lets queries and mutations in flight answer, then
   * closes each connection with 1001 Going Away without completing its subscriptions (clients
   * reconnect and subscribe again elsewhere); connections still open after `timeoutMs` are terminated.
   */
  close(timeoutMs?: number): Promise<void>;
}

interface Connection {
  readonly socket: WebSocket;
  identity: Identity | undefined;
  expiry: NodeJS.Timeout | undefined;
}

type WsExtra = { readonly socket: WebSocket; readonly request: http.IncomingMessage };

/**
 * GraphQL over WebSocket (`graphql-transport-ws`, the `graphql-ws` library) on the subgraph's HTTP
 * server and path. `connection_init` carries `{ authorization: 'Bearer …' }` (or `Authorization`),
 * verified like HTTP: a refused token closes the connection with 4403, as does the token's expiry.
 * Every operation gets its own context with the connection's identity; each subscription event is
 * resolved with a fresh entity manager and loaders. Errors are masked as over HTTP.
 */
export function serveSubscriptions(options: SubscriptionServerOptions): SubscriptionServer {
  const { schema, logger } = options;
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path, maxPayload: MAX_MESSAGE_BYTES });
  const connections = new Map<WsContext<Record<string, unknown>, WsExtra>, Connection>();

  const format = (errors: readonly GraphQLError[], operationLogger: Logger = logger): GraphQLFormattedError[] =>
    errors.map((error) => {
      if (!isClientSafe(error)) {
        operationLogger.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
      }
      return options.formatError(error.toJSON(), error);
    });
  const withCode = (error: GraphQLError, code: string) =>
    new GraphQLError(error.message, {
      ...(error.nodes ? { nodes: error.nodes } : {}),
      ...(error.source ? { source: error.source } : {}),
      ...(error.positions ? { positions: error.positions } : {}),
      extensions: { ...error.extensions, code },
    });

  // Not its `dispose()` on shutdown: that closes sockets at once, and `close` below lets queries and
  // mutations in flight finish first.
  useServer<Record<string, unknown>, WsExtra>(
    {
      schema,
      async onConnect(ctx) {
        const params = ctx.connectionParams ?? {};
        const header = params.authorization ?? params.Authorization;
        let identity: Identity | undefined;
        if (header !== undefined && typeof header !== 'string') {
          logger.info({ reason: 'authorization is not a string' }, 'websocket connection refused');
          return false;
        }
        try {
          const result = await authenticate(header, options.verifier, options.denylist);
          if (!result.ok) {
            logger.info({ reason: result.message }, 'websocket connection refused');
            return false;
          }
          identity = result.identity;
        } catch (error) {
          logger.error({ err: error }, 'token verification unavailable');
          // graphql-ws closes the connection with 4500.
          throw new Error('Authentication is unavailable', { cause: error });
        }
        const { socket } = ctx.extra;
        const connection: Connection = { socket, identity, expiry: undefined };
        if (identity && identity.expiresAt > 0) {
          const ms = identity.expiresAt * 1000 - Date.now();
          connection.expiry = setTimeout(
            () => socket.close(CLOSE_FORBIDDEN, 'Token expired'),
            Math.min(Math.max(ms, 0), MAX_TIMER_MS),
          );
          connection.expiry.unref();
        }
        connections.set(ctx, connection);
        return true;
      },
      onClose(ctx) {
        const connection = connections.get(ctx);
        if (connection?.expiry) clearTimeout(connection.expiry);
        connections.delete(ctx);
      },
      // Parse and validate here, so that clients get the same codes as over HTTP.
      onSubscribe(_ctx, _id, payload) {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
        }
        const invalid = validate(schema, document);
        if (invalid.length > 0) return invalid.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) {
          return [
            new GraphQLError('Unable to identify the operation to run', {
              extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
            }),
          ];
        }
        const variables = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, {
          maxErrors: 50,
        });
        if (variables.errors) return variables.errors.map((error) => withCode(error, 'BAD_USER_INPUT'));
        return {
          schema,
          document,
          ...(payload.operationName ? { operationName: payload.operationName } : {}),
          ...(payload.variables ? { variableValues: payload.variables } : {}),
        };
      },
      context(ctx) {
        return options.context(connections.get(ctx)?.identity, randomUUID());
      },
      execute: (args) => options.run(() => execute(args)),
      subscribe: (args) => subscribeWithEventContexts(args, options),
      onNext(_ctx, _id, _payload, args, result): FormattedExecutionResult | undefined {
        if (!result.errors?.length) return undefined;
        return { ...result, errors: format(result.errors, (args.contextValue as SubgraphContext).logger) };
      },
      onError(_ctx, _id, _payload, errors) {
        return format(errors);
      },
    },
    wss,
  );

  return {
    get connections() {
      return wss.clients.size;
    },
    async close(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      const closed = new Promise<void>((resolve) => wss.close(() => resolve()));
      // Wait for queries and mutations in flight (graphql-ws holds them as `null` until they answer).
      // Streaming subscriptions are not completed: `complete` would tell clients the stream is over,
      // while it only moves. Closing with 1001 Going Away makes graphql-ws clients (the gateway among
      // them) reconnect, to this replica restarted or another one, and subscribe again.
      while (Date.now() < deadline) {
        const inFlight = [...connections.keys()].some((ctx) =>
          Object.values(ctx.subscriptions).some((operation) => operation === null),
        );
        if (!inFlight) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      for (const socket of wss.clients) socket.close(CLOSE_GOING_AWAY, 'Server shutting down');
      const timer = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), Math.max(deadline - Date.now(), 100)).unref(),
      );
      if ((await Promise.race([closed, timer])) === 'timeout') {
        for (const socket of wss.clients) socket.terminate();
        await closed;
      }
    },
  };
}

/**
 * `subscribe` as graphql-js does it, except that each event is executed with its own context (a
 * long-lived subscription must not accumulate entities or serve stale loader caches), and with
 * `return()` passed straight to the source so that a client's `complete` releases it at once.
 */
async function subscribeWithEventContexts(
  args: ExecutionArgs,
  options: SubscriptionServerOptions,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await options.run(() => createSourceEventStream(args));
  if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
  const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const operation = args.contextValue as SubgraphContext;
  const done = (): IteratorResult<ExecutionResult> => ({ value: undefined, done: true });
  const events: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      let event: IteratorResult<unknown>;
      try {
        event = await iterator.next();
      } catch (error) {
        if (error instanceof RealtimeOverflowError) throw AppError.subscriptionOverflow();
        throw error;
      }
      if (event.done) return done();
      const result = await options.run(() =>
        execute({ ...args, rootValue: event.value, contextValue: options.eventContext(operation) }),
      );
      return { value: result, done: false };
    },
    async return() {
      await iterator.return?.();
      return done();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return events;
}
