import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { Redis } from 'ioredis';

/**
 * Apollo Server's cache interface on Redis, shared by every gateway replica: the APQ store (a query
 * registered at one replica is found at all of them).
 */
export class RedisKeyValueCache implements KeyValueCache<string> {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = 'sg:apq:',
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2 });
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (options?.ttl) await this.redis.set(this.prefix + key, value, 'EX', Math.ceil(options.ttl));
    else await this.redis.set(this.prefix + key, value);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key)) > 0;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
