import { Redis } from 'ioredis';

/** `limit` requests per `windowSeconds`, spread evenly, with bursts of up to `limit` (a token bucket). */
export interface RateLimitPolicy {
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly policy: RateLimitPolicy;
  /** Requests still allowed right now. */
  readonly remaining: number;
  /** Seconds until the budget is full again. */
  readonly resetSeconds: number;
  /** Seconds until the next request is allowed (0 when allowed). */
  readonly retryAfterSeconds: number;
}

/** Where budgets live: Redis (shared by every replica) or this process's memory. */
export interface RateLimitStore {
  consume(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision>;
  close(): Promise<void>;
}

/**
 * GCRA (the generic cell rate algorithm): one number per key, the theoretical arrival time (TAT) of
 * the next request. Each request moves it forward by `interval = window / limit`; a request is refused
 * when the TAT would move more than the whole window ahead of now. Equivalent to a token bucket of
 * `limit` tokens refilled at `limit / window`, with O(1) state and exact Retry-After.
 */
function gcra(
  now: number,
  stored: number | undefined,
  policy: RateLimitPolicy,
): { allowed: boolean; tat: number; ahead: number; retryMs: number } {
  const windowMs = policy.windowSeconds * 1000;
  const interval = windowMs / policy.limit;
  const tat = Math.max(stored ?? now, now);
  const next = tat + interval;
  if (next - now > windowMs) return { allowed: false, tat, ahead: tat - now, retryMs: next - windowMs - now };
  return { allowed: true, tat: next, ahead: next - now, retryMs: 0 };
}

function decision(policy: RateLimitPolicy, allowed: boolean, aheadMs: number, retryMs: number): RateLimitDecision {
  const interval = (policy.windowSeconds * 1000) / policy.limit;
  return {
    allowed,
    policy,
    remaining: Math.max(0, Math.floor((policy.windowSeconds * 1000 - aheadMs) / interval)),
    resetSeconds: Math.ceil(aheadMs / 1000),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(retryMs / 1000)),
  };
}

/** The same GCRA in Lua, run atomically by Redis with Redis's clock (replicas' clocks may differ). */
const GCRA_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local stored = redis.call('GET', KEYS[1])
local tat = now
if stored then tat = math.max(tonumber(stored), now) end
local nxt = tat + interval
if nxt - now > window then
  return {0, tostring(tat - now), tostring(nxt - window - now)}
end
redis.call('SET', KEYS[1], tostring(nxt), 'PX', math.ceil(nxt - now))
return {1, tostring(nxt - now), '0'}
`;

type GcraCommand = (key: string, windowMs: number, intervalMs: number) => Promise<[number, string, string]>;

/**
 * Budgets in Redis, shared by every gateway replica. When Redis cannot answer (down, slow), requests
 * are allowed and `onError` is told: an outage of the limiter must not become an outage of the API.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = 'sg:rl:',
    private readonly onError: (error: unknown) => void = () => {},
    options: { commandTimeoutMs?: number } = {},
  ) {
    this.redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 250,
      lazyConnect: false,
    });
    this.redis.on('error', () => {}); // reported per call through onError
    this.redis.defineCommand('sgGcra', { numberOfKeys: 1, lua: GCRA_LUA });
  }

  async consume(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision> {
    const windowMs = policy.windowSeconds * 1000;
    try {
      const command = (this.redis as unknown as { sgGcra: GcraCommand }).sgGcra;
      const [allowed, ahead, retry] = await command.call(
        this.redis,
        this.prefix + key,
        windowMs,
        windowMs / policy.limit,
      );
      return decision(policy, allowed === 1, Number(ahead), Number(retry));
    } catch (error) {
      this.onError(error);
      return decision(policy, true, 0, 0);
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** Budgets in this process (the embedded default without REDIS_URL): each replica counts alone. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly tats = new Map<string, number>();
  private readonly sweep: NodeJS.Timeout;

  constructor(sweepMs = 60_000) {
    // Keys whose TAT has passed hold no information any more.
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const [key, tat] of this.tats) if (tat <= now) this.tats.delete(key);
    }, sweepMs);
    this.sweep.unref();
  }

  async consume(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision> {
    const now = Date.now();
    const result = gcra(now, this.tats.get(key), policy);
    if (result.allowed) this.tats.set(key, result.tat);
    return decision(policy, result.allowed, result.ahead, result.retryMs);
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    this.tats.clear();
  }
}
