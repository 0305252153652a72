import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Identity } from '@supergraph/auth';
import { isClientSafe } from '@supergraph/errors';
import type { Logger } from '@supergraph/logger';
import type { ServiceMetrics } from './metrics.js';
import { activeTraceId } from './tracing.js';

interface LoggedContext extends BaseContext {
  readonly logger: Logger;
  readonly identity: Identity | undefined;
}

/**
 * The request log and GraphQL metrics of the gateway and every subgraph: one line per operation
 * (operation name, client, trace id, duration, outcome) and, for every error that clients only see
 * masked, the original with the request's logger (so with its request id).
 */
export function requestLogPlugin<Context extends LoggedContext>(
  metrics: ServiceMetrics,
  options: { expected?: (error: Error & { originalError?: unknown }) => boolean; onRequest?: () => void } = {},
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      options.onRequest?.();
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            if (isClientSafe(error) || options.expected?.(error)) continue;
            contextValue.logger.error(
              { err: error.originalError ?? error, path: error.path, serviceName: error.extensions?.serviceName },
              'unexpected error',
            );
          }
        },
        async willSendResponse({ operationName, errors }) {
          const seconds = (performance.now() - started) / 1000;
          const outcome = errors?.length ? 'error' : 'ok';
          metrics.observeOperation(operationName, contextValue.identity?.clientId, outcome, seconds);
          contextValue.logger.info(
            {
              operationName,
              clientId: contextValue.identity?.clientId ?? null,
              traceId: activeTraceId(),
              durationMs: Math.round(seconds * 100_000) / 100,
              outcome,
              errors: errors?.length ?? 0,
            },
            'graphql request',
          );
        },
      };
    },
  };
}
