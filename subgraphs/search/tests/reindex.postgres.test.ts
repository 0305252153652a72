import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, reindexSearch } from '@supergraph/search';
import { eventually, graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';
import { postCreated, postDeleted, postEdited, SEARCH, statusChanged, type SearchResult } from './events.js';

let subgraph: TestSubgraph;

async function hits(q: string, token?: string): Promise<string[]> {
  const { body } = await graphql<{ search: SearchResult }>(
    subgraph.url,
    SEARCH,
    { q, first: 100 },
    token ? { authorization: `Bearer ${token}` } : {},
  );
  expect(body.errors).toBeUndefined();
  return body.data!.search.edges.map((edge) => edge.node.post.id);
}

function sql<T>(statement: string, params: unknown[] = []): Promise<T[]> {
  return subgraph.server.orm.em.fork().getConnection().execute<T[]>(statement, params);
}

/** Tables, indexes and functions of the search schema: a reindex must leave exactly what the migrations made. */
const schemaShape = () =>
  sql<{ kind: string; name: string }[]>(
    `select 'table' as kind, tablename as name from pg_tables where schemaname = 'search'
     union all select 'index', indexname from pg_indexes where schemaname = 'search'
     order by 1, 2`,
  );

const kept = postCreated({ title: 'Lighthouse keeper', body: 'A lighthouse log.' });
const hidden = postCreated({ title: 'Lighthouse rumours', body: 'Gossip.' });
const deleted = postCreated({ title: 'Lighthouse for sale', body: 'Cheap.' });
const edited = postCreated({ title: 'Harbour notes', body: 'Boats.' });

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer);
  await subgraph.bus.publish([
    kept,
    hidden,
    deleted,
    edited,
    statusChanged(hidden.aggregateId, 'HIDDEN'),
    postDeleted(deleted.aggregateId),
    postEdited(edited.aggregateId, { title: 'Harbour lighthouse notes', body: 'Boats.' }),
  ]);
  await eventually(async () =>
    expect((await hits('lighthouse')).sort()).toEqual([kept.aggregateId, edited.aggregateId].sort()),
  );
});
afterAll(() => subgraph?.stop());

describe('reindex (replay of the streams into fresh tables, then a swap)', () => {
  it('rebuilds a damaged read model from the events alone, leaving the schema as the migrations made it', async () => {
    const shape = await schemaShape();
    const before = await hits('lighthouse');
    expect(before).toEqual(expect.arrayContaining([kept.aggregateId, edited.aggregateId]));
    // Damage: a lost row, a row no event explains, a vocabulary emptied.
    await sql(`delete from "search"."search_document" where post_id = ?`, [kept.aggregateId]);
    await sql(`update "search"."search_document" set status = 'VISIBLE' where post_id = ?`, [hidden.aggregateId]);
    await sql(`delete from "search"."search_word"`);
    expect(await hits('lighthouse')).not.toContain(kept.aggregateId);

    const result = await reindexSearch({ orm: subgraph.server.orm, bus: subgraph.bus, quietMs: 200 });
    expect(result).toMatchObject({ events: 7, documents: 3 });

    expect(await hits('lighthouse')).toEqual(before);
    expect(await hits('lighthouse', await subgraph.token('mod'))).toEqual(
      expect.arrayContaining([...before, hidden.aggregateId]),
    );
    expect(await hits('sale', await subgraph.token('mod'))).toEqual([]);
    expect((await hits('lighthuose')).sort()).toEqual([...before].sort()); // the vocabulary is back
    expect(await schemaShape()).toEqual(shape);
  });

  it('keeps the live consumers working, loses no event published during the reindex', async () => {
    const during = Array.from({ length: 20 }, (_, i) => postCreated({ title: `Reef survey ${i}`, body: 'Coral.' }));
    const reindex = reindexSearch({ orm: subgraph.server.orm, bus: subgraph.bus, quietMs: 200 });
    for (const post of during) {
      await subgraph.bus.publish([post]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await reindex;
    const after = postCreated({ title: 'Reef survey after', body: 'Coral.' });
    await subgraph.bus.publish([after]);
    await eventually(
      async () =>
        expect((await hits('reef')).sort()).toEqual([...during, after].map((post) => post.aggregateId).sort()),
      1_000,
    );
  });

  it('refuses to start over an unfinished rebuild unless forced', async () => {
    await sql(`create table "search"."search_document_rebuild" (like "search"."search_document" including all)`);
    await expect(reindexSearch({ orm: subgraph.server.orm, bus: subgraph.bus })).rejects.toThrow(
      /rebuild tables exist/,
    );
    const result = await reindexSearch({ orm: subgraph.server.orm, bus: subgraph.bus, force: true, quietMs: 200 });
    expect(result.documents).toBe(24);
    expect(await hits('lighthouse')).toHaveLength(2);
  });
});
