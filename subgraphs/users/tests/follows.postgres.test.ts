import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DomainEvent } from '@supergraph/events';
import { uuidv7 } from '@supergraph/subgraph-kit';
import { createServer } from '@supergraph/users';
import { eventually, graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';

let subgraph: TestSubgraph;
const followEvents: DomainEvent[] = [];
const FOLLOW = 'mutation($id: ID!) { follow(userId: $id) { id followerCount followingCount } }';
const UNFOLLOW = 'mutation($id: ID!) { unfollow(userId: $id) { id followerCount followingCount } }';
const NOBODY = '01900000-0000-7000-8000-0000000000ff';
/** ISO-8601 in UTC with microseconds: the database clock's time of a follow change. */
const ISO_MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

interface Person {
  readonly id: string;
  readonly handle: string;
  readonly headers: Record<string, string>;
}

/** A distinct signed-in person (own subject and username) with a profile, as `me` creates it. */
async function person(handle: string): Promise<Person> {
  const id = randomUUID();
  const token = await subgraph.issuer.mintToken('alice', 'supergraph-web', {
    sub: id,
    preferred_username: handle,
    name: handle,
  });
  const headers = { authorization: `Bearer ${token}` };
  const { body } = await graphql(subgraph.url, '{ me { id } }', {}, headers);
  expect(body).toEqual({ data: { me: { id } } });
  return { id, handle, headers };
}

async function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
  return subgraph.server.orm.em.fork().getConnection().execute<T[]>(query, params);
}

async function followRows(): Promise<number> {
  const [row] = await sql<{ n: string }>(`select count(*) as n from "users"."follow"`);
  return Number(row?.n);
}

/** Stored counters against the follow rows they count, for every user (they must agree). */
async function counterDrift(): Promise<unknown[]> {
  return sql(
    `select u.handle, u.follower_count, u.following_count,
       (select count(*)::int from "users"."follow" f where f.followee_id = u.id) as followers,
       (select count(*)::int from "users"."follow" f where f.follower_id = u.id) as following
     from "users"."user" u
     where u.follower_count <> (select count(*) from "users"."follow" f where f.followee_id = u.id)
        or u.following_count <> (select count(*) from "users"."follow" f where f.follower_id = u.id)`,
  );
}

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer);
  await subgraph.bus.consume({
    stream: 'users.follows',
    group: 'test.follows',
    handler: async (event) => void followEvents.push(event),
  });
});
afterAll(() => subgraph?.stop());

