import type http from 'node:http';
import { authenticate, type Identity, type SubjectDenylist, type TokenVerifier } from '@supergraph/auth';
import { REQUEST_ID_HEADER, requestIdFrom, type Logger } from '@supergraph/logger';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import type { GatewayContext } from '../context.js';
import type { CostEstimator, OperationLimiter } from '../edge/index.js';
import { clientExtensions } from '../edge/httpErrors.js';
import type { SafelistDecider } from '../persisted/index.js';
import type { SubscriptionEngine } from './SubscriptionEngine.js';
import { costError } from './subscriptionCost.js';

export interface WebSocketOptions {
  readonly verifier: TokenVerifier | undefined;
  readonly denylist: SubjectDenylist | undefined;
  /** Subscriptions one connection may hold at once. Default 100. */
  readonly maxSubscriptionsPerConnection?: number;
  /** Time a client has to send `connection_init`. Default 3 s. */
  readonly connectionInitWaitTimeoutMs?: number;
  /** Subscriptions one subject may hold across all its connections. Default 500. */
  readonly maxSubscriptionsPerSubject?: number;
  /** How often connections are checked against the denylist (disabled accounts). Default 10 s. */
  readonly denylistCheckMs?: number;
  /** Partner safelists, decided as for HTTP; none: every caller may send documents. */
  readonly safelist?: SafelistDecider;
  /** Operation limits and cost estimate, as for HTTP (docs/gateway-edge.md); none: unlimited. */
  readonly limits?: { readonly limiter: OperationLimiter; readonly cost: CostEstimator };
}

/** An edge error as a graphql-ws error: its HTTP status means nothing on a socket. */
function overWebSocket(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, { extensions: clientExtensions(error) });
}

interface Connection {
  identity: Identity | undefined;
  authorization: string | undefined;
  requestId: string;
  subscriptions: number;
  expiry: NodeJS.Timeout | undefined;
}

/**
 * The public graphql-ws endpoint (`graphql-transport-ws`) on the gateway's `/graphql` path. The token
 * comes in `connection_init` (`{ "authorization": "Bearer …" }`) and is verified like HTTP: an invalid
 * one closes with 4403; the connection is closed with 4403 when the token expires.
 */
