import type { Logger } from '@supergraph/logger';
import type { EdgeConfig } from '../config.js';
import type { EdgeOptions } from './options.js';
import { MemoryRateLimitStore, RedisRateLimitStore, type RateLimitStore } from './rateLimit.js';

/**
 * The deployable's edge: budgets in Redis when REDIS_URL is set (shared by every replica), else in
 * this process's memory (the embedded default: each process, and each cluster worker, counts alone).
 */
export function edgeFromConfig(
  config: EdgeConfig,
  redis: { url: string | undefined; keyPrefix: string },
  logger: Logger,
): { edge: EdgeOptions; close(): Promise<void> } {
  let store: RateLimitStore | undefined;
  if (config.rateLimit.enabled) {
    let lastReport = 0;
    store = redis.url
      ? new RedisRateLimitStore(redis.url, `${redis.keyPrefix}rl:`, (error) => {
          // At most one line per 10 s while Redis is down; requests are let through meanwhile.
          if (Date.now() - lastReport < 10_000) return;
          lastReport = Date.now();
          logger.warn({ err: error }, 'rate limiter unavailable: requests are not limited');
        })
      : new MemoryRateLimitStore();
    if (!redis.url) logger.info('rate limits counted in memory (no REDIS_URL): per process, not shared');
  }
  const { subgraphs } = config;
  const edge: EdgeOptions = {
    limits: config.limits,
    cost: config.cost,
    ...(store ? { rateLimit: { store, budgets: config.rateLimit.budgets } } : {}),
    cors: { allowedOrigins: config.corsOrigins },
    securityHeaders: { hstsMaxAgeSeconds: config.hstsMaxAgeSeconds },
    introspection: config.introspection,
    trustProxyHops: config.trustProxyHops,
    resilience: {
      defaults: {
        timeoutMs: subgraphs.timeoutMs,
        retries: subgraphs.retries,
        circuitBreaker: { failureThreshold: subgraphs.failureThreshold, openMs: subgraphs.openMs },
      },
      subgraphs: Object.fromEntries(
        Object.entries(subgraphs.timeouts).map(([name, timeoutMs]) => [name, { timeoutMs }]),
      ),
    },
  };
  return { edge, close: async () => store?.close() };
}