describe('follow / unfollow', () => {
  let ada: Person;
  let grace: Person;
  beforeAll(async () => {
    [ada, grace] = [await person('ada'), await person('grace')];
  });

  it('follows once, counts both sides, and publishes exactly one UserFollowed however often it is repeated', async () => {
    const first = await graphql(subgraph.url, FOLLOW, { id: grace.id.toUpperCase() }, ada.headers);
    expect(first.body).toEqual({ data: { follow: { id: grace.id, followerCount: 1, followingCount: 0 } } });
    const again = await graphql(subgraph.url, FOLLOW, { id: grace.id }, ada.headers);
    expect(again.body).toEqual(first.body);
    const me = await graphql(subgraph.url, '{ me { followerCount followingCount } }', {}, ada.headers);
    expect(me.body).toEqual({ data: { me: { followerCount: 0, followingCount: 1 } } });
    await eventually(async () => expect(followEvents.filter((e) => e.type === 'UserFollowed')).toHaveLength(1));
    const [event] = followEvents;
    expect(event).toMatchObject({ stream: 'users.follows', type: 'UserFollowed', aggregateId: ada.id });
    expect(event!.payload).toEqual({ followerId: ada.id, followeeId: grace.id, at: expect.stringMatching(ISO_MICROS) });
  });

  it('unfollows once and publishes exactly one UserUnfollowed; unfollowing again changes nothing', async () => {
    const done = await graphql(subgraph.url, UNFOLLOW, { id: grace.id }, ada.headers);
    expect(done.body).toEqual({ data: { unfollow: { id: grace.id, followerCount: 0, followingCount: 0 } } });
    const again = await graphql(subgraph.url, UNFOLLOW, { id: grace.id }, ada.headers);
    expect(again.body).toEqual(done.body);
    await eventually(async () => expect(followEvents.map((e) => e.type)).toEqual(['UserFollowed', 'UserUnfollowed']));
    expect(followEvents[1]!.payload).toEqual({
      followerId: ada.id,
      followeeId: grace.id,
      at: expect.stringMatching(ISO_MICROS),
    });
    // Consumers order a pair's changes by `at`: the database clock makes the later change later.
    const [followed, unfollowed] = followEvents.map((e) => (e.payload as { at: string }).at);
    expect(unfollowed! > followed!).toBe(true);
    await subgraph.server.drainOutbox(); // everything committed is published now: a second one would be here
    expect(followEvents).toHaveLength(2);
    const [outbox] = await sql<{ n: string }>(
      `select count(*) as n from "users"."outbox_event" where stream = 'users.follows'`,
    );
    expect(Number(outbox?.n)).toBe(2);
  });

  it('refuses oneself and a malformed id with BAD_USER_INPUT and an unknown user with NOT_FOUND, writing nothing', async () => {
    const before = await followRows();
    const self = await graphql(subgraph.url, FOLLOW, { id: ada.id }, ada.headers);
    expect(self.body).toEqual({
      data: null,
      errors: [
        {
          message: 'You cannot follow yourself',
          locations: [{ line: 1, column: 22 }],
          path: ['follow'],
          extensions: {
            code: 'BAD_USER_INPUT',
            field: 'userId',
            problems: [{ field: 'userId', message: 'is the caller' }],
          },
        },
      ],
    });
    const malformed = await graphql(subgraph.url, UNFOLLOW, { id: 'grace' }, ada.headers);
    expect(malformed.body.errors?.[0]).toMatchObject({
      message: 'Invalid value for userId: is not a user id',
      extensions: { code: 'BAD_USER_INPUT', field: 'userId' },
    });
    const unknown = await graphql(subgraph.url, FOLLOW, { id: NOBODY }, ada.headers);
    expect(unknown.body.errors?.[0]).toMatchObject({
      message: `User "${NOBODY}" was not found`,
      extensions: { code: 'NOT_FOUND', type: 'User', id: NOBODY },
    });
    expect(await followRows()).toBe(before);
  });

  it('needs role user: anonymous callers and service accounts get UNAUTHORIZED_FIELD_OR_TYPE', async () => {
    const anonymous = await graphql(subgraph.url, FOLLOW, { id: grace.id });
    expect(anonymous.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' });
    const partner = await graphql(
      subgraph.url,
      FOLLOW,
      { id: grace.id },
      { authorization: `Bearer ${await subgraph.token('service-account-partner-acme')}` },
    );
    expect(partner.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' });
  });
});

describe('counters under concurrency', () => {
  it('stay equal to the follow rows when many follow one user at once, each twice, while others follow back', async () => {
    const star = await person('star');
    const fans = await Promise.all(Array.from({ length: 24 }, (_, i) => person(`fan_${i}`)));
    const eventsBefore = followEvents.length;
    // Every fan follows the star twice at once while the star follows every fan: the same user rows
    // are locked from both sides (deadlock-prone without a lock order) and every pair is raced.
    const results = await Promise.all([
      ...fans.flatMap((fan) => [
        graphql(subgraph.url, FOLLOW, { id: star.id }, fan.headers),
        graphql(subgraph.url, FOLLOW, { id: star.id }, fan.headers),
        graphql(subgraph.url, FOLLOW, { id: fan.id }, star.headers),
      ]),
    ]);
    expect(results.filter((r) => r.body.errors)).toEqual([]);
    const user = await graphql(subgraph.url, 'query($id: ID!) { user(id: $id) { followerCount followingCount } }', {
      id: star.id,
    });
    expect(user.body).toEqual({ data: { user: { followerCount: 24, followingCount: 24 } } });
    expect(await counterDrift()).toEqual([]);
    await eventually(async () => expect(followEvents.length - eventsBefore).toBe(48));

    // Half unfollow (twice each, at once) while the other half follow again.
    const unfollows = await Promise.all(
      fans.flatMap((fan, i) =>
        i % 2 === 0
          ? [
              graphql(subgraph.url, UNFOLLOW, { id: star.id }, fan.headers),
              graphql(subgraph.url, UNFOLLOW, { id: star.id }, fan.headers),
            ]
          : [graphql(subgraph.url, FOLLOW, { id: star.id }, fan.headers)],
      ),
    );
    expect(unfollows.filter((r) => r.body.errors)).toEqual([]);
    const after = await graphql(subgraph.url, 'query($id: ID!) { user(id: $id) { followerCount } }', {
      id: star.id,
    });
    expect(after.body).toEqual({ data: { user: { followerCount: 12 } } });
    expect(await counterDrift()).toEqual([]);
    await eventually(async () => expect(followEvents.length - eventsBefore).toBe(60));
  });
});

describe('followers and following', () => {
  let hub: Person;
  let readers: Person[];
  beforeAll(async () => {
    hub = await person('hub');
    readers = [];
    for (const handle of ['r_one', 'r_two', 'r_three']) {
      const reader = await person(handle);
      readers.push(reader);
      // In order, so that follow order is known.
      const { body } = await graphql(subgraph.url, FOLLOW, { id: hub.id }, reader.headers);
      expect(body.errors).toBeUndefined();
    }
    await graphql(subgraph.url, FOLLOW, { id: readers[0]!.id }, hub.headers);
  });

  it('pages followers newest follow first with opaque cursors and pageInfo', async () => {
    const QUERY = `query($id: ID!, $after: String) { user(id: $id) { followerCount
      followers(first: 2, after: $after) { edges { cursor node { handle } } pageInfo { hasNextPage endCursor } } } }`;
    type Page = {
      user: {
        followerCount: number;
        followers: {
          edges: { cursor: string; node: { handle: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
    };
    const first = await graphql<Page>(subgraph.url, QUERY, { id: hub.id });
    const page1 = first.body.data!.user;
    expect(page1.followerCount).toBe(3);
    expect(page1.followers.edges.map((e) => e.node.handle)).toEqual(['r_three', 'r_two']);
    expect(page1.followers.pageInfo).toEqual({ hasNextPage: true, endCursor: page1.followers.edges[1]!.cursor });
    const second = await graphql<Page>(subgraph.url, QUERY, { id: hub.id, after: page1.followers.pageInfo.endCursor });
    expect(second.body.data!.user.followers.edges.map((e) => e.node.handle)).toEqual(['r_one']);
    expect(second.body.data!.user.followers.pageInfo.hasNextPage).toBe(false);
    const bad = await graphql(subgraph.url, QUERY, { id: hub.id, after: 'nope' });
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('lists whom a user follows', async () => {
    const { body } = await graphql(
      subgraph.url,
      'query($id: ID!) { user(id: $id) { followingCount following { edges { node { handle } } pageInfo { hasNextPage } } } }',
      { id: readers[0]!.id },
    );
    expect(body).toEqual({
      data: {
        user: {
          followingCount: 1,
          following: { edges: [{ node: { handle: 'hub' } }], pageInfo: { hasNextPage: false } },
        },
      },
    });
  });

  it('resolves counts and lists per level in a constant number of SQL queries (no N+1)', async () => {
    const QUERY = `query($n: Int) { users(first: $n) { edges { node { handle followerCount followingCount
      followers(first: 3) { edges { node { handle followerCount following(first: 2) { edges { node { handle followingCount } } } } } }
      following(first: 3) { edges { node { handle } } } } } } }`;
    const cost = async (n: number) => {
      const before = subgraph.server.stats.sqlQueries;
      const { body } = await graphql<{ users: { edges: unknown[] } }>(subgraph.url, QUERY, { n });
      expect(body.errors).toBeUndefined();
      const nested = JSON.stringify(body.data).match(/"following":\{"edges":\[\{/g) ?? [];
      expect(nested.length).toBeGreaterThan(20); // the nested levels are populated, not empty
      return { users: body.data!.users.edges.length, queries: subgraph.server.stats.sqlQueries - before };
    };
    // users page (1) + followers of the page (1) + their following (1) + following of the page (1),
    // for 31 users, 27 with followers and a star with 24 who each follow someone.
    expect(await cost(40)).toEqual({ users: 31, queries: 4 });
  });
});

describe('indexes', () => {
  /**
   * The plan of `query` over a realistic amount of data: 5,000 users (a few flagged) following 20
   * others each, inserted and analysed in a transaction that is rolled back afterwards.
   */
  async function plans(queries: [string, unknown[]][]): Promise<string[]> {
    const knex = subgraph.server.orm.em.getConnection().getKnex();
    const trx = await knex.transaction();
    try {
      await trx.raw(`create temp table seed_user on commit drop as
        select i, uuidv7() as id from generate_series(1, 5000) as i`);
      await trx.raw(`insert into "users"."user" (id, handle, display_name, created_at, updated_at, flagged_for_review_at)
        select id, 'x' || i, 'x', now(), now(), case when i % 1000 = 0 then now() end from seed_user`);
      await trx.raw(`insert into "users"."follow" (id, follower_id, followee_id, created_at)
        select uuidv7(), a.id, b.id, now()
        from seed_user a cross join generate_series(1, 20) as k join seed_user b on b.i = (a.i + k) % 5000 + 1`);
      await trx.raw(`analyze "users"."user", "users"."follow"`);
      const result: string[] = [];
      for (const [query, params] of queries) {
        const rows = (await trx.raw(`explain ${query}`, params as never)) as { rows: { 'QUERY PLAN': string }[] };
        result.push(rows.rows.map((row) => row['QUERY PLAN']).join('\n'));
      }
      return result;
    } finally {
      await trx.rollback();
    }
  }

  it('serves each access path from its index', async () => {
    const id = randomUUID();
    const [followers, following, pair, flagged] = await plans([
      [`select * from "users"."follow" where followee_id = ? and id < ? order by id desc limit 21`, [id, id]],
      [`select * from "users"."follow" where follower_id = ? order by id desc limit 21`, [id]],
      [`select 1 from "users"."follow" where follower_id = ? and followee_id = ?`, [id, id]],
      [
        `select * from "users"."user" where flagged_for_review_at is not null order by flagged_for_review_at, id limit 21`,
        [],
      ],
    ]);
    expect(followers).toContain('Index Scan Backward using follow_followee_id_idx');
    expect(following).toContain('Index Scan Backward using follow_follower_id_idx');
    expect(pair).toContain('follow_pair_unique');
    expect(flagged).toContain('Index Scan using user_flagged_for_review_idx');
  }, 60_000);
});

describe('AuthorFlagged (moderation.decisions)', () => {
  const admin = async () => ({ authorization: `Bearer ${await subgraph.token('admin')}` });
  const flagged = (userId: string, at: string, removals = 3): DomainEvent => ({
    id: uuidv7(),
    stream: 'moderation.decisions',
    type: 'AuthorFlagged',
    aggregateId: userId,
    payload: { userId, removals, threshold: 3, at },
    occurredAt: at,
  });
  const QUERY = `{ usersFlaggedForReview(first: 10) { edges { node { handle flaggedForReview
    auditLog { action reason actor at } } } pageInfo { hasNextPage } } }`;

  it('flags the author for admins, audits it once per event, and never moves the flag back', async () => {
    const author = await person('flagged_author');
    const other = await person('other_author');
    const event = flagged(author.id, '2026-11-22T01:00:00.000Z');
    // Redelivered, an unrelated type, and a later flag of another author.
    // A copy: the in-process bus finds an event's position by identity.
    await subgraph.bus.publish([
      event,
      { ...event },
      { ...event, id: uuidv7(), type: 'ModerationStatusChanged' },
      flagged(other.id, '2026-11-22T02:00:00.000Z', 4),
    ]);
    const expected = {
      data: {
        usersFlaggedForReview: {
          edges: [
            {
              node: {
                handle: 'flagged_author',
                flaggedForReview: true,
                auditLog: [
                  {
                    action: 'FLAGGED_FOR_REVIEW',
                    reason: '3 removals (threshold 3)',
                    actor: 'moderation',
                    at: '2026-11-22T01:00:00.000Z',
                  },
                ],
              },
            },
            {
              node: {
                handle: 'other_author',
                flaggedForReview: true,
                auditLog: [
                  {
                    action: 'FLAGGED_FOR_REVIEW',
                    reason: '4 removals (threshold 3)',
                    actor: 'moderation',
                    at: '2026-11-22T02:00:00.000Z',
                  },
                ],
              },
            },
          ],
          pageInfo: { hasNextPage: false },
        },
      },
    };
    await eventually(async () =>
      expect((await graphql(subgraph.url, QUERY, {}, await admin())).body).toEqual(expected),
    );

    // The page and every listed user's audit log: two queries, however many users are flagged.
    const before = subgraph.server.stats.sqlQueries;
    await graphql(subgraph.url, QUERY, {}, await admin());
    expect(subgraph.server.stats.sqlQueries - before).toBe(2);

    // An older flag of the first author arrives late: audited, but the order (by flag time) stays.
    await subgraph.bus.publish([flagged(author.id, '2026-11-21T00:00:00.000Z', 5)]);
    await eventually(async () => {
      const [row] = await sql<{ n: string }>(`select count(*) as n from "users"."user_audit" where user_id = ?`, [
        author.id,
      ]);
      expect(Number(row?.n)).toBe(2);
    });
    const [user] = await sql<{ flagged_for_review_at: Date }>(
      `select flagged_for_review_at from "users"."user" where id = ?`,
      [author.id],
    );
    expect(new Date(user!.flagged_for_review_at).toISOString()).toBe('2026-11-22T01:00:00.000Z');

    const plain = await graphql(
      subgraph.url,
      'query($id: ID!) { user(id: $id) { handle flaggedForReview } }',
      { id: author.id },
      author.headers,
    );
    expect(plain.body).toEqual({
      data: { user: { handle: 'flagged_author', flaggedForReview: null } },
      errors: [
        {
          message: 'Unauthorized field or type',
          locations: [{ line: 1, column: 42 }],
          path: ['user', 'flaggedForReview'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' },
        },
      ],
    });
    const list = await graphql(subgraph.url, QUERY, {}, author.headers);
    expect(list.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' });
  });

  it('pages flagged users by cursor and is false for users never flagged', async () => {
    const PAGE = `query($after: String) { usersFlaggedForReview(first: 1, after: $after) {
      edges { cursor node { handle } } pageInfo { hasNextPage endCursor } } }`;
    type Page = {
      usersFlaggedForReview: {
        edges: { node: { handle: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
    const first = await graphql<Page>(subgraph.url, PAGE, {}, await admin());
    expect(first.body.data!.usersFlaggedForReview.edges.map((e) => e.node.handle)).toEqual(['flagged_author']);
    expect(first.body.data!.usersFlaggedForReview.pageInfo.hasNextPage).toBe(true);
    const second = await graphql<Page>(
      subgraph.url,
      PAGE,
      { after: first.body.data!.usersFlaggedForReview.pageInfo.endCursor },
      await admin(),
    );
    expect(second.body.data!.usersFlaggedForReview.edges.map((e) => e.node.handle)).toEqual(['other_author']);
    expect(second.body.data!.usersFlaggedForReview.pageInfo.hasNextPage).toBe(false);
    const unflagged = await person('never_flagged');
    const never = await graphql(
      subgraph.url,
      'query($id: ID!) { user(id: $id) { flaggedForReview } }',
      { id: unflagged.id },
      await admin(),
    );
    expect(never.body).toEqual({ data: { user: { flaggedForReview: false } } });
  });
});
