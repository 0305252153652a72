import type { ApolloServerPlugin } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { CostEstimator } from './cost.js';
import { introspectionForbidden, mayIntrospect, type IntrospectionMode } from './introspection.js';
import { limitExceeded } from './limits.js';
import type { RateLimitPolicy, RateLimitStore } from './rateLimit.js';
import { rateLimitedMessage, rateLimitHeaders } from './useRateLimit.js';

export interface OperationGuardOptions {
  readonly cost: CostEstimator;
  readonly introspection: IntrospectionMode;
  /** Mutation budget, charged to the caller key the rate-limit middleware chose. */
  readonly mutations?: { readonly store: RateLimitStore; readonly policy: RateLimitPolicy };
}

/**
 * The edge checks that need the resolved operation and the schema, run by Apollo Server right after
 * it picked the operation (documents are parsed and validated once, then cached): estimated cost,
 * introspection rights, and the mutation budget.
 */
export function operationGuard(options: OperationGuardOptions): ApolloServerPlugin<GatewayContext> {
  const { cost } = options;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, queryHash, request, contextValue }) {
          if (!operation) return;
          const estimate = cost.estimate(schema, document, operation, queryHash);
          if (estimate.introspection && !mayIntrospect(contextValue.identity, options.introspection)) {
            throw introspectionForbidden();
          }
          const actual = cost.cost(estimate, request.variables);
          if (actual > cost.options.maxCost) throw limitExceeded('cost', cost.options.maxCost, actual);
          const mutations = options.mutations;
          if (mutations && operation.operation === 'mutation' && contextValue.rateLimitKey) {
            const decision = await mutations.store.consume(`mutation:${contextValue.rateLimitKey}`, mutations.policy);
            if (!decision.allowed) {
              throw new GraphQLError(rateLimitedMessage(decision), {
                extensions: {
                  code: 'RATE_LIMITED',
                  budget: 'mutation',
                  retryAfter: decision.retryAfterSeconds,
                  http: { status: 429, headers: new HeaderMap(rateLimitHeaders(decision)) },
                },
              });
            }
          }
        },
      };
    },
  };
}
