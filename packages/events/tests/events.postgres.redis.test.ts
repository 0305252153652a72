import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EntitySchema } from '@mikro-orm/core';
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import {
  idempotent,
  outboxEntities,
  OutboxRelay,
  recordEvent,
  RedisStreamBus,
  uuidv7,
  type DomainEvent,
} from '@supergraph/events';
import { eventually, testDatabase, testRedis, type TestDatabase } from '@supergraph/testing';

interface Counter {
  name: string;
  value: number;
}
const counterSchema = () =>
  new EntitySchema<Counter>({
    name: 'Counter',
    properties: { name: { type: 'text', primary: true }, value: { type: 'integer' } },
  });

let db: TestDatabase;
let orm: MikroORM;
const buses: RedisStreamBus[] = [];
/** Releases handlers that simulate a dead process, so that nothing outlives the test file. */
const releases: (() => void)[] = [];

function bus(options: { keyPrefix: string; consumerName?: string; claimIdleMs?: number }): RedisStreamBus {
  const created = new RedisStreamBus({ url: testRedis().url, blockMs: 100, ...options });
  buses.push(created);
  return created;
}

function event(stream: string, n: number): DomainEvent {
  return {
    id: uuidv7(),
    stream,
    type: 'Numbered',
    aggregateId: String(n),
    payload: { n },
    occurredAt: new Date().toISOString(),
  };
}

beforeAll(async () => {
  db = await testDatabase();
  orm = await MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl: db.url,
    schema: 'events_test',
    entities: [...outboxEntities(), counterSchema()],
    allowGlobalContext: false,
    debug: false,
  });
  await orm.schema.createSchema();
});

afterAll(async () => {
  for (const release of releases) release();
  await Promise.all(buses.map((b) => b.close()));
  await orm?.close();
  await db?.drop();
});

describe('outbox relay', () => {
  it('publishes committed rows in order, and never rows whose transaction rolled back', async () => {
    const { keyPrefix } = testRedis();
    const publisher = bus({ keyPrefix });
    const relay = new OutboxRelay({ orm, bus: publisher });
    const em = orm.em.fork();
    await em.transactional(async (tx) => {
      recordEvent(tx, { stream: 'orders', type: 'Placed', aggregateId: 'a', payload: { n: 1 } });
      recordEvent(tx, { stream: 'orders', type: 'Placed', aggregateId: 'b', payload: { n: 2 } });
    });
    await expect(
      orm.em.fork().transactional(async (tx) => {
        recordEvent(tx, { stream: 'orders', type: 'Placed', aggregateId: 'c', payload: { n: 3 } });
        await tx.flush();
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');

    expect(await relay.drain()).toBe(2);
    expect(await relay.drain()).toBe(0);

    const received: unknown[] = [];
    const consumer = bus({ keyPrefix });
    const consumption = await consumer.consume({
      stream: 'orders',
      group: 'g',
      handler: async (e) => void received.push(e.payload),
    });
    await eventually(async () => expect(received).toEqual([{ n: 1 }, { n: 2 }]));
    await consumption.stop();
  });
});

describe('Redis Streams bus', () => {
  it('redelivers an event whose handler failed, in order, until it succeeds', async () => {
    const { keyPrefix } = testRedis();
    const b = bus({ keyPrefix });
    const seen: number[] = [];
    let failures = 1;
    const consumption = await b.consume({
      stream: 's',
      group: 'g',
      handler: async (e) => {
        const n = e.payload.n as number;
        if (n === 2 && failures-- > 0) throw new Error('transient');
        seen.push(n);
      },
    });
    await b.publish([event('s', 1), event('s', 2), event('s', 3)]);
    await eventually(async () => expect(seen).toEqual([1, 2, 3]));
    await consumption.stop();
  });

  it('a consumer that was down resumes from its last acknowledged event; a dead consumer’s entries are claimed', async () => {
    const { keyPrefix } = testRedis();
    const publisher = bus({ keyPrefix });
    const first = bus({ keyPrefix, consumerName: 'worker-1', claimIdleMs: 200 });
    const applied: number[] = [];
    let crash = false;
    const consumption = await first.consume({
      stream: 'q',
      group: 'g',
      handler: async (e) => {
        const n = e.payload.n as number;
        if (n === 3) {
          crash = true;
          // Simulates a process dying mid-handler: the entry stays pending and unacknowledged.
          await new Promise<void>((resolve) => releases.push(resolve));
          return;
        }
        applied.push(n);
      },
    });
    await publisher.publish([1, 2, 3, 4, 5].map((n) => event('q', n)));
    await eventually(async () => expect(crash).toBe(true));
    // The "crashed" worker's connection is cut without acknowledging event 3.
    void consumption.stop(); // resolves only in afterAll: the handler hangs, as in a dead process

    const second = bus({ keyPrefix, consumerName: 'worker-2', claimIdleMs: 200 });
    const resumed = await second.consume({
      stream: 'q',
      group: 'g',
      handler: async (e) => void applied.push(e.payload.n as number),
    });
    // Each exactly once: 1 and 2, acknowledged by worker-1, are not delivered again; 3 is claimed; 4 and 5 follow.
    await eventually(async () => expect([...applied].sort()).toEqual([1, 2, 3, 4, 5]));
    expect(applied).toHaveLength(5);
    await resumed.stop();
  });

  it('an idempotent handler applies a redelivered event once', async () => {
    const { keyPrefix } = testRedis();
    const b = bus({ keyPrefix });
    await orm.em.fork().insert('Counter', { name: 'c', value: 0 });
    const handler = idempotent(orm, 'counter', async (_e, em) => {
      await em.getConnection().execute('update "events_test"."counter" set value = value + 1 where name = ?', ['c']);
    });
    const once = event('c', 1);
    const consumption = await b.consume({ stream: 'c', group: 'g', handler });
    await b.publish([once, once, once, event('c', 2)]);
    await eventually(async () => {
      const row = await orm.em.fork().findOneOrFail<Counter>('Counter', { name: 'c' });
      expect(row.value).toBe(2);
    });
    await consumption.stop();
  });
});
