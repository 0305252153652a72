import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { createServer } from '@supergraph/content';
import { InProcessRealtime } from '@supergraph/events';
import { eventually, startTestSubgraph, subscribeWs, wsClient, type TestSubgraph } from '@supergraph/testing';
import { addComment, createPost } from './helpers.js';

const TOPIC = 'content.commentAdded';
const COMMENT_ADDED = `subscription($postId: ID!) {
  commentAdded(postId: $postId) { id postId parentId body author { id } post { title } replies { edges { node { id } } } }
}`;

let subgraph: TestSubgraph;
const realtime = new InProcessRealtime();
const clients: Client[] = [];

function subscribe(token: string | undefined, postId: string) {
  const client = wsClient(subgraph.wsUrl, token);
  clients.push(client);
  return subscribeWs(client, COMMENT_ADDED, { postId });
}

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer, { realtime });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await subgraph?.stop();
});

describe('Subscription.commentAdded over graphql-ws', () => {
  it('delivers the comments and replies of one post, once committed, resolving their fields per event', async () => {
    const post = await createPost(subgraph, 'alice', 'Live thread');
    const other = await createPost(subgraph, 'alice', 'Quiet thread');
    const received = subscribe(await subgraph.token('bob'), post);
    await eventually(async () => expect(realtime.activeSubscriptions(TOPIC)).toBe(1));

    const top = await addComment(subgraph, 'bob', post, 'Hello');
    await addComment(subgraph, 'bob', other, 'Elsewhere');
    const reply = await addComment(subgraph, 'alice', post, 'Hi back', top);
    await eventually(async () => expect(received.events).toHaveLength(2));
    const BOB = subgraph.issuer.subjectOf('bob');
    const ALICE = subgraph.issuer.subjectOf('alice');
    expect(received.events).toEqual([
      {
        data: {
          commentAdded: {
            id: top,
            postId: post,
            parentId: null,
            body: 'Hello',
            author: { id: BOB },
            post: { title: 'Live thread' },
            // Resolved when the event is: the reply committed right after may or may not be there yet.
            replies: { edges: expect.any(Array) },
          },
        },
      },
      {
        data: {
          commentAdded: {
            id: reply,
            postId: post,
            parentId: top,
            body: 'Hi back',
            author: { id: ALICE },
            post: { title: 'Live thread' },
            replies: { edges: [] },
          },
        },
      },
    ]);
    received.unsubscribe();
    await expect(received.done).resolves.toEqual({ completed: true });
    await eventually(async () => expect(realtime.activeSubscriptions(TOPIC)).toBe(0));
  });

  it('refuses posts its readers do not see, and malformed ids, as NOT_FOUND without subscribing', async () => {
    const deleted = await createPost(subgraph, 'alice', 'Gone');
    const token = await subgraph.token('alice');
    await fetch(subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'mutation($id: ID!) { deletePost(id: $id) }', variables: { id: deleted } }),
    });
    for (const postId of [deleted, 'junk']) {
      const received = subscribe(undefined, postId);
      await expect(received.done).resolves.toEqual({ completed: true });
      expect(received.events).toEqual([
        {
          errors: [
            {
              message: `Post ${JSON.stringify(postId)} was not found`,
              locations: [{ line: 2, column: 3 }],
              path: ['commentAdded'],
              extensions: { code: 'NOT_FOUND', type: 'Post', id: postId },
            },
          ],
        },
      ]);
    }
    expect(realtime.activeSubscriptions(TOPIC)).toBe(0);
  });
});
