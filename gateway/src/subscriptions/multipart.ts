import type { Identity } from '@supergraph/auth';
import { REQUEST_ID_HEADER, requestIdFrom, type Logger } from '@supergraph/logger';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { CostEstimator } from '../edge/index.js';
import { clientExtensions } from '../edge/httpErrors.js';
import type { SubscriptionEngine } from './SubscriptionEngine.js';
import { costError } from './subscriptionCost.js';

interface MinimalRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body?: { query?: unknown; variables?: unknown; operationName?: unknown };
}
interface MinimalResponse {
  locals: Record<string, unknown>;
  on(event: 'close', listener: () => void): unknown;
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(chunk?: string): unknown;
  writableEnded: boolean;
}

const BOUNDARY = 'graphql';
// Each part is closed by the next delimiter at once, so clients parse it without waiting for the next one.
const part = (body: unknown) =>
  `\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${JSON.stringify(body)}\r\n--${BOUNDARY}`;

/**
 * Subscriptions over plain HTTP, as Apollo Client's HttpLink does them: a POST accepting
 * `multipart/mixed;subscriptionSpec=1.0` gets one part per event (`{"payload": result}`), an empty
 * `{}` part every `heartbeatMs` to keep proxies from closing the response, and the closing boundary
 * when the subscription ends. Executed by the same engine as graphql-ws.
 */
export function multipartSubscriptions(
  engine: SubscriptionEngine,
  logger: Logger,
  options: { heartbeatMs?: number; cost?: CostEstimator } = {},
) {
  return (req: MinimalRequest, res: MinimalResponse, next: () => void): void => {
    const accept = String(req.headers.accept ?? '');
    if (
      req.method !== 'POST' ||
      !accept.includes('multipart/mixed') ||
      typeof req.body?.query !== 'string' ||
      !engine.schema
    )
      return next();
    const operationName = typeof req.body.operationName === 'string' ? req.body.operationName : undefined;
    const prepared = engine.prepare(req.body.query, operationName);
    // Apollo Server answers parse and validation errors, and every query or mutation.
    if (!prepared || prepared.errors.length > 0 || !prepared.isSubscription) return next();
    const { document } = prepared;
    // The structural limits ran before (HTTP middleware); the cost estimate, as Apollo Server's plugin does for queries.
    const tooCostly =
      options.cost && costError(options.cost, engine.schema, prepared, req.body.query, req.body.variables as never);
    if (tooCostly) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: tooCostly.message, extensions: clientExtensions(tooCostly) }] }));
      return;
    }

    const identity = res.locals.identity as Identity | undefined;
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER] as string | undefined);
    const context: GatewayContext = {
      requestId,
      identity,
      authorization: req.headers.authorization as string | undefined,
      logger: logger.child({ requestId, ...(identity ? { subject: identity.subject } : {}) }),
    };
    res.writeHead(200, {
      'content-type': `multipart/mixed;boundary="${BOUNDARY}";subscriptionSpec=1.0`,
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(`\r\n--${BOUNDARY}`);
    const finish = () => {
      if (!res.writableEnded) res.end('--\r\n');
    };
    const result = engine.subscribe({
      document,
      operationName,
      variables: (req.body.variables ?? {}) as Record<string, unknown>,
      context,
    });
    if (!(Symbol.asyncIterator in result)) {
      res.write(part({ payload: serialize(result as ExecutionResult) }));
      return finish();
    }
    const iterator = result as AsyncIterableIterator<ExecutionResult>;
    const heartbeat = setInterval(() => res.write(part({})), options.heartbeatMs ?? 5_000);
    // The response closes when the client goes away (the request's own 'close' fires once its body is read).
    res.on('close', () => {
      clearInterval(heartbeat);
      void iterator.return?.();
    });
    void (async () => {
      try {
        for await (const value of iterator) res.write(part({ payload: serialize(value) }));
      } catch (error) {
        res.write(
          part({
            payload: null,
            errors: [{ message: (error as Error).message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
          }),
        );
      } finally {
        clearInterval(heartbeat);
        finish();
      }
    })();
  };
}

function serialize(result: ExecutionResult): unknown {
  return {
    ...(result.data !== undefined ? { data: result.data } : {}),
    ...(result.errors?.length
      ? { errors: result.errors.map((e) => (e instanceof GraphQLError ? e.toJSON() : e)) }
      : {}),
  };
}
