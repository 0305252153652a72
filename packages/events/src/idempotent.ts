import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { DomainEvent, EventHandler } from './EventBus.js';
import type { ProcessedEvent } from './outbox.entity.js';

/**
 * Wraps a handler so that each event changes the database at most once per consumer: the handler runs
 * in one transaction with the insertion of a `processed_event` row, and an event already recorded is
 * skipped. Redelivery (at-least-once) therefore changes nothing twice.
 */
export function idempotent(
  orm: MikroORM,
  consumer: string,
  handler: (event: DomainEvent, em: EntityManager) => Promise<void>,
): EventHandler {
  return async (event) => {
    await orm.em.fork().transactional(async (em) => {
      const result = await em
        .createQueryBuilder<ProcessedEvent>('ProcessedEvent')
        .insert({ consumer, eventId: event.id, processedAt: new Date() })
        .onConflict(['consumer', 'eventId'])
        .ignore()
        .execute('run');
      if (result.affectedRows === 0) return;
      await handler(event, em);
    });
  };
}
