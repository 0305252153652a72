/** A fact that happened in one subgraph, as it travels between subgraphs. */
export interface DomainEvent<P = Record<string, unknown>> {
  /** UUIDv7 of the outbox row; the idempotency key of every consumer. */
  readonly id: string;
  /** Stream it travels on, e.g. `content.posts`. */
  readonly stream: string;
  /** e.g. `PostCreated`. */
  readonly type: string;
  readonly aggregateId: string;
  readonly payload: P;
  /** ISO-8601 time of the business transaction. */
  readonly occurredAt: string;
}

export type EventHandler = (event: DomainEvent) => Promise<void>;

export interface ConsumeOptions {
  readonly stream: string;
  /** Consumer group: each group sees every event once (at least once); members share the work. */
  readonly group: string;
  readonly handler: EventHandler;
}

export interface Consumption {
  /** Stops reading; resolves when the handler in flight (if any) has finished. */
  stop(): Promise<void>;
}

/**
 * At-least-once delivery between subgraphs. Handlers must be idempotent (see `idempotent`): an event
 * whose handler throws is delivered again, and a consumer that was down resumes from its group's last
 * acknowledged event.
 */
export interface EventBus {
  publish(events: readonly DomainEvent[]): Promise<void>;
  consume(options: ConsumeOptions): Promise<Consumption>;
  /** Events of `stream` that `group` has not read yet (for the consumer-lag metric). */
  lag(stream: string, group: string): Promise<number>;
  close(): Promise<void>;
}
