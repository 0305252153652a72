import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisStreamBus } from '@supergraph/events';
import { createServer, reindexSearch } from '@supergraph/search';
import { eventually, graphql, startTestSubgraph, testLogger, testRedis, type TestSubgraph } from '@supergraph/testing';
import { postCreated, postEdited, SEARCH, statusChanged, type SearchResult } from './events.js';

let subgraph: TestSubgraph;
let reindexBus: RedisStreamBus;

async function total(q: string): Promise<number> {
  const { body } = await graphql<{ search: SearchResult }>(subgraph.url, SEARCH, { q });
  return body.data!.search.totalCount;
}

async function hits(q: string): Promise<string[]> {
  const { body } = await graphql<{ search: SearchResult }>(subgraph.url, SEARCH, { q, first: 100 });
  expect(body.errors).toBeUndefined();
  return body.data!.search.edges.map((edge) => edge.node.post.id);
}

beforeAll(async () => {
  const redis = testRedis();
  subgraph = await startTestSubgraph(createServer, {
    bus: new RedisStreamBus({ ...redis, logger: testLogger().logger }),
  });
  // The reindex command runs in its own process with its own connection to the same streams.
  reindexBus = new RedisStreamBus({ ...redis, blockMs: 100 });
});
afterAll(async () => {
  await reindexBus?.close();
  await subgraph?.stop();
});

describe('reindex over Redis Streams', () => {
  it('replays both streams from their first entry under a new consumer group', async () => {
    const posts = Array.from({ length: 120 }, (_, i) => postCreated({ title: `Comet ${i}`, body: 'Tail.' }));
    const renamed = posts[0]!;
    await subgraph.bus.publish(posts);
    await subgraph.bus.publish([
      postEdited(renamed.aggregateId, { title: 'Asteroid', body: 'Rock.' }),
      statusChanged(posts[1]!.aggregateId, 'HIDDEN'),
    ]);
    await eventually(async () => expect(await total('comet')).toBe(118));
    await subgraph.server.orm.em.fork().getConnection().execute(`truncate "search"."search_document"`);
    expect(await hits('comet')).toEqual([]);

    const result = await reindexSearch({ orm: subgraph.server.orm, bus: reindexBus, quietMs: 300 });
    expect(result).toMatchObject({ events: 122, documents: 120 });
    expect(result.group).toMatch(/^search\.reindex-/);
    expect(await total('comet')).toBe(118);
    expect(await hits('asteroid')).toEqual([renamed.aggregateId]);

    const later = postCreated({ title: 'Comet after the swap', body: 'Tail.' });
    await subgraph.bus.publish([later]);
    await eventually(async () => expect((await hits('swap'))[0]).toBe(later.aggregateId), 1_000);
  });
});