export function attachWebSocketServer(
  httpServer: http.Server,
  engine: SubscriptionEngine,
  logger: Logger,
  options: WebSocketOptions,
): { close(): Promise<void>; readonly connections: () => number } {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const connections = new WeakMap<WebSocket, Connection>();
  const max = options.maxSubscriptionsPerConnection ?? 100;
  const maxPerSubject = options.maxSubscriptionsPerSubject ?? 500;
  const perSubject = new Map<string, number>();
  const open = new Map<WebSocket, Connection>();
  const closeSubject = (subject: string) => {
    for (const [socket, connection] of open) {
      if (connection.identity?.subject === subject) socket.close(CloseCode.Forbidden, 'Account disabled');
    }
  };
  // A subject disabled while connected: its connections are closed with 4403 as soon as the denylist
  // says so, and the periodic check catches a notice lost while Redis reconnected (one lookup per subject).
  const stopWatching = options.denylist?.onAdded(closeSubject);
  const sweep = setInterval(() => {
    if (!options.denylist) return;
    const subjects = new Set([...open.values()].flatMap((connection) => connection.identity?.subject ?? []));
    for (const subject of subjects) {
      void options.denylist.has(subject).then((denied) => denied && closeSubject(subject));
    }
  }, options.denylistCheckMs ?? 10_000);
  sweep.unref();
  const subjectOf = (connection: Connection) => connection.identity?.subject;

  const server = useServer<Record<string, unknown>, { socket: WebSocket; request: http.IncomingMessage }>(
    {
      schema: () => engine.schema!,
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 3_000,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = (params.authorization ?? params.Authorization) as string | undefined;
        const result = await authenticate(header, options.verifier, options.denylist).catch(() => undefined);
        if (!result || !result.ok) return false; // 4403 Forbidden
        const connection: Connection = {
          identity: result.identity,
          authorization: header,
          requestId: requestIdFrom(ctx.extra.request.headers[REQUEST_ID_HEADER]),
          subscriptions: 0,
          expiry: undefined,
        };
        if (result.identity) {
          const ms = result.identity.expiresAt * 1000 - Date.now();
          connection.expiry = setTimeout(
            () => ctx.extra.socket.close(CloseCode.Forbidden, 'Token expired'),
            Math.max(0, ms),
          );
          connection.expiry.unref();
        }
        connections.set(ctx.extra.socket, connection);
        open.set(ctx.extra.socket, connection);
        return true;
      },
      onClose: (ctx) => {
        const connection = connections.get(ctx.extra.socket);
        clearTimeout(connection?.expiry);
        open.delete(ctx.extra.socket);
        const subject = connection && subjectOf(connection);
        if (subject && connection.subscriptions > 0)
          perSubject.set(subject, Math.max(0, (perSubject.get(subject) ?? 0) - connection.subscriptions));
      },
      onSubscribe: (ctx, _id, payload) => {
        const connection = connections.get(ctx.extra.socket);
        if (!engine.schema || !connection) return [new GraphQLError('The gateway is not ready')];
        // Partners subscribe by persisted id, from their safelist only, as over HTTP.
        const decision = options.safelist?.(connection.identity, {
          query: payload.query,
          extensions: payload.extensions ?? undefined,
        });
        if (decision && !decision.ok)
          return [new GraphQLError(decision.message, { extensions: { code: decision.code } })];
        const query = decision ? decision.query : payload.query;
        const operationName = decision ? decision.operationName : payload.operationName;
        // Parsed, validated (and later planned) once per distinct document, not per subscriber.
        // The same structural limits as HTTP, before parsing (cached per document text).
        const tooBig = options.limits?.limiter.check(query, operationName);
        if (tooBig) return [overWebSocket(tooBig)];
        const prepared = engine.prepare(query, operationName);
        if (!prepared) return [new GraphQLError('The gateway is not ready')];
        if (prepared.errors.length > 0) return [...prepared.errors];
        const { document } = prepared;
        if (!prepared.isSubscription) {
          return [
            new GraphQLError('Send queries and mutations over HTTP; this endpoint serves subscriptions', {
              extensions: { code: 'BAD_REQUEST' },
            }),
          ];
        }
        const tooCostly =
          options.limits && costError(options.limits.cost, engine.schema, prepared, query, payload.variables);
        if (tooCostly) return [overWebSocket(tooCostly)];
        if (connection.subscriptions >= max) {
          return [
            new GraphQLError(`At most ${max} subscriptions per connection`, { extensions: { code: 'BAD_REQUEST' } }),
          ];
        }
        const subject = subjectOf(connection);
        if (subject && (perSubject.get(subject) ?? 0) >= maxPerSubject) {
          return [
            new GraphQLError(`At most ${maxPerSubject} subscriptions per user`, {
              extensions: { code: 'BAD_REQUEST' },
            }),
          ];
        }
        connection.subscriptions += 1;
        if (subject) perSubject.set(subject, (perSubject.get(subject) ?? 0) + 1);
        return {
          schema: engine.schema,
          document,
          variableValues: payload.variables ?? {},
          operationName: operationName ?? null,
          contextValue: {
            requestId: connection.requestId,
            identity: connection.identity,
            authorization: connection.authorization,
            logger: logger.child({
              requestId: connection.requestId,
              ...(connection.identity ? { subject: connection.identity.subject } : {}),
            }),
          } satisfies GatewayContext,
        };
      },
      onComplete: (ctx) => {
        const connection = connections.get(ctx.extra.socket);
        if (!connection) return;
        connection.subscriptions -= 1;
        const subject = subjectOf(connection);
        if (subject) perSubject.set(subject, Math.max(0, (perSubject.get(subject) ?? 1) - 1));
      },
      subscribe: (args) =>
        engine.subscribe({
          document: args.document,
          operationName: args.operationName,
          variables: (args.variableValues ?? {}) as Record<string, unknown>,
          context: args.contextValue as GatewayContext,
        }) as AsyncIterableIterator<ExecutionResult> | ExecutionResult,
    },
    wss,
  );

  return {
    connections: () => wss.clients.size,
    async close() {
      clearInterval(sweep);
      stopWatching?.();
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
