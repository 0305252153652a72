import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from '@supergraph/content';
import { graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';

let subgraph: TestSubgraph;
const CREATE =
  'mutation($input: CreatePostInput!) { createPost(input: $input) { id title tags language author { id } } }';
const NOBODY = '01900000-0000-7000-8000-000000000009';
let ADA: string;
let GRACE: string;
const as = async (username: string) => ({ authorization: `Bearer ${await subgraph.token(username)}` });

async function create(username: string, title: string) {
  const { body } = await graphql<{ createPost: { id: string } }>(
    subgraph.url,
    CREATE,
    { input: { title, body: `${title} body` } },
    await as(username),
  );
  expect(body.errors).toBeUndefined();
  return body.data!.createPost.id;
}

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer);
  ADA = subgraph.issuer.subjectOf('alice');
  GRACE = subgraph.issuer.subjectOf('bob');
});
afterAll(() => subgraph?.stop());

describe('createPost', () => {
  it('is written by the caller, normalises tags and language, and refers to its author as a User entity', async () => {
    const { body } = await graphql(
      subgraph.url,
      CREATE,
      { input: { title: ' Hello ', body: 'World', tags: ['GraphQL', 'graphql', 'fed-2'], language: 'EN' } },
      await as('alice'),
    );
    expect(body).toEqual({
      data: {
        createPost: {
          id: expect.any(String),
          title: 'Hello',
          tags: ['graphql', 'fed-2'],
          language: 'en',
          author: { id: ADA },
        },
      },
    });
  });

  it('lists every invalid field with BAD_USER_INPUT and writes neither post nor event', async () => {
    const counts = async () =>
      subgraph.server.orm.em
        .fork()
        .getConnection()
        .execute<{ posts: string; events: string }[]>(
          'select (select count(*) from "content"."post") as posts, (select count(*) from "content"."outbox_event") as events',
        );
    const before = await counts();
    const { body } = await graphql(
      subgraph.url,
      CREATE,
      { input: { title: '', body: 'ok', tags: ['no spaces'], language: 'xx' } },
      await as('alice'),
    );
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.extensions?.problems).toEqual([
      { field: 'input.title', message: 'must not be empty' },
      { field: 'input.tags', message: 'must be 1–32 lower-case letters, digits or dashes each' },
      {
        field: 'input.language',
        message: 'must be one of en, ru, de, fr, es, it, pt, nl, sv, pl, uk, tr, ja, zh, ko, ar',
      },
    ]);
    expect(await counts()).toEqual(before);
  });
});

describe('who may post and read', () => {
  it('anonymous callers and partners cannot post; partners with partner:read list the newest posts', async () => {
    const anonymous = await graphql(subgraph.url, CREATE, { input: { title: 't', body: 'b' } });
    expect(anonymous.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' });
    const partner = await graphql(
      subgraph.url,
      CREATE,
      { input: { title: 't', body: 'b' } },
      await as('service-account-partner-globex'),
    );
    expect(partner.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' });
    const listed = await graphql(
      subgraph.url,
      '{ partnerPosts(first: 1) { edges { node { title } } } }',
      {},
      await as('service-account-partner-globex'),
    );
    expect(listed.body).toEqual({ data: { partnerPosts: { edges: [{ node: { title: 'Hello' } }] } } });
    const user = await graphql(subgraph.url, '{ partnerPosts(first: 1) { edges { cursor } } }', {}, await as('alice'));
    expect(user.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' });
  });
});

describe('User.posts', () => {
  it('pages several users’ posts newest first with one SQL query for all of them', async () => {
    await create('bob', 'g1');
    await create('bob', 'g2');
    await create('bob', 'g3');
    const before = subgraph.server.stats.sqlQueries;
    const { body } = await graphql(
      subgraph.url,
      `
        query ($r: [_Any!]!) {
          _entities(representations: $r) {
            ... on User {
              id
              posts(first: 2) {
                edges {
                  node {
                    title
                  }
                }
                pageInfo {
                  hasNextPage
                }
              }
            }
          }
        }
      `,
      { r: [GRACE, NOBODY, ADA].map((id) => ({ __typename: 'User', id })) },
    );
    expect(body).toEqual({
      data: {
        _entities: [
          {
            id: GRACE,
            posts: { edges: [{ node: { title: 'g3' } }, { node: { title: 'g2' } }], pageInfo: { hasNextPage: true } },
          },
          { id: NOBODY, posts: { edges: [], pageInfo: { hasNextPage: false } } },
          { id: ADA, posts: { edges: [{ node: { title: 'Hello' } }], pageInfo: { hasNextPage: false } } },
        ],
      },
    });
    expect(subgraph.server.stats.sqlQueries - before).toBe(1);
  });

  it('continues after a cursor', async () => {
    const page = async (after?: string) =>
      (
        await graphql<{
          _entities: { posts: { edges: { node: { title: string } }[]; pageInfo: { endCursor: string } } }[];
        }>(
          subgraph.url,
          `
            query ($r: [_Any!]!, $after: String) {
              _entities(representations: $r) {
                ... on User {
                  posts(first: 2, after: $after) {
                    edges {
                      node {
                        title
                      }
                    }
                    pageInfo {
                      endCursor
                    }
                  }
                }
              }
            }
          `,
          { r: [{ __typename: 'User', id: GRACE }], after },
        )
      ).body.data!._entities[0]!.posts;
    const first = await page();
    const second = await page(first.pageInfo.endCursor);
    expect(second.edges).toEqual([{ node: { title: 'g1' } }]);
  });
});
