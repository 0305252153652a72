import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uuidv7, type DomainEvent } from '@supergraph/events';
import { createServer } from '@supergraph/search';
import { eventually, graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';

let subgraph: TestSubgraph;
const AUTHOR = '01900000-0000-7000-8000-000000000001';

function postCreated(title: string, body: string, tags: string[] = []): DomainEvent {
  const id = uuidv7();
  return {
    id: uuidv7(),
    stream: 'content.posts',
    type: 'PostCreated',
    aggregateId: id,
    payload: { id, authorId: AUTHOR, title, body, tags, language: 'en', createdAt: new Date().toISOString() },
    occurredAt: new Date().toISOString(),
  };
}

const SEARCH =
  'query($q: String!, $first: Int) { search(query: $q, first: $first) { totalCount edges { node { id } } pageInfo { hasNextPage } } }';

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer);
});
afterAll(() => subgraph?.stop());

describe('search read model', () => {
  it('indexes posts from content events, applying a redelivered event once, title matches first', async () => {
    const inBody = postCreated('Gardening', 'Tomatoes and the federation of bees');
    const inTitle = postCreated('Federation explained', 'How subgraphs compose');
    const unrelated = postCreated('Cooking', 'Pasta');
    await subgraph.bus.publish([inBody, inTitle, unrelated, inTitle]);
    const result = await eventually(async () => {
      const { body } = await graphql(subgraph.url, SEARCH, { q: 'federation' });
      expect((body.data as { search: { totalCount: number } }).search.totalCount).toBe(2);
      return body;
    });
    expect(result).toEqual({
      data: {
        search: {
          totalCount: 2,
          edges: [{ node: { id: inTitle.aggregateId } }, { node: { id: inBody.aggregateId } }],
          pageInfo: { hasNextPage: false },
        },
      },
    });
    const [row] = await subgraph.server.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(`select count(*) as n from "search"."processed_event"`);
    expect(Number(row?.n)).toBe(3);
  });

  it('supports exclusion and reports the next page', async () => {
    const { body } = await graphql(subgraph.url, SEARCH, { q: 'federation -bees', first: 5 });
    expect((body.data as { search: { totalCount: number } }).search.totalCount).toBe(1);
    const paged = await graphql(subgraph.url, SEARCH, { q: 'federation OR pasta', first: 2 });
    expect(paged.body.data).toMatchObject({ search: { totalCount: 3, pageInfo: { hasNextPage: true } } });
  });

  it('rejects an empty or overlong query with BAD_USER_INPUT', async () => {
    for (const q of ['   ', 'x'.repeat(257)]) {
      const { body } = await graphql(subgraph.url, SEARCH, { q });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
    }
  });
});
