import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { passwordToken, startStack, type Stack } from '@supergraph/stack';
import { eventually, graphql, testDatabase, testLogger, testRedis, type TestDatabase } from '@supergraph/testing';

const log = testLogger();
let db: TestDatabase;
let stack: Stack;
let ada: string;

let tokens: Record<'alice' | 'bob', string>;
const bearer = (username: 'alice' | 'bob') => ({ authorization: `Bearer ${tokens[username]}` });
const CREATE_POST = 'mutation($input: CreatePostInput!) { createPost(input: $input) { id title } }';

beforeAll(async () => {
  db = await testDatabase();
  const redis = testRedis();
  stack = await startStack({
    logger: log.logger,
    databaseUrl: db.serverUrl,
    databaseName: db.name,
    redisUrl: redis.url,
    redisKeyPrefix: redis.keyPrefix,
    gatewayPort: 0,
    countSqlQueries: true,
  });
  // Real sign-ins at the stack's issuer (password grant), then writes through the gateway as those users.
  const tokenUrl = stack.devIssuer!.tokenUrl;
  tokens = {
    alice: await passwordToken(tokenUrl, 'alice', 'user-password'),
    bob: await passwordToken(tokenUrl, 'bob', 'user-password'),
  };
  // Signing in to the web app calls `me`, which creates the profile.
  for (const username of ['alice', 'bob'] as const)
    await graphql(stack.gatewayUrl, '{ me { id } }', {}, bearer(username));
  ada = stack.devIssuer!.subjectOf('alice');
  for (const [username, title, body] of [
    ['alice', 'Engines', 'The analytical engine weaves algebraic patterns.'],
    ['alice', 'Poetry', 'Poetical science and federation of ideas.'],
    ['bob', 'Compilers', 'A federation of compilers and nanoseconds.'],
  ] as const) {
    const result = await graphql(
      stack.gatewayUrl,
      CREATE_POST,
      { input: { title, body, tags: ['demo'] } },
      bearer(username),
    );
    expect(result.body.errors).toBeUndefined();
  }
});

afterAll(async () => {
  await stack?.stop();
  await db?.drop();
});

describe('one query across all five subgraphs', () => {
  it('returns users with their plan, posts with moderation status, and search results fed by events', async () => {
    const query = `{
      users(first: 2) { edges { node { handle subscription { plan status } posts(first: 2) { edges { node { title moderation { status } } } } } } }
      search(query: "federation", first: 3) { totalCount edges { node { post { title author { handle } } } } }
    }`;
    // Search is a read model fed through the outbox and Redis Streams: it converges shortly after the writes.
    const { status, body } = await eventually(async () => {
      const response = await graphql(stack.gatewayUrl, query);
      expect((response.body.data as { search: { totalCount: number } }).search.totalCount).toBe(2);
      return response;
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        users: {
          edges: [
            {
              node: {
                handle: 'alice',
                subscription: { plan: 'FREE', status: 'ACTIVE' },
                posts: {
                  edges: [
                    { node: { title: 'Poetry', moderation: { status: 'VISIBLE' } } },
                    { node: { title: 'Engines', moderation: { status: 'VISIBLE' } } },
                  ],
                },
              },
            },
            {
              node: {
                handle: 'bob',
                subscription: { plan: 'FREE', status: 'ACTIVE' },
                posts: { edges: [{ node: { title: 'Compilers', moderation: { status: 'VISIBLE' } } }] },
              },
            },
          ],
        },
        search: {
          totalCount: 2,
          edges: expect.arrayContaining([
            { node: { post: { title: 'Poetry', author: { handle: 'alice' } } } },
            { node: { post: { title: 'Compilers', author: { handle: 'bob' } } } },
          ]),
        },
      },
    });
  });
});

