import { InProcessRealtime, RedisRealtime, type RealtimeBus } from '@supergraph/events';
import type { Logger } from '@supergraph/logger';

/** Redis pub/sub when a URL is given (every replica delivers every event), otherwise in-process. */
export function createRealtime(options: {
  redisUrl?: string | undefined;
  keyPrefix?: string;
  logger: Logger;
  maxBuffered?: number;
}): RealtimeBus {
  const common = {
    logger: options.logger,
    ...(options.maxBuffered !== undefined ? { maxBuffered: options.maxBuffered } : {}),
  };
  if (options.redisUrl) {
    return new RedisRealtime({
      url: options.redisUrl,
      ...common,
      ...(options.keyPrefix !== undefined ? { keyPrefix: options.keyPrefix } : {}),
    });
  }
  return new InProcessRealtime(common);
}
