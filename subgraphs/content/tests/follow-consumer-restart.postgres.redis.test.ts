import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createServer } from '@supergraph/content';
import { idempotent, RedisStreamBus, uuidv7, type DomainEvent } from '@supergraph/events';
import type { SubgraphServer } from '@supergraph/subgraph-kit';
import { eventually, startTestSubgraph, testLogger, testRedis, type TestSubgraph } from '@supergraph/testing';
import { applyFollowEvent } from '../src/follow.service.js';

const EVENTS = 500;
const STREAM = 'users.follows';
const GROUP = 'content.follows';

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 500 follow/unfollow events over 20 users, as users would publish them: each event flips its pair's
 * state, at strictly increasing times. Returns them with the resulting follow set and counters.
 */
function followHistory() {
  const users = Array.from({ length: 20 }, () => uuidv7());
  const next = random(7);
  const following = new Set<string>();
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const events: DomainEvent[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const follower = users[Math.floor(next() * users.length)]!;
    let followee = users[Math.floor(next() * users.length)]!;
    if (followee === follower) followee = users[(users.indexOf(follower) + 1) % users.length]!;
    const pair = `${follower}|${followee}`;
    const type = following.has(pair) ? 'UserUnfollowed' : 'UserFollowed';
    if (type === 'UserFollowed') following.add(pair);
    else following.delete(pair);
    const at = new Date(start + i * 1_000).toISOString();
    events.push({
      id: uuidv7(),
      stream: STREAM,
      type,
      aggregateId: follower,
      payload: { followerId: follower, followeeId: followee, at },
      occurredAt: at,
    });
  }
  const counts = new Map<string, { follower_count: number; following_count: number }>();
  const count = (user: string) =>
    counts.get(user) ?? counts.set(user, { follower_count: 0, following_count: 0 }).get(user)!;
  for (const pair of following) {
    const [follower, followee] = pair.split('|') as [string, string];
    count(follower).following_count += 1;
    count(followee).follower_count += 1;
  }
  return { events, following: [...following].sort(), counts };
}

