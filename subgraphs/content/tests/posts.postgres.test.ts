import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from '@supergraph/content';
import { eventually, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';
import { CREATE_POST, createPost, gql, ok, sql } from './helpers.js';

let subgraph: TestSubgraph;
let ALICE: string;

const EDIT = `mutation($id: ID!, $input: EditPostInput!) {
  editPost(id: $id, input: $input) { id title body tags language premium editedAt }
}`;
const DELETE = 'mutation($id: ID!) { deletePost(id: $id) }';
const POST = 'query($id: ID!) { post(id: $id) { id title } }';

const outbox = (type: string, aggregateId: string) =>
  sql<{ payload: Record<string, unknown> }>(
    subgraph,
    'select payload from "content"."outbox_event" where type = ? and aggregate_id = ? order by id',
    [type, aggregateId],
  );

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer);
  ALICE = subgraph.issuer.subjectOf('alice');
});
afterAll(() => subgraph?.stop());

describe('editPost', () => {
  it('changes only the given fields of the author’s post and publishes PostEdited with the whole new state', async () => {
    const id = await createPost(subgraph, 'alice', 'Draft', { tags: ['a'] });
    const data = await ok<{ editPost: Record<string, unknown> }>(subgraph, 'alice', EDIT, {
      id,
      input: { title: ' Final ', tags: ['B', 'c'] },
    });
    expect(data.editPost).toEqual({
      id,
      title: 'Final',
      body: 'Draft body',
      tags: ['b', 'c'],
      language: 'en',
      premium: false,
      editedAt: expect.any(String),
    });
    expect(await outbox('PostEdited', id)).toEqual([
      {
        payload: {
          id,
          authorId: ALICE,
          title: 'Final',
          body: 'Draft body',
          tags: ['b', 'c'],
          language: 'en',
          premium: false,
          editedAt: data.editPost.editedAt,
        },
      },
    ]);
  });

  it('refuses other users with FORBIDDEN and invalid fields with BAD_USER_INPUT problems, changing nothing', async () => {
    const id = await createPost(subgraph, 'alice', 'Mine');
    const bob = await gql(subgraph, 'bob', EDIT, { id, input: { title: 'Stolen' } });
    expect(bob.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const invalid = await gql(subgraph, 'alice', EDIT, {
      id,
      input: { title: '  ', body: 'x'.repeat(20_001), language: 'klingon' },
    });
    expect(invalid.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      problems: [
        { field: 'input.title', message: 'must not be empty' },
        { field: 'input.body', message: 'must be at most 20000 characters' },
        {
          field: 'input.language',
          message: 'must be one of en, ru, de, fr, es, it, pt, nl, sv, pl, uk, tr, ja, zh, ko, ar',
        },
      ],
    });
    expect(await ok(subgraph, 'bob', POST, { id })).toEqual({ post: { id, title: 'Mine' } });
    expect(await outbox('PostEdited', id)).toEqual([]);
    const missing = await gql(subgraph, 'alice', EDIT, { id: '01900000-0000-7000-8000-00000000dead', input: {} });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('deletePost', () => {
  it('soft-deletes the author’s post: readers and lists no longer see it, moderators still do, PostDeleted is published', async () => {
    const id = await createPost(subgraph, 'alice', 'Regret');
    // Only the author (policy supergraph/content/post/delete): moderators take posts down through moderation.
    for (const other of ['bob', 'mod', 'admin']) {
      const refused = await gql(subgraph, other, DELETE, { id });
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await ok(subgraph, 'alice', DELETE, { id })).toEqual({ deletePost: id });

    expect(await ok(subgraph, 'alice', POST, { id })).toEqual({ post: null });
    expect(await ok(subgraph, undefined, POST, { id })).toEqual({ post: null });
    expect(await ok(subgraph, 'mod', POST, { id })).toEqual({ post: { id, title: 'Regret' } });
    expect(await ok(subgraph, 'admin', POST, { id })).toEqual({ post: { id, title: 'Regret' } });
    const entities = await ok<{ _entities: unknown[] }>(
      subgraph,
      'bob',
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Post { id } } }',
      { r: [{ __typename: 'Post', id }] },
    );
    expect(entities).toEqual({ _entities: [null] });
    const posts = await ok<{ _entities: { posts: { edges: { node: { id: string } }[] } }[] }>(
      subgraph,
      undefined,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { posts(first: 100) { edges { node { id } } } } } }',
      { r: [{ __typename: 'User', id: ALICE }] },
    );
    expect(posts._entities[0]!.posts.edges.map((edge) => edge.node.id)).not.toContain(id);

    const [event] = await outbox('PostDeleted', id);
    expect(event).toEqual({ payload: { id, authorId: ALICE, deletedAt: expect.any(String) } });
    // Deleting again: the post is gone for its author too.
    expect((await gql(subgraph, 'alice', DELETE, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql(subgraph, 'alice', EDIT, { id, input: { title: 'x' } })).errors?.[0]?.extensions?.code).toBe(
      'NOT_FOUND',
    );
  });
});

describe('createPost idempotency keys', () => {
  const input = { title: 'Once', body: 'Only once', tags: ['x'] };
  const count = async (title: string) =>
    (await sql<{ n: number }>(subgraph, 'select count(*)::int as n from "content"."post" where title = ?', [title]))[0]!
      .n;

  it('a retry with the same key and input returns the same post; concurrent retries create one', async () => {
    const first = await ok<{ createPost: { id: string } }>(subgraph, 'alice', CREATE_POST, { input, key: 'k-1' });
    const retried = await ok<{ createPost: { id: string } }>(subgraph, 'alice', CREATE_POST, {
      // The same request after normalisation (trimmed title, upper-case tag).
      input: { ...input, title: ' Once ', tags: ['X'] },
      key: 'k-1',
    });
    expect(retried.createPost).toEqual(first.createPost);
    const concurrent = await Promise.all(
      Array.from({ length: 8 }, () =>
        ok<{ createPost: { id: string } }>(subgraph, 'alice', CREATE_POST, {
          input: { ...input, title: 'Raced' },
          key: 'k-race',
        }),
      ),
    );
    expect(new Set(concurrent.map((data) => data.createPost.id)).size).toBe(1);
    expect(await count('Once')).toBe(1);
    expect(await count('Raced')).toBe(1);
    await eventually(async () => {
      const events = await sql<{ n: number }>(
        subgraph,
        `select count(*)::int as n from "content"."outbox_event" where type = 'PostCreated' and payload->>'title' = 'Raced'`,
      );
      expect(events[0]!.n).toBe(1);
    });
  });

  it('the same key with another input is a CONFLICT; keys belong to their caller', async () => {
    await ok(subgraph, 'alice', CREATE_POST, { input: { ...input, title: 'Keyed' }, key: 'k-2' });
    const conflict = await gql(subgraph, 'alice', CREATE_POST, { input: { ...input, title: 'Other' }, key: 'k-2' });
    expect(conflict.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'idempotencyKey' });
    expect(conflict.errors?.[0]?.message).toBe('idempotencyKey was already used for createPost with a different input');
    const bobs = await ok<{ createPost: { id: string } }>(subgraph, 'bob', CREATE_POST, {
      input: { ...input, title: 'Keyed' },
      key: 'k-2',
    });
    expect(await count('Keyed')).toBe(2);
    expect(bobs.createPost.id).toEqual(expect.any(String));
    const long = await gql(subgraph, 'alice', CREATE_POST, { input: { title: '', body: 'b' }, key: 'k'.repeat(101) });
    expect(long.errors?.[0]?.extensions?.problems).toEqual([
      { field: 'input.title', message: 'must not be empty' },
      { field: 'idempotencyKey', message: 'must be 1–100 characters' },
    ]);
  });
});
