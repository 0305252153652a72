import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Logger } from '@supergraph/logger';
import { inSpan } from '@supergraph/telemetry';
import type { ConsumeOptions, Consumption, DomainEvent, EventBus } from './EventBus.js';

export interface RedisStreamBusOptions {
  readonly url: string;
  /** Prefix of every key, so that tests and tenants can share one Redis. Default `sg:`. */
  readonly keyPrefix?: string;
  /** Approximate number of entries each stream retains (`XADD MAXLEN ~`). Default 100,000. */
  readonly maxLength?: number;
  /** How long one `XREADGROUP` blocks waiting for events. Default 1,000 ms. */
  readonly blockMs?: number;
  /** Pending entries idle this long are claimed from dead consumers (`XAUTOCLAIM`). Default 30,000 ms. */
  readonly claimIdleMs?: number;
  /** Entries read per call. Default 50. */
  readonly batchSize?: number;
  /** Name of this process within its consumer groups. Default `<hostname>-<pid>`. */
  readonly consumerName?: string;
  readonly logger?: Logger;
}

type StreamEntry = [id: string, fields: string[]];

const RETRY_DELAY_MS = 250;

/**
 * Domain events on Redis Streams with consumer groups. A group is created at the stream's start
 * (`0`), so a consumer deployed after events were published still sees every retained event.
 * Entries are acknowledged only after their handler succeeded; entries of a crashed consumer are
 * claimed by a live one after `claimIdleMs`.
 */
export class RedisStreamBus implements EventBus {
  private readonly redis: Redis;
  private readonly consumptions = new Set<Consumption>();
  private readonly prefix: string;
  private readonly consumerName: string;

  constructor(private readonly options: RedisStreamBusOptions) {
    this.redis = new Redis(options.url, {
      lazyConnect: false,
      maxRetriesPerRequest: 3,
    });
    this.prefix = options.keyPrefix ?? 'sg:';
    this.consumerName = options.consumerName ?? `${hostname()}-${process.pid}`;
  }

  private key(stream: string): string {
    return `${this.prefix}stream:${stream}`;
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    const pipeline = this.redis.pipeline();
    const maxLength = this.options.maxLength ?? 100_000;
    for (const event of events) {
      pipeline.xadd(this.key(event.stream), 'MAXLEN', '~', maxLength, '*', 'event', JSON.stringify(event));
    }
    const results =
      (await inSpan('redis', 'redis.xadd', { 'messaging.batch.message_count': events.length }, () =>
        pipeline.exec(),
      )) ?? [];
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async consume({ stream, group, handler }: ConsumeOptions): Promise<Consumption> {
    const key = this.key(stream);
    const connection = this.redis.duplicate();
    try {
      await connection.xgroup('CREATE', key, group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) {
        connection.disconnect();
        throw error;
      }
    }
    const logger = this.options.logger?.child({ stream, group });
    const batch = this.options.batchSize ?? 50;
    const blockMs = this.options.blockMs ?? 1_000;
    const claimIdleMs = this.options.claimIdleMs ?? 30_000;
    const consumer = this.consumerName;
    let running = true;
    let blocking = false;

    /** Handles entries in order; stops at the first failure so that the entry is retried first. */
    const handle = async (entries: readonly StreamEntry[]): Promise<boolean> => {
      for (const [id, fields] of entries) {
        if (!running) return false;
        const raw = fields[fields.indexOf('event') + 1];
        try {
          if (raw === undefined) throw new Error(`stream entry ${id} has no event field`);
          const event = JSON.parse(raw) as DomainEvent;
          await inSpan(
            'events',
            `consume ${stream}`,
            { 'messaging.consumer.group.name': group, 'messaging.message.id': event.id },
            () => handler(event),
          );
          await connection.xack(key, group, id);
        } catch (error) {
          logger?.error({ err: error, entryId: id }, 'event handler failed; will retry');
          return false;
        }
      }
      return true;
    };

    const loop = (async () => {
      let lastClaim = 0;
      while (running) {
        try {
          // 1. Our own unacknowledged entries (after a failure or a restart under the same name).
          const own = (await connection.xreadgroup('GROUP', group, consumer, 'COUNT', batch, 'STREAMS', key, '0')) as
            [string, StreamEntry[]][] | null;
          const pending = own?.[0]?.[1] ?? [];
          if (pending.length > 0) {
            if (!(await handle(pending))) await sleep(RETRY_DELAY_MS);
            continue;
          }
          // 2. Entries left by consumers that died before acknowledging.
          if (Date.now() - lastClaim > claimIdleMs / 2) {
            lastClaim = Date.now();
            const claimed = (await connection.xautoclaim(key, group, consumer, claimIdleMs, '0-0', 'COUNT', batch)) as [
              string,
              StreamEntry[],
            ];
            const entries = (claimed[1] ?? []).filter((entry): entry is StreamEntry => Array.isArray(entry?.[1]));
            if (entries.length > 0) {
              if (!(await handle(entries))) await sleep(RETRY_DELAY_MS);
              continue;
            }
          }
          // 3. New entries.
          blocking = true;
          const fresh = (await connection
            .xreadgroup('GROUP', group, consumer, 'COUNT', batch, 'BLOCK', blockMs, 'STREAMS', key, '>')
            .finally(() => {
              blocking = false;
            })) as [string, StreamEntry[]][] | null;
          const entries = fresh?.[0]?.[1] ?? [];
          if (entries.length > 0 && !(await handle(entries))) await sleep(RETRY_DELAY_MS);
        } catch (error) {
          if (!running) break;
          logger?.error({ err: error }, 'reading the stream failed; retrying');
          await sleep(RETRY_DELAY_MS * 4);
        }
      }
    })();

    const consumption: Consumption = {
      stop: async () => {
        running = false;
        // A blocking XREADGROUP is interrupted at once; a handler in flight finishes and is acknowledged.
        if (blocking) connection.disconnect();
        await loop;
        connection.disconnect();
        this.consumptions.delete(consumption);
      },
    };
    this.consumptions.add(consumption);
    return consumption;
  }

  async lag(stream: string, group: string): Promise<number> {
    const groups = (await this.redis.xinfo('GROUPS', this.key(stream)).catch(() => [])) as (string | number | null)[][];
    for (const fields of groups) {
      const value = (name: string) => fields[fields.indexOf(name) + 1];
      if (value('name') === group) return Number(value('lag') ?? 0);
    }
    return 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumptions].map((c) => c.stop()));
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
