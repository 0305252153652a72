import { isProduction } from '@supergraph/config';
import type { CostOptions } from './cost.js';
import type { CorsOptions } from './cors.js';
import type { IntrospectionMode } from './introspection.js';
import type { OperationLimits } from './limits.js';
import type { RateLimitStore } from './rateLimit.js';
import type { ResilienceOptions } from './resilience.js';
import type { SecurityHeadersOptions } from './securityHeaders.js';
import type { RateLimitBudgets } from './useRateLimit.js';

/** Everything the public edge enforces; each option documented with its default in docs/gateway-edge.md. */
export interface EdgeOptions {
  /** Structural limits; defaults in `DEFAULT_OPERATION_LIMITS`. */
  readonly limits?: Partial<OperationLimits>;
  /** Cost estimation and its maximum; defaults in `DEFAULT_COST_OPTIONS`. */
  readonly cost?: Partial<CostOptions>;
  /**
   * Rate limiting: a store (Redis to share budgets between replicas, memory otherwise) and budgets.
   * Default off when the gateway is built in code (tests, benchmarks); the deployable turns it on
   * (`RATE_LIMIT`, see config.ts).
   */
  readonly rateLimit?: { readonly store: RateLimitStore; readonly budgets?: Partial<RateLimitBudgets> };
  /** Browser origins allowed by CORS. Default none. */
  readonly cors?: CorsOptions;
  readonly securityHeaders?: SecurityHeadersOptions;
  /** Default `admins` with NODE_ENV=production, `public` otherwise. */
  readonly introspection?: IntrospectionMode;
  /** Per-subgraph timeouts, retries, circuit breakers. */
  readonly resilience?: ResilienceOptions;
  /**
   * Proxies in front of the gateway whose `X-Forwarded-For` is trusted for the client IP (Express's
   * `trust proxy`: a hop count). Default 0: the socket's address.
   */
  readonly trustProxyHops?: number;
}

export const DEFAULT_EDGE = {
  introspection: (): IntrospectionMode => (isProduction() ? 'admins' : 'public'),
} as const;
