import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';
import { createServer } from '@supergraph/content';
import { InProcessRealtime, RedisRealtime } from '@supergraph/events';
import { eventually, graphql, startTestSubgraph, subscribeWs, testRedis, type TestSubgraph } from '@supergraph/testing';

const TOPIC = 'content.postCreated';
const CREATE =
  'mutation($input: CreatePostInput!) { createPost(input: $input) { id title body tags language premium createdAt author { id } } }';
const POST_CREATED = `subscription($authorId: ID) {
  postCreated(authorId: $authorId) { id title body tags language premium createdAt author { id } }
}`;

const clients: Client[] = [];

/** A graphql-ws client; lazy ones connect at their first subscription and leave after their last. */
function connect(url: string, token?: string, lazy = true): Client {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy,
    onNonLazyError: () => undefined,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
  clients.push(client);
  return client;
}

const subscribe = subscribeWs;

async function createPost(subgraph: TestSubgraph, username: string, input: Record<string, unknown>) {
  const { body } = await graphql<{ createPost: Record<string, unknown> }>(
    subgraph.url,
    CREATE,
    { input },
    { authorization: `Bearer ${await subgraph.token(username)}` },
  );
  expect(body.errors).toBeUndefined();
  return body.data!.createPost;
}

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
});

/** The payload of a `PostCreated` event without `authorId` (the query asks for `author { id }`). */
function postFields({ authorId: _authorId, ...fields }: Record<string, unknown>) {
  return fields;
}

