import type { EntityManager } from '@mikro-orm/core';
import type { OutboxEvent } from './outbox.entity.js';
import { uuidv7 } from './uuidv7.js';

/**
 * Stages a domain event in the outbox of `em`'s unit of work: it is committed with the business
 * change by the next flush, or not at all. The relay publishes it afterwards.
 */
export function recordEvent(
  em: EntityManager,
  event: {
    stream: string;
    type: string;
    aggregateId: string;
    payload: Record<string, unknown>;
  },
): void {
  em.persist(
    em.create<OutboxEvent>('OutboxEvent', {
      id: uuidv7(),
      stream: event.stream,
      type: event.type,
      aggregateId: event.aggregateId,
      payload: event.payload,
      createdAt: new Date(),
      publishedAt: null,
    }),
  );
}
