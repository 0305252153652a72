import { LockMode } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '@supergraph/logger';
import type { DomainEvent, EventBus } from './EventBus.js';
import type { OutboxEvent } from './outbox.entity.js';

export interface OutboxRelayOptions {
  readonly orm: MikroORM;
  readonly bus: EventBus;
  readonly logger?: Logger;
  /** Safety-net polling interval; commits in this process wake the relay at once. Default 500 ms. */
  readonly intervalMs?: number;
  /** Rows published per transaction. Default 100. */
  readonly batchSize?: number;
}

/**
 * Publishes committed outbox rows to the bus in id (= time) order. Rows are locked with
 * `FOR UPDATE SKIP LOCKED`, so several replicas relay in parallel without publishing a row twice in
 * normal operation; a crash between publish and commit publishes again (at-least-once).
 */
export class OutboxRelay {
  private running = false;
  private dirty = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  /** Relay transactions run so far (each a `SELECT … FOR UPDATE SKIP LOCKED`). */
  polls = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.intervalMs = options.intervalMs ?? 500;
    this.batchSize = options.batchSize ?? 100;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something may have been committed: relay now rather than at the next interval. */
  notify(): void {
    this.dirty = true;
    this.wake?.();
  }

  /** Publishes everything unpublished now; returns how many rows were published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published < this.batchSize) return total;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.dirty = false;
      try {
        await this.drain();
      } catch (error) {
        this.options.logger?.error({ err: error }, 'outbox relay failed; retrying');
      }
      if (!this.running || this.dirty) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.intervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private publishBatch(): Promise<number> {
    this.polls += 1;
    return this.options.orm.em.fork().transactional(async (em) => {
      const rows = await em.find<OutboxEvent>(
        'OutboxEvent',
        { publishedAt: null },
        {
          orderBy: { id: 'asc' },
          limit: this.batchSize,
          lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE,
        },
      );
      if (rows.length === 0) return 0;
      await this.options.bus.publish(rows.map(toDomainEvent));
      await em.nativeUpdate<OutboxEvent>(
        'OutboxEvent',
        { id: { $in: rows.map((row) => row.id) } },
        { publishedAt: new Date() },
      );
      return rows.length;
    });
  }
}

function toDomainEvent(row: OutboxEvent): DomainEvent {
  return {
    id: row.id,
    stream: row.stream,
    type: row.type,
    aggregateId: row.aggregateId,
    payload: row.payload,
    occurredAt: row.createdAt.toISOString(),
  };
}