describe('Subscription.postCreated over graphql-ws (in-process realtime)', () => {
  let subgraph: TestSubgraph;
  const realtime = new InProcessRealtime();
  let ALICE: string;

  beforeAll(async () => {
    subgraph = await startTestSubgraph(createServer, { realtime });
    ALICE = subgraph.issuer.subjectOf('alice');
  });
  afterAll(() => subgraph?.stop());

  it('serves graphql-ws at the /graphql path of the HTTP server', () => {
    expect(subgraph.wsUrl).toBe(subgraph.url.replace('http://', 'ws://'));
  });

  it('delivers every created post, or only those of authorId, with the fields of the created post', async () => {
    const everyone = subscribe(connect(subgraph.wsUrl), POST_CREATED);
    const alices = subscribe(connect(subgraph.wsUrl, await subgraph.token('bob')), POST_CREATED, {
      authorId: ALICE.toUpperCase(),
    });
    await eventually(async () => expect(realtime.activeSubscriptions(TOPIC)).toBe(2));

    const first = await createPost(subgraph, 'alice', { title: 'Live', body: 'Fresh off the press', tags: ['News'] });
    const second = await createPost(subgraph, 'bob', { title: 'Also live', body: 'Second', language: 'de' });
    const third = await createPost(subgraph, 'alice', { title: 'Premium', body: 'For PRO readers', premium: true });

    await eventually(async () => {
      expect(everyone.events).toHaveLength(3);
      expect(alices.events).toHaveLength(2);
    });
    expect(first).toEqual({
      id: expect.any(String),
      title: 'Live',
      body: 'Fresh off the press',
      tags: ['news'],
      language: 'en',
      premium: false,
      createdAt: expect.any(String),
      author: { id: ALICE },
    });
    const forbiddenBody = {
      message: 'Forbidden',
      locations: [{ line: 2, column: 47 }],
      path: ['postCreated', 'body'],
      extensions: { code: 'FORBIDDEN' },
    };
    expect(everyone.events).toEqual([
      { data: { postCreated: first } },
      { data: { postCreated: second } },
      // Fields resolve per event with the subscriber's rights: the premium body is not for anonymous readers.
      { data: { postCreated: { ...third, body: null } }, errors: [forbiddenBody] },
    ]);
    expect(alices.events).toEqual([
      { data: { postCreated: first } },
      { data: { postCreated: { ...third, body: null } }, errors: [forbiddenBody] },
    ]);

    everyone.unsubscribe();
    alices.unsubscribe();
    await expect(everyone.done).resolves.toEqual({ completed: true });
    await expect(alices.done).resolves.toEqual({ completed: true });
  });

  it('releases the realtime subscription as soon as the client completes it, without waiting for an event', async () => {
    const received = subscribe(connect(subgraph.wsUrl), POST_CREATED);
    await eventually(async () => expect(realtime.activeSubscriptions(TOPIC)).toBe(1));
    received.unsubscribe();
    await eventually(async () => expect(realtime.activeSubscriptions(TOPIC)).toBe(0), 1_000, 5);
    expect(received.events).toEqual([]);
  });

  it('refuses an invalid token in connection_init with close code 4403', async () => {
    const forged = `${await subgraph.token('alice')}x`;
    for (const params of [{ authorization: `Bearer ${forged}` }, { Authorization: `Bearer ${forged}` }]) {
      const client = createClient({
        url: subgraph.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: params,
      });
      clients.push(client);
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        client.on('closed', (event) => resolve(event as { code: number; reason: string })),
      );
      const received = subscribe(client, POST_CREATED);
      expect(await closed).toMatchObject({ code: 4403, reason: 'Forbidden' });
      expect(await received.done).toEqual({ error: expect.objectContaining({ code: 4403 }) });
    }
    expect(realtime.activeSubscriptions(TOPIC)).toBe(0);
  });

  it('answers invalid arguments and documents with the codes HTTP uses', async () => {
    const client = connect(subgraph.wsUrl);
    const junk = subscribe(client, POST_CREATED, { authorId: 'junk' });
    expect(await junk.done).toEqual({ completed: true });
    expect(junk.events).toEqual([
      {
        errors: [
          {
            message: 'Invalid value for authorId: is not a user id',
            locations: [{ line: 2, column: 3 }],
            path: ['postCreated'],
            extensions: {
              code: 'BAD_USER_INPUT',
              field: 'authorId',
              problems: [{ field: 'authorId', message: 'is not a user id' }],
            },
          },
        ],
      },
    ]);
    const invalid = subscribe(client, 'subscription { postCreated { nope } }');
    expect(await invalid.done).toEqual({
      error: [
        {
          message: 'Cannot query field "nope" on type "Post".',
          locations: [{ line: 1, column: 30 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
    expect(realtime.activeSubscriptions(TOPIC)).toBe(0);
  });

  it('refuses subscriptions over HTTP', async () => {
    const { status, body } = await graphql(subgraph.url, 'subscription { postCreated { id } }');
    expect({ status, body }).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'Subscriptions are served over WebSocket (graphql-transport-ws) at this URL',
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      },
    });
  });
});

describe('Subscription.postCreated across replicas (Redis realtime)', () => {
  let replicaA: TestSubgraph;
  let replicaB: TestSubgraph;
  let realtimeA: RedisRealtime;
  let redis: Redis;
  let stoppedA = false;
  let keyPrefix: string;

  beforeAll(async () => {
    const shared = testRedis();
    keyPrefix = shared.keyPrefix;
    realtimeA = new RedisRealtime({ url: shared.url, keyPrefix });
    redis = new Redis(shared.url);
    // Two instances on two databases; only their realtime (one Redis key prefix) is shared.
    [replicaA, replicaB] = await Promise.all([
      startTestSubgraph(createServer, { realtime: realtimeA }),
      startTestSubgraph(createServer, { realtime: new RedisRealtime({ url: shared.url, keyPrefix }) }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([stoppedA ? undefined : replicaA?.stop(), replicaB?.stop()]);
    await redis?.quit();
  });

  it('delivers to a subscriber of one instance the posts created on another', async () => {
    const received = subscribe(connect(replicaA.wsUrl), POST_CREATED);
    await eventually(async () => expect(realtimeA.activeSubscriptions(TOPIC)).toBe(1));
    const post = await createPost(replicaB, 'alice', { title: 'From B', body: 'Across replicas' });
    await eventually(async () => expect(received.events).toEqual([{ data: { postCreated: post } }]));

    // And what anything publishes on the shared prefix, e.g. a third process.
    const other = new RedisRealtime({ url: testRedis().url, keyPrefix });
    const payload = {
      id: '01900000-0000-7000-8000-0000000000b1',
      authorId: replicaA.issuer.subjectOf('bob'),
      title: 'Published elsewhere',
      body: 'Hello',
      tags: [],
      language: 'en',
      premium: false,
      createdAt: '2026-01-02T03:04:05.000Z',
    };
    await other.publish(TOPIC, payload);
    await other.close();
    await eventually(async () => expect(received.events).toHaveLength(2));
    expect(received.events[1]).toEqual({
      data: { postCreated: { ...postFields(payload), author: { id: payload.authorId } } },
    });

    received.unsubscribe();
    await eventually(async () => {
      expect(realtimeA.activeSubscriptions(TOPIC)).toBe(0);
      expect(await redis.pubsub('NUMSUB', `${keyPrefix}realtime:${TOPIC}`)).toEqual([
        `${keyPrefix}realtime:${TOPIC}`,
        0,
      ]);
    });
  });

  it('closes its connections with 1001 without completing subscriptions (clients resubscribe), when an instance stops', async () => {
    const client = connect(replicaA.wsUrl, undefined, false);
    const closed = new Promise<{ code: number }>((resolve) =>
      client.on('closed', (event) => resolve(event as { code: number })),
    );
    const received = subscribe(client, POST_CREATED);
    await eventually(async () => expect(realtimeA.activeSubscriptions(TOPIC)).toBe(1));
    stoppedA = true;
    await replicaA.stop();
    // `complete` would tell the client the stream is over; 1001 Going Away makes it reconnect elsewhere.
    expect(await received.done).toEqual({ error: expect.objectContaining({ code: 1001 }) });
    expect(await closed).toMatchObject({ code: 1001 });
    expect(realtimeA.activeSubscriptions()).toBe(0);
  });
});