describe('the follow consumer, killed mid-stream and restarted (Redis Streams)', () => {
  const redisConfig = testRedis();
  const key = `${redisConfig.keyPrefix}stream:${STREAM}`;
  let redis: Redis;
  let first: TestSubgraph;
  let second: SubgraphServer | undefined;
  let secondBus: RedisStreamBus | undefined;

  beforeAll(() => {
    redis = new Redis(redisConfig.url);
  });
  afterAll(async () => {
    await second?.stop();
    await secondBus?.close();
    await first?.issuer.stop();
    await first?.db.drop();
    await redis.del(key);
    await redis.quit();
  });

  /** SQL through whichever server is alive (the first one's pool closes with it). */
  const sql = <T>(_: unknown, query: string, params: unknown[] = []) =>
    (second ?? first.server).orm.em.fork().getConnection().execute<T[]>(query, params);
  const processed = async () =>
    (
      await sql<{ n: number }>(first, `select count(*)::int as n from "content"."processed_event" where consumer = ?`, [
        GROUP,
      ])
    )[0]!.n;
  const pending = async () => {
    const [count, , , consumers] = (await redis.xpending(key, GROUP)) as [number, string, string, [string, string][]];
    return { count, consumers: Object.fromEntries((consumers ?? []).map(([name, n]) => [name, Number(n)])) };
  };
  const readModel = async () => ({
    following: (
      await sql<{ pair: string }>(
        first,
        `select follower_id || '|' || followee_id as pair from "content"."follow" where active order by pair`,
      )
    ).map((row) => row.pair),
    counts: await sql<{ user_id: string; follower_count: number; following_count: number }>(
      first,
      'select user_id, follower_count, following_count from "content"."follow_count" order by user_id',
    ),
    eventsApplied: (await sql<{ n: number }>(first, 'select sum(event_count)::int as n from "content"."follow"'))[0]!.n,
  });

  it('loses no event and applies none twice, also when an event is delivered again', async () => {
    const history = followHistory();
    const publisher = new RedisStreamBus({ url: redisConfig.url, keyPrefix: redisConfig.keyPrefix });
    await publisher.publish(history.events);
    await publisher.close();

    // One read takes the whole stream into this consumer's pending list; it dies with most of it unacknowledged.
    first = await startTestSubgraph(createServer, {
      bus: new RedisStreamBus({
        url: redisConfig.url,
        keyPrefix: redisConfig.keyPrefix,
        consumerName: 'content-a',
        blockMs: 100,
        batchSize: EVENTS,
        claimIdleMs: 60_000,
      }),
    });
    await eventually(async () => expect(await processed()).toBeGreaterThanOrEqual(50), 20_000, 5);
    await first.server.stop();
    await first.bus.close();
    // The next process, built (nothing runs before `start`), so that its pool can read the state the first left.
    secondBus = new RedisStreamBus({
      url: redisConfig.url,
      keyPrefix: redisConfig.keyPrefix,
      consumerName: 'content-b',
      blockMs: 100,
      claimIdleMs: 300,
    });
    second = await createServer({ databaseUrl: first.db.url, bus: secondBus, logger: testLogger().logger });

    const applied = await processed();
    expect(applied).toBeLessThan(EVENTS);
    // What a dead consumer leaves: the rest of what it read, pending under its name, never acknowledged.
    expect(await pending()).toEqual({ count: EVENTS - applied, consumers: { 'content-a': EVENTS - applied } });
    expect((await readModel()).eventsApplied).toBe(applied);

    // A crash between commit and acknowledgement: the oldest pending entry's effect is committed, by the
    // consumer's own transaction (handler and processed-event row), while the entry stays pending.
    const [entryId] = ((await redis.xpending(key, GROUP, '-', '+', 1)) as [string, ...unknown[]][])[0]!;
    const [, fields] = ((await redis.xrange(key, entryId, entryId)) as [string, string[]][])[0]!;
    await idempotent(second.orm, GROUP, applyFollowEvent)(JSON.parse(fields[1]!) as DomainEvent);
    expect(await processed()).toBe(applied + 1);
    expect((await pending()).count).toBe(EVENTS - applied);

    // The new server on the same database and Redis starts: it claims the dead consumer's entries, and
    // the one already committed changes nothing twice (`eventsApplied` below counts every application).
    await second.start({ port: 0 });
    await eventually(
      async () => {
        expect(await processed()).toBe(EVENTS);
        expect((await pending()).count).toBe(0);
      },
      30_000,
      100,
    );

    const expected = {
      following: history.following,
      counts: [...history.counts.entries()]
        .map(([user_id, counts]) => ({ user_id, ...counts }))
        .sort((a, b) => a.user_id.localeCompare(b.user_id)),
      eventsApplied: EVENTS,
    };
    // Users that unfollowed everyone keep a row of zeros; compare the non-zero counters with the expected ones.
    const model = await readModel();
    expect({
      ...model,
      counts: model.counts.filter((row) => row.follower_count !== 0 || row.following_count !== 0),
    }).toEqual(expected);

    // Redelivery: the same events again (as after a crash between commit and XACK), one applied by the
    // first server and one claimed from its pending list.
    const [oldest] = (await redis.xrange(key, '-', '+', 'COUNT', 1)) as [string, string[]][];
    const [newest] = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
    const ids: (string | null)[] = [];
    for (const [, fields] of [oldest!, newest!]) ids.push(await redis.xadd(key, '*', 'event', fields[1]!));
    await eventually(
      async () => {
        const groups = (await redis.xinfo('GROUPS', key)) as (string | number)[][];
        const group = groups.find((fields) => fields[fields.indexOf('name') + 1] === GROUP)!;
        expect(group[group.indexOf('last-delivered-id') + 1]).toBe(ids[1]);
        expect(group[group.indexOf('pending') + 1]).toBe(0);
      },
      10_000,
      50,
    );
    expect(await processed()).toBe(EVENTS);
    expect(await readModel()).toEqual(model);
  }, 90_000);
});
