import { InProcessBus, RedisStreamBus, type EventBus } from '@supergraph/events';
import type { Logger } from '@supergraph/logger';

/** Redis Streams when a URL is given, otherwise the in-process bus of the embedded default. */
export function createBus(options: { redisUrl?: string | undefined; keyPrefix?: string; logger: Logger }): EventBus {
  if (options.redisUrl) {
    return new RedisStreamBus({
      url: options.redisUrl,
      logger: options.logger,
      ...(options.keyPrefix !== undefined ? { keyPrefix: options.keyPrefix } : {}),
    });
  }
  return new InProcessBus(options.logger);
}
