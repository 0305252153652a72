import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { InProcessRealtime, RealtimeOverflowError, RedisRealtime, type RealtimeBus } from '@supergraph/events';
import { eventually, testRedis } from '@supergraph/testing';

type Bus = RealtimeBus & { activeSubscriptions(topic?: string): number };

const { url, keyPrefix } = testRedis();
const opened: RealtimeBus[] = [];
const redis = new Redis(url);

afterAll(async () => {
  await Promise.all(opened.map((bus) => bus.close()));
  await redis.quit();
});

const implementations: [string, (options?: { maxBuffered?: number; keyPrefix?: string }) => Bus][] = [
  ['InProcessRealtime', (options = {}) => track(new InProcessRealtime(options))],
  ['RedisRealtime', (options = {}) => track(new RedisRealtime({ url, keyPrefix, ...options }))],
];

function track<T extends RealtimeBus>(bus: T): T {
  opened.push(bus);
  return bus;
}

/** Subscribes and waits until the subscription receives what is published from now on. */
async function subscribed(bus: Bus, topic: string) {
  const before = bus.activeSubscriptions(topic);
  const iterator = bus.subscribe(topic);
  await eventually(async () => expect(bus.activeSubscriptions(topic)).toBe(before + 1));
  return iterator;
}

describe.each(implementations)('%s', (_name, create) => {
  it('delivers JSON payloads published after subscribing to every subscriber of the topic only', async () => {
    const bus = create();
    const first = await subscribed(bus, 'a');
    const second = await subscribed(bus, 'a');
    const other = await subscribed(bus, 'b');
    await bus.publish('a', { n: 1, at: new Date('2026-01-02T03:04:05Z'), skip: undefined });
    await bus.publish('a', 'two');
    await bus.publish('c', 'nobody listens');
    for (const iterator of [first, second]) {
      expect(await iterator.next()).toEqual({ value: { n: 1, at: '2026-01-02T03:04:05.000Z' }, done: false });
      expect(await iterator.next()).toEqual({ value: 'two', done: false });
    }
    await bus.publish('b', null);
    expect(await other.next()).toEqual({ value: null, done: false });
    await Promise.all([first.return(), second.return(), other.return()]);
    expect(bus.activeSubscriptions()).toBe(0);
  });

  it('releases a subscription at once on return(), ending the next() in flight', async () => {
    const bus = create();
    const iterator = await subscribed(bus, 'released');
    const pending = iterator.next();
    expect(await iterator.return()).toEqual({ value: undefined, done: true });
    expect(bus.activeSubscriptions('released')).toBe(0);
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    await bus.publish('released', 'late');
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    if (bus instanceof RedisRealtime) {
      const channel = `${keyPrefix}realtime:released`;
      await eventually(async () => expect(await redis.pubsub('NUMSUB', channel)).toEqual([channel, 0]));
    }
  });

  it('ends a subscriber that falls more than maxBuffered events behind with RealtimeOverflowError', async () => {
    const bus = create({ maxBuffered: 3 });
    const slow = await subscribed(bus, 'busy');
    const fast = await subscribed(bus, 'busy');
    for (let n = 1; n <= 3; n += 1) await bus.publish('busy', n);
    // Once the fast one has them, the slow one has them buffered: its buffer is full.
    for (let n = 1; n <= 3; n += 1) expect(await fast.next()).toEqual({ value: n, done: false });
    await bus.publish('busy', 4); // the slow one's 4th unread event
    await eventually(async () => expect(bus.activeSubscriptions('busy')).toBe(1));
    await expect(slow.next()).rejects.toEqual(new RealtimeOverflowError('busy', 3));
    expect(await slow.next()).toEqual({ value: undefined, done: true });
    expect(await fast.next()).toEqual({ value: 4, done: false });
    await fast.return();
  });

  it('ends every subscription on close (buffered events first) and refuses new ones', async () => {
    const bus = create();
    const iterator = await subscribed(bus, 'closing');
    const witness = await subscribed(bus, 'closing');
    await bus.publish('closing', 'last');
    // Delivered to one subscriber of a process = buffered for the others.
    expect(await witness.next()).toEqual({ value: 'last', done: false });
    const pending = witness.next();
    await bus.close();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    expect(await iterator.next()).toEqual({ value: 'last', done: false });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(bus.activeSubscriptions()).toBe(0);
    expect(() => bus.subscribe('closing')).toThrow('The realtime bus is closed');
    await bus.close(); // idempotent
  });
});

describe('RedisRealtime between processes', () => {
  it('delivers what one bus publishes to the subscribers of every bus on the same key prefix, and no other', async () => {
    const [publisher, receiver] = [implementations[1]![1](), implementations[1]![1]()];
    const stranger = implementations[1]![1]({ keyPrefix: `${keyPrefix}other:` });
    const received = await subscribed(receiver, 'shared');
    const isolated = await subscribed(stranger, 'shared');
    await publisher.publish('shared', { from: 'publisher' });
    expect(await received.next()).toEqual({ value: { from: 'publisher' }, done: false });
    await stranger.publish('shared', 'stranger');
    expect(await isolated.next()).toEqual({ value: 'stranger', done: false });
    await Promise.all([received.return(), isolated.return()]);
  });
});