describe('batching across subgraphs', () => {
  it('resolves N users’ fields owned by another subgraph with one request and one SQL query there', async () => {
    const billing = stack.subgraphs.billing.stats;
    const content = stack.subgraphs.content.stats;
    const [billingRequests, billingSql, contentRequests, contentSql] = [
      billing.graphqlRequests,
      billing.sqlQueries,
      content.graphqlRequests,
      content.sqlQueries,
    ];
    const { body } = await graphql(
      stack.gatewayUrl,
      '{ users(first: 10) { edges { node { subscription { plan } posts(first: 5) { edges { node { id } } } } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect((body.data as { users: { edges: unknown[] } }).users.edges).toHaveLength(2);
    expect([billing.graphqlRequests - billingRequests, billing.sqlQueries - billingSql]).toEqual([1, 1]);
    expect([content.graphqlRequests - contentRequests, content.sqlQueries - contentSql]).toEqual([1, 1]);
  });
});

describe('the feed through the gateway', () => {
  it('a page of followed users’ posts costs one request per subgraph, and one SQL query in users', async () => {
    const followed = await graphql(
      stack.gatewayUrl,
      'mutation($u: ID!) { follow(userId: $u) { id } }',
      { u: ada },
      bearer('bob'),
    );
    expect(followed.body.errors).toBeUndefined();
    const FEED = `{ feed(first: 10) { edges { node {
      title likeCount commentCount author { handle followerCount } moderation { status } } } } }`;
    // Content learns the follow from the users.follows stream.
    await eventually(async () => {
      const { body } = await graphql(stack.gatewayUrl, FEED, {}, bearer('bob'));
      expect((body.data as { feed: { edges: unknown[] } }).feed.edges).toHaveLength(2);
    }, 5_000);
    const counted = [stack.subgraphs.users.stats, stack.subgraphs.content.stats, stack.subgraphs.moderation.stats];
    const before = counted.map((stats) => [stats.graphqlRequests, stats.sqlQueries] as const);
    const { body } = await graphql(stack.gatewayUrl, FEED, {}, bearer('bob'));
    expect(body).toEqual({
      data: {
        feed: {
          edges: ['Poetry', 'Engines'].map((title) => ({
            node: {
              title,
              likeCount: 0,
              commentCount: 0,
              author: { handle: 'alice', followerCount: 1 },
              moderation: { status: 'VISIBLE' },
            },
          })),
        },
      },
    });
    const requests = counted.map((stats, i) => stats.graphqlRequests - before[i]![0]);
    expect(requests).toEqual([1, 1, 1]);
    // Both authors in one `_entities` call, loaded with one statement.
    expect(counted[0]!.sqlQueries - before[0]![1]).toBe(1);
  });
});

describe('bad input through the gateway', () => {
  it('an unknown id is null without error', async () => {
    const { status, body } = await graphql(
      stack.gatewayUrl,
      '{ user(id: "01900000-0000-7000-8000-0000000000ff") { handle } post(id: "nope") { title } }',
    );
    expect(status).toBe(200);
    expect(body).toEqual({ data: { user: null, post: null } });
  });

  it('invalid arguments get BAD_USER_INPUT from the owning subgraph', async () => {
    const { body } = await graphql(stack.gatewayUrl, '{ users(first: 1000) { edges { cursor } } }');
    expect(body).toEqual({
      data: null,
      errors: [
        {
          message: 'Invalid value for first: must be between 1 and 100',
          path: ['users'],
          extensions: {
            code: 'BAD_USER_INPUT',
            field: 'first',
            problems: [{ field: 'first', message: 'must be between 1 and 100' }],
            serviceName: 'users',
          },
        },
      ],
    });
  });

  it('a rejected mutation writes nothing anywhere: no post, no event, nothing in search', async () => {
    const before = await graphql<{ user: { posts: { edges: unknown[] } } }>(
      stack.gatewayUrl,
      'query($id: ID!) { user(id: $id) { posts(first: 50) { edges { cursor } } } }',
      { id: ada },
    );
    const { body } = await graphql(
      stack.gatewayUrl,
      CREATE_POST,
      { input: { title: '   ', body: 'unfederated zebra' } },
      bearer('alice'),
    );
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const after = await graphql<{ user: { posts: { edges: unknown[] } } }>(
      stack.gatewayUrl,
      'query($id: ID!) { user(id: $id) { posts(first: 50) { edges { cursor } } } }',
      { id: ada },
    );
    expect(after.body.data!.user.posts.edges).toHaveLength(before.body.data!.user.posts.edges.length);
    await stack.drainOutboxes();
    const search = await graphql(stack.gatewayUrl, '{ search(query: "zebra") { totalCount } }');
    expect(search.body).toEqual({ data: { search: { totalCount: 0 } } });
  });

  it('malformed GraphQL is a 400 with GRAPHQL_PARSE_FAILED, unknown fields GRAPHQL_VALIDATION_FAILED', async () => {
    const parse = await graphql(stack.gatewayUrl, '{ users(first: 1) { ');
    expect(parse.status).toBe(400);
    expect(parse.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const validation = await graphql(stack.gatewayUrl, '{ nope }');
    expect(validation.status).toBe(400);
    expect(validation.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('request ids', () => {
  it('forwards the caller’s x-request-id to every subgraph involved, and logs it on each line', async () => {
    await graphql(
      stack.gatewayUrl,
      '{ users(first: 1) { edges { node { subscription { plan } } } } }',
      {},
      { 'x-request-id': 'e2e-trace-42' },
    );
    const lines = log.lines().filter((line) => line.requestId === 'e2e-trace-42' && line.msg === 'graphql request');
    expect(lines.map((line) => line.subgraph ?? 'gateway').sort()).toEqual(['billing', 'gateway', 'users']);
  });
});

describe('outbox relays at rest', () => {
  it('do not wake each other: a relay polls at its interval when idle (regression: they once spun, loading CPU and PostgreSQL)', async () => {
    await stack.drainOutboxes();
    const polls = () => Object.values(stack.subgraphs).map((subgraph) => subgraph.stats.outboxPolls);
    const before = polls();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const after = polls();
    // The safety-net interval is 500 ms: at most three polls each in 1.2 s, not hundreds.
    expect(after.map((count, index) => count - before[index]! <= 3)).toEqual([true, true, true, true, true]);
  });
});
