/**
 * Federated subscriptions through the gateway over graphql-ws: the subscription is opened on the
 * subgraph that owns the event, and every event is completed with fields from the other subgraphs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { startStack, type Stack } from '@supergraph/stack';
import {
  eventually,
  graphql,
  subscribeWs,
  testDatabase,
  testLogger,
  wsClient,
  type TestDatabase,
} from '@supergraph/testing';

const log = testLogger();
let db: TestDatabase;
let stack: Stack;
const clients: Client[] = [];

function connect(token?: string, onClose?: (code: number) => void): Client {
  const client = wsClient(stack.gatewayUrl, token, onClose);
  clients.push(client);
  return client;
}

const collect = subscribeWs;

beforeAll(async () => {
  db = await testDatabase();
  stack = await startStack({
    logger: log.logger,
    databaseUrl: db.serverUrl,
    databaseName: db.name,
    gatewayPort: 0,
    // No periodic denylist check within a test: a disabled account is closed by the denylist's notice.
    websocket: { denylistCheckMs: 600_000, maxSubscriptionsPerSubject: 3 },
    // Retries after 100, 200, 400, 800 and 1,600 ms (plus jitter): 3–4.5 s before a lost subgraph is given up.
    upstreamSubscriptions: { upstreamRetryAttempts: 5, upstreamRetryBaseMs: 100 },
  });
  await graphql(
    stack.gatewayUrl,
    '{ me { id } }',
    {},
    { authorization: `Bearer ${await stack.devIssuer!.mintToken('alice')}` },
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await stack?.stop();
  await db?.drop();
});

describe('postCreated through the gateway', () => {
  it('delivers each new post with fields from content, users, billing and moderation', async () => {
    const alice = await stack.devIssuer!.mintToken('alice');
    const client = connect(alice);
    const subscription = collect(
      client,
      `subscription Posts { postCreated { title author { handle subscription { plan } } moderation { status } } }`,
    );
    // The subscription reaches the content subgraph before the post is created.
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 3_000);
    const created = await graphql(
      stack.gatewayUrl,
      'mutation { createPost(input: { title: "Live!", body: "now" }) { id } }',
      {},
      { authorization: `Bearer ${alice}` },
    );
    expect(created.body.errors).toBeUndefined();
    await eventually(async () => expect(subscription.events).toHaveLength(1), 3_000);
    expect(subscription.events).toEqual([
      {
        data: {
          postCreated: {
            title: 'Live!',
            author: { handle: 'alice', subscription: { plan: 'FREE' } },
            moderation: { status: 'VISIBLE' },
          },
        },
      },
    ]);
    subscription.unsubscribe();
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(0), 3_000);
  });

  it('filters by argument: only the named author’s posts arrive', async () => {
    const alice = await stack.devIssuer!.mintToken('alice');
    const bob = await stack.devIssuer!.mintToken('bob');
    await graphql(stack.gatewayUrl, '{ me { id } }', {}, { authorization: `Bearer ${bob}` });
    const subscription = collect(connect(bob), 'subscription($a: ID) { postCreated(authorId: $a) { title } }', {
      a: stack.devIssuer!.subjectOf('bob'),
    });
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 3_000);
    await graphql(
      stack.gatewayUrl,
      'mutation { createPost(input: { title: "from alice", body: "x" }) { id } }',
      {},
      { authorization: `Bearer ${alice}` },
    );
    await graphql(
      stack.gatewayUrl,
      'mutation { createPost(input: { title: "from bob", body: "x" }) { id } }',
      {},
      { authorization: `Bearer ${bob}` },
    );
    await eventually(
      async () => expect(subscription.events).toEqual([{ data: { postCreated: { title: 'from bob' } } }]),
      3_000,
    );
    subscription.unsubscribe();
  });
});

describe('commentAdded and moderationCaseUpdated through the gateway', () => {
  const as = async (user: string) => ({ authorization: `Bearer ${await stack.devIssuer!.mintToken(user)}` });
  const createPost = async (title: string) => {
    const created = await graphql(
      stack.gatewayUrl,
      'mutation($t: String!) { createPost(input: { title: $t, body: "text" }) { id } }',
      { t: title },
      await as('alice'),
    );
    return (created.body.data as { createPost: { id: string } }).createPost.id;
  };

  it('delivers each comment on the post with fields from content, users and moderation', async () => {
    await graphql(stack.gatewayUrl, '{ me { id } }', {}, await as('bob'));
    const [post, other] = [await createPost('Commented'), await createPost('Not this one')];
    const subscription = collect(
      connect(await stack.devIssuer!.mintToken('alice')),
      `subscription($p: ID!) { commentAdded(postId: $p) {
        body author { handle } post { title author { handle } moderation { status } } } }`,
      { p: post },
    );
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 3_000);
    const comment = (postId: string, body: string) =>
      as('bob').then((headers) =>
        graphql(
          stack.gatewayUrl,
          'mutation($p: ID!, $b: String!) { addComment(input: { postId: $p, body: $b }) { id } }',
          { p: postId, b: body },
          headers,
        ),
      );
    expect((await comment(other, 'elsewhere')).body.errors).toBeUndefined();
    expect((await comment(post, 'first!')).body.errors).toBeUndefined();
    await eventually(async () => expect(subscription.events).toHaveLength(1), 3_000);
    expect(subscription.events).toEqual([
      {
        data: {
          commentAdded: {
            body: 'first!',
            author: { handle: 'bob' },
            post: { title: 'Commented', author: { handle: 'alice' }, moderation: { status: 'VISIBLE' } },
          },
        },
      },
    ]);
    subscription.unsubscribe();
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(0), 3_000);
  });

  it('moderationCaseUpdated reaches moderators when a report opens a case, and is refused to users', async () => {
    const refused = collect(
      connect(await stack.devIssuer!.mintToken('alice')),
      'subscription { moderationCaseUpdated { id } }',
    );
    await eventually(async () => expect(refused.ended()).toEqual({ completed: true }), 3_000);
    expect(refused.events).toEqual([
      { errors: [expect.objectContaining({ extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } })] },
    ]);

    const post = await createPost('Reported in realtime');
    const cases = collect(
      connect(await stack.devIssuer!.mintToken('mod')),
      'subscription { moderationCaseUpdated { state contentId post { title author { handle } } } }',
    );
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 3_000);
    // Moderation learns of the post from content's event stream; report once it has.
    const bob = await as('bob');
    await eventually(async () => {
      const reported = await graphql(
        stack.gatewayUrl,
        'mutation($id: ID!) { reportContent(id: $id, reason: "spam") { id } }',
        { id: post },
        bob,
      );
      expect(reported.body.errors).toBeUndefined();
    }, 5_000);
    await eventually(async () => expect(cases.events.length).toBeGreaterThanOrEqual(1), 5_000);
    expect(cases.events[0]).toEqual({
      data: {
        moderationCaseUpdated: {
          state: 'OPEN',
          contentId: post,
          post: { title: 'Reported in realtime', author: { handle: 'alice' } },
        },
      },
    });
    cases.unsubscribe();
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(0), 3_000);
  });
});

describe('auth and limits', () => {
  it('an invalid token in connection_init is refused with 4403', async () => {
    let code: number | undefined;
    const subscription = collect(
      connect('not-a-token', (c) => (code = c)),
      'subscription { postCreated { title } }',
    );
    await eventually(async () => expect(code).toBe(4403), 3_000);
    expect(subscription.events).toEqual([]);
  });

  it('a subscription the caller may not see is refused with UNAUTHORIZED_FIELD_OR_TYPE', async () => {
    const subscription = collect(connect(), 'subscription { mySubscriptionChanged { plan } }');
    await eventually(async () => expect(subscription.ended()).toEqual({ completed: true }), 3_000);
    expect(subscription.events).toEqual([
      {
        errors: [
          expect.objectContaining({
            message: 'Unauthorized field or type',
            extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' },
          }),
        ],
      },
    ]);
  });

  it('the operation limits of HTTP apply to subscriptions: too deep is refused, naming the limit', async () => {
    const nested = (depth: number): string =>
      depth === 0 ? 'title' : `author { posts { edges { node { ${nested(depth - 1)} } } } }`;
    const subscription = collect(connect(), `subscription { postCreated { ${nested(3)} } }`);
    await eventually(async () => expect(subscription.ended()).toBeDefined(), 3_000);
    expect(subscription.ended()).toEqual({
      error: [
        {
          message: 'The operation exceeds the depth limit (14 > 12)',
          extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 12, actual: 14 },
        },
      ],
    });
    expect(stack.gateway.subscriptions.active()).toBe(0);
  });

  it('the cost estimate applies to subscriptions over graphql-ws and multipart HTTP alike', async () => {
    const costly = `subscription { postCreated { author { posts(first: 100) { edges { node {
      comments(first: 100) { edges { node { author { handle } } } } } } } } } }`;
    const overWs = collect(connect(), costly);
    await eventually(async () => expect(overWs.ended()).toBeDefined(), 3_000);
    const [refusal] = (overWs.ended() as { error: [{ message: string; extensions: Record<string, unknown> }] }).error;
    expect(refusal.extensions).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'cost',
      max: 25_000,
      actual: expect.any(Number),
    });
    const overHttp = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed;subscriptionSpec=1.0,application/json',
        'apollo-require-preflight': 'true',
      },
      body: JSON.stringify({ query: costly }),
    });
    expect(overHttp.status).toBe(400);
    expect(await overHttp.json()).toEqual({ errors: [refusal] });
    expect(stack.gateway.subscriptions.active()).toBe(0);
  });

  it('the connection is closed with 4403 when its token expires', async () => {
    const shortLived = await stack.devIssuer!.mintToken('alice', 'supergraph-web', {
      exp: Math.floor(Date.now() / 1000) + 2,
    });
    let code: number | undefined;
    collect(
      connect(shortLived, (c) => (code = c)),
      'subscription { postCreated { title } }',
    );
    await eventually(async () => expect(code).toBe(4403), 6_000);
  }, 10_000);
});

describe('Apollo Client', () => {
  it('GraphQLWsLink receives postCreated with fields from several subgraphs', async () => {
    const alice = await stack.devIssuer!.mintToken('alice');
    const client = new ApolloClient({ cache: new InMemoryCache(), link: new GraphQLWsLink(connect(alice)) });
    const received: unknown[] = [];
    const subscription = client
      .subscribe({
        query: gql`
          subscription Live {
            postCreated {
              title
              author {
                handle
              }
              moderation {
                status
              }
            }
          }
        `,
      })
      .subscribe({ next: (value) => void received.push(value.data) });
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 3_000);
    await graphql(
      stack.gatewayUrl,
      'mutation { createPost(input: { title: "Via Apollo", body: "x" }) { id } }',
      {},
      { authorization: `Bearer ${alice}` },
    );
    await eventually(async () => expect(received).toHaveLength(1), 3_000);
    expect(received).toEqual([
      {
        postCreated: {
          __typename: 'Post',
          title: 'Via Apollo',
          author: { __typename: 'User', handle: 'alice' },
          moderation: { __typename: 'PostModeration', status: 'VISIBLE' },
        },
      },
    ]);
    subscription.unsubscribe();
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(0), 3_000);
  });
});

describe('multipart HTTP subscriptions', () => {
  it('Apollo Client over plain HTTP (multipart/mixed) receives postCreated', async () => {
    const alice = await stack.devIssuer!.mintToken('alice');
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: new HttpLink({ uri: stack.gatewayUrl, headers: { authorization: `Bearer ${alice}` } }),
    });
    const received: unknown[] = [];
    const subscription = client
      .subscribe({
        query: gql`
          subscription OverHttp {
            postCreated {
              title
              author {
                handle
              }
            }
          }
        `,
      })
      .subscribe({ next: (value) => void received.push(value.data) });
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 3_000);
    await graphql(
      stack.gatewayUrl,
      'mutation { createPost(input: { title: "Over HTTP", body: "x" }) { id } }',
      {},
      { authorization: `Bearer ${alice}` },
    );
    await eventually(async () => expect(received).toHaveLength(1), 3_000);
    expect(received).toEqual([
      { postCreated: { __typename: 'Post', title: 'Over HTTP', author: { __typename: 'User', handle: 'alice' } } },
    ]);
    subscription.unsubscribe();
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(0), 3_000);
  });
});

describe('limits and revocation', () => {
  it('a subject holds at most the configured number of subscriptions across its connections', async () => {
    const token = await stack.devIssuer!.mintToken('alice');
    const first = connect(token);
    const second = connect(token);
    const held = [
      collect(first, 'subscription { postCreated { title } }'),
      collect(first, 'subscription { postCreated { title } }'),
      collect(second, 'subscription { postCreated { title } }'),
    ];
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(3), 3_000);
    const fourth = collect(second, 'subscription { postCreated { title } }');
    await eventually(
      async () =>
        expect(fourth.ended()).toEqual({
          error: [expect.objectContaining({ message: 'At most 3 subscriptions per user' })],
        }),
      3_000,
    );
    for (const subscription of held) subscription.unsubscribe();
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(0), 3_000);
  });

  it('the connection of a subject disabled while connected is closed with 4403 at once', async () => {
    const bob = await stack.devIssuer!.mintToken('bob');
    let code: number | undefined;
    collect(
      connect(bob, (c) => (code = c)),
      'subscription { postCreated { title } }',
    );
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 3_000);
    const admin = await stack.devIssuer!.mintToken('admin');
    const disabled = await graphql(
      stack.gatewayUrl,
      'mutation($id: ID!) { disableUser(id: $id, reason: "test") { accountStatus } }',
      { id: stack.devIssuer!.subjectOf('bob') },
      { authorization: `Bearer ${admin}` },
    );
    expect(disabled.body).toEqual({ data: { disableUser: { accountStatus: 'DISABLED' } } });
    await eventually(async () => expect(code).toBe(4403), 3_000);
  });
});

// Last: it stops the content subgraph.
describe('resilience', () => {
  const createPost = async (title: string) =>
    graphql(
      stack.gatewayUrl,
      `mutation { createPost(input: { title: "${title}", body: "b" }) { id } }`,
      {},
      { authorization: `Bearer ${await stack.devIssuer!.mintToken('alice')}` },
    );

  it('a follow-up fetch that fails puts its error in that event, and the stream goes on', async () => {
    const subscription = collect(
      connect(await stack.devIssuer!.mintToken('alice')),
      'subscription { postCreated { title author { handle subscription { plan } } } }',
    );
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 3_000);
    await stack.subgraphs.billing.stop();
    try {
      await createPost('billing is down');
      await eventually(async () => expect(subscription.events).toHaveLength(1), 5_000);
      // User.subscription and every field above it are non-null, so the event's data is null (GraphQL's
      // null propagation), and the error says which subgraph failed.
      expect(subscription.events[0]).toEqual({
        data: null,
        errors: [
          expect.objectContaining({
            extensions: expect.objectContaining({ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'billing' }),
          }),
        ],
      });
    } finally {
      await stack.restartSubgraph('billing');
    }
    await createPost('billing is back');
    await eventually(async () => expect(subscription.events).toHaveLength(2), 5_000);
    expect(subscription.events[1]).toEqual({
      data: { postCreated: { title: 'billing is back', author: { handle: 'alice', subscription: { plan: 'FREE' } } } },
    });
    expect(subscription.ended()).toBeUndefined();
    subscription.unsubscribe();
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(0), 3_000);
  });

  it('a subgraph restarted meanwhile: the gateway reconnects, subscribes again, and events flow on', async () => {
    const subscription = collect(
      connect(await stack.devIssuer!.mintToken('alice')),
      'subscription { postCreated { title author { handle } } }',
    );
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 3_000);
    await stack.subgraphs.content.stop();
    await stack.restartSubgraph('content');
    // The gateway's retry subscribed again on the new server: a post created now arrives.
    await eventually(async () => {
      await createPost('after restart');
      expect(subscription.events.map((r) => r.data)).toContainEqual({
        postCreated: { title: 'after restart', author: { handle: 'alice' } },
      });
    }, 5_000);
    expect(subscription.ended()).toBeUndefined();
    subscription.unsubscribe();
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(0), 3_000);
  });

  it('a client that leaves while the gateway is reconnecting upstream leaves nothing behind', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const subscription = collect(
        connect(await stack.devIssuer!.mintToken('alice')),
        'subscription { postCreated { title } }',
      );
      await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 3_000);
      await stack.subgraphs.content.stop();
      await new Promise((resolve) => setTimeout(resolve, 150)); // within the retries' waits
      subscription.unsubscribe();
      await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(0), 3_000);
      // Long enough for every pending retry to wake up and find no subscription left.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await stack.restartSubgraph('content');
    }
  });

  it('a subgraph that stays away ends the subscriptions that need it with an error: the client is never left hanging', async () => {
    const subscription = collect(
      connect(await stack.devIssuer!.mintToken('alice')),
      'subscription { postCreated { title } }',
    );
    await eventually(async () => expect(stack.gateway.subscriptions.active()).toBe(1), 3_000);
    await stack.subgraphs.content.stop();
    // After the retries, the last result says why, and the subscription completes.
    await eventually(async () => expect(subscription.ended()).toEqual({ completed: true }), 8_000);
    expect(subscription.events.at(-1)).toEqual({
      errors: [
        {
          message: 'The content service ended the subscription',
          extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'content' },
        },
      ],
    });
    expect(stack.gateway.subscriptions.active()).toBe(0);
  });
});
