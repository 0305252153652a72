import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from '@supergraph/users';
import { graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';

let subgraph: TestSubgraph;
const CREATE = 'mutation($input: CreateUserInput!) { createUser(input: $input) { id handle displayName bio } }';

async function count(table: string): Promise<number> {
  const [row] = await subgraph.server.orm.em
    .fork()
    .getConnection()
    .execute<{ n: string }[]>(`select count(*) as n from "users"."${table}"`);
  return Number(row?.n);
}

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer);
});
afterAll(() => subgraph?.stop());

describe('createUser', () => {
  it('creates a profile with a lower-cased handle and records UserCreated in the same transaction', async () => {
    const { body } = await graphql(subgraph.url, CREATE, {
      input: { handle: ' Ada_L ', displayName: ' Ada ', bio: 'x' },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      createUser: { id: expect.any(String), handle: 'ada_l', displayName: 'Ada', bio: 'x' },
    });
    const [event] = await subgraph.server.orm.em
      .fork()
      .getConnection()
      .execute<{ type: string; payload: unknown }[]>(
        `select type, payload from "users"."outbox_event" order by id desc limit 1`,
      );
    expect(event).toEqual({
      type: 'UserCreated',
      payload: { id: (body.data as { createUser: { id: string } }).createUser.id, handle: 'ada_l' },
    });
  });

  it('reports every invalid field at once with BAD_USER_INPUT and writes nothing', async () => {
    const [users, events] = [await count('user'), await count('outbox_event')];
    const { body } = await graphql(subgraph.url, CREATE, {
      input: { handle: 'a!', displayName: '   ', bio: 'b'.repeat(501) },
    });
    expect(body).toEqual({
      data: null,
      errors: [
        {
          message:
            'Invalid input: input.handle must be 3–30 letters, digits or underscores; input.displayName must not be empty; input.bio must be at most 500 characters',
          locations: [{ line: 1, column: 38 }],
          path: ['createUser'],
          extensions: {
            code: 'BAD_USER_INPUT',
            problems: [
              { field: 'input.handle', message: 'must be 3–30 letters, digits or underscores' },
              { field: 'input.displayName', message: 'must not be empty' },
              { field: 'input.bio', message: 'must be at most 500 characters' },
            ],
          },
        },
      ],
    });
    expect([await count('user'), await count('outbox_event')]).toEqual([users, events]);
  });

  it('refuses a taken handle with CONFLICT naming the field', async () => {
    await graphql(subgraph.url, CREATE, { input: { handle: 'grace', displayName: 'Grace' } });
    const { body } = await graphql(subgraph.url, CREATE, { input: { handle: 'GRACE', displayName: 'Other' } });
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.handle' });
    expect(body.errors?.[0]?.message).toBe('The handle "grace" is taken');
  });
});

describe('queries', () => {
  it('pages users oldest first with opaque cursors', async () => {
    const first = await graphql(
      subgraph.url,
      '{ users(first: 1) { edges { cursor node { handle } } pageInfo { hasNextPage endCursor } } }',
    );
    const page1 = (first.body.data as { users: { pageInfo: { endCursor: string; hasNextPage: boolean } } }).users;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await graphql(
      subgraph.url,
      'query($after: String) { users(first: 5, after: $after) { edges { node { handle } } pageInfo { hasNextPage } } }',
      {
        after: page1.pageInfo.endCursor,
      },
    );
    expect(second.body).toEqual({
      data: { users: { edges: [{ node: { handle: 'grace' } }], pageInfo: { hasNextPage: false } } },
    });
  });

  it('answers null without error for an unknown or malformed id', async () => {
    const { body } = await graphql(
      subgraph.url,
      '{ a: user(id: "01900000-0000-7000-8000-0000000000ff") { id } b: user(id: "x") { id } }',
    );
    expect(body).toEqual({ data: { a: null, b: null } });
  });

  it('rejects bad page arguments with BAD_USER_INPUT', async () => {
    const { body } = await graphql(subgraph.url, '{ a: users(first: 0) { edges { cursor } } }');
    expect(body.errors?.[0]).toMatchObject({
      message: 'Invalid value for first: must be between 1 and 100',
      extensions: { code: 'BAD_USER_INPUT', field: 'first' },
    });
    const cursor = await graphql(subgraph.url, '{ users(after: "bm9wZQ") { edges { cursor } } }');
    expect(cursor.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('updateProfile', () => {
  it('updates only the given fields; an unknown user is NOT_FOUND', async () => {
    const created = await graphql<{ createUser: { id: string } }>(subgraph.url, CREATE, {
      input: { handle: 'alan', displayName: 'Alan', bio: 'b' },
    });
    const id = created.body.data!.createUser.id;
    const { body } = await graphql(
      subgraph.url,
      'mutation($id: ID!) { updateProfile(id: $id, input: { bio: null }) { handle displayName bio } }',
      { id },
    );
    expect(body).toEqual({ data: { updateProfile: { handle: 'alan', displayName: 'Alan', bio: null } } });
    const missing = await graphql(
      subgraph.url,
      'mutation { updateProfile(id: "01900000-0000-7000-8000-0000000000ff", input: {}) { id } }',
    );
    expect(missing.body.errors?.[0]?.extensions).toEqual({
      code: 'NOT_FOUND',
      type: 'User',
      id: '01900000-0000-7000-8000-0000000000ff',
    });
  });
});
