import { EntitySchema } from '@mikro-orm/core';

/** A domain event written in the same transaction as the change it describes. */
export interface OutboxEvent {
  id: string;
  stream: string;
  type: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  publishedAt: Date | null;
}

/** Fresh schemas per ORM instance: several subgraphs (each its own database schema) share a process. */
export function outboxEntities(): EntitySchema[] {
  return [outboxEventSchema(), processedEventSchema()] as EntitySchema[];
}

function outboxEventSchema(): EntitySchema<OutboxEvent> {
  return new EntitySchema<OutboxEvent>({
    name: 'OutboxEvent',
    tableName: 'outbox_event',
    properties: {
      id: { type: 'uuid', primary: true },
      stream: { type: 'text' },
      type: { type: 'text' },
      aggregateId: { type: 'text' },
      payload: { type: 'json' },
      createdAt: { type: 'Date', columnType: 'timestamptz' },
      publishedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    },
    indexes: [
      {
        name: 'outbox_event_unpublished_idx',
        // Partial: the relay scans only what is still unpublished, however large the table grows.
        expression: (table, columns, indexName) =>
          `create index "${indexName}" on ${table.schema ? `"${table.schema}".` : ''}"${table.name}" ("${columns.id}") where "${columns.publishedAt}" is null`,
      },
    ],
  });
}

/** One row per (consumer, event) applied: what makes redelivered events change nothing twice. */
export interface ProcessedEvent {
  consumer: string;
  eventId: string;
  processedAt: Date;
}

function processedEventSchema(): EntitySchema<ProcessedEvent> {
  return new EntitySchema<ProcessedEvent>({
    name: 'ProcessedEvent',
    tableName: 'processed_event',
    properties: {
      consumer: { type: 'text', primary: true },
      eventId: { type: 'uuid', primary: true },
      processedAt: { type: 'Date', columnType: 'timestamptz' },
    },
  });
}
