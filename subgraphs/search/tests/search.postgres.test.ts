import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uuidv7 } from '@supergraph/events';
import { createServer } from '@supergraph/search';
import { eventually, graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';
import { BOB, postCreated, postDeleted, postEdited, SEARCH, statusChanged, tick, type SearchResult } from './events.js';

let subgraph: TestSubgraph;
let moderatorToken: string;

/** The seeded multilingual corpus; ids are fixed per test run, ranking is asserted by name. */
const corpus = {
  inTitle: postCreated({
    title: 'Federation explained',
    body: 'How subgraphs compose into one graph.',
    tags: ['graphql'],
  }),
  inTag: postCreated({ title: 'Weekly digest', body: 'Links of the week.', tags: ['federation'] }),
  inBody: postCreated({
    title: 'Gardening notes',
    body: 'Tomatoes, bees and the federation of allotments.',
    tags: ['garden'],
  }),
  phrase: postCreated({
    title: 'Query planning',
    body: 'The query planner builds a plan for every supergraph operation.',
    tags: ['graphql'],
    authorId: BOB,
  }),
  wordsApart: postCreated({ title: 'Planning a supergraph', body: 'Every query goes through a planner first.' }),
  russian: postCreated({
    title: 'Кошки и собаки',
    body: 'Мои кошки любят спать на солнце.',
    tags: ['pets'],
    language: 'ru',
  }),
  french: postCreated({
    title: 'Le café de la gare',
    body: 'Une crème brûlée délicieuse, près du quai.',
    language: 'fr',
  }),
  polish: postCreated({ title: 'Zażółć gęślą jaźń', body: 'Pangram.', language: 'pl' }),
  premium: postCreated({
    title: 'Premium telescopes',
    body: 'Secret telescope buying advice for subscribers.',
    premium: true,
  }),
  markup: postCreated({ title: '<b>Telescopes</b> & mirrors', body: 'Use <script>telescope</script> safely.' }),
};
const id = (name: keyof typeof corpus) => corpus[name].aggregateId;

async function search(
  q: string,
  options: { filter?: Record<string, unknown>; first?: number; after?: string; token?: string } = {},
) {
  const { token, ...variables } = options;
  return graphql<{ search: SearchResult }>(
    subgraph.url,
    SEARCH,
    { q, ...variables },
    token ? { authorization: `Bearer ${token}` } : {},
  );
}

async function hits(q: string, options: Parameters<typeof search>[1] = {}): Promise<string[]> {
  const { body } = await search(q, options);
  expect(body.errors).toBeUndefined();
  return body.data!.search.edges.map((edge) => edge.node.post.id);
}

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer);
  moderatorToken = await subgraph.token('mod');
  await subgraph.bus.publish(Object.values(corpus));
  await eventually(async () => expect(await hits('pangram')).toEqual([id('polish')]));
});
afterAll(() => subgraph?.stop());

describe('ranking on a multilingual corpus', () => {
  it('ranks a title hit above a tag hit above a body hit, with facets over all matches', async () => {
    const { body } = await search('federation');
    expect(body.errors).toBeUndefined();
    const result = body.data!.search;
    expect(result.edges.map((edge) => edge.node.post.id)).toEqual([id('inTitle'), id('inTag'), id('inBody')]);
    expect(result.totalCount).toBe(3);
    expect(result.correctedQuery).toBeNull();
    const [title, tag, inBody] = result.edges.map((edge) => edge.node.rank);
    expect(title).toBeGreaterThan(tag!);
    expect(tag).toBeGreaterThan(inBody!);
    expect(result.facets).toEqual({
      languages: [{ value: 'en', count: 3 }],
      tags: [
        { value: 'federation', count: 1 },
        { value: 'garden', count: 1 },
        { value: 'graphql', count: 1 },
      ],
    });
    expect(result.edges.map((edge) => edge.node.highlights)).toEqual([
      { title: '<mark>Federation</mark> explained', body: 'How subgraphs compose into one graph.' },
      { title: 'Weekly digest', body: 'Links of the week.' },
      { title: 'Gardening notes', body: 'Tomatoes, bees and the <mark>federation</mark> of allotments' },
    ]);
  });

  it('matches a quoted phrase only where its words are adjacent', async () => {
    expect(await hits('"query planner"')).toEqual([id('phrase')]);
    expect(await hits('query planner')).toEqual([id('phrase'), id('wordsApart')]);
  });

  it('excludes posts with a -word, and combines alternatives with OR', async () => {
    expect(await hits('federation -bees')).toEqual([id('inTitle'), id('inTag')]);
    expect(await hits('tomatoes OR кошки')).toEqual(expect.arrayContaining([id('inBody'), id('russian')]));
    expect(await hits('tomatoes OR кошки')).toHaveLength(2);
  });

  it('stems Russian: «кошка» finds «Кошки»', async () => {
    const { body } = await search('кошка');
    expect(body.data!.search.edges.map((edge) => [edge.node.post.id, edge.node.highlights])).toEqual([
      [id('russian'), { title: '<mark>Кошки</mark> и собаки', body: 'Мои <mark>кошки</mark> любят спать на солнце' }],
    ]);
  });

  it('ignores accents in queries and posts, also for languages without stemming', async () => {
    expect(await hits('cafe')).toEqual([id('french')]);
    expect(await hits('creme brulee')).toEqual([id('french')]);
    expect(await hits('brûlée')).toEqual([id('french')]);
    expect(await hits('zazolc jazn')).toEqual([id('polish')]);
  });

  it('corrects a typo in a short query when nothing matches as written', async () => {
    const { body } = await search('fedaration');
    expect(body.data!.search).toMatchObject({ correctedQuery: 'federation', totalCount: 3 });
    expect(body.data!.search.edges.map((edge) => edge.node.post.id)).toEqual([
      id('inTitle'),
      id('inTag'),
      id('inBody'),
    ]);
    // A query that matches as written is left alone; a longer query is not guessed at.
    expect((await search('federation')).body.data!.search.correctedQuery).toBeNull();
    const long = await search('fedaration of the gardning notes');
    expect(long.body.data!.search).toMatchObject({ totalCount: 0, correctedQuery: null });
  });

  it('keeps premium bodies out of highlights and escapes markup', async () => {
    const { body } = await search('telescope');
    expect(body.data!.search.edges.map((edge) => [edge.node.post.id, edge.node.highlights])).toEqual([
      [id('premium'), { title: 'Premium <mark>telescopes</mark>', body: null }],
      [
        id('markup'),
        {
          title: '&lt;b&gt;<mark>Telescopes</mark>&lt;/b&gt; &amp; mirrors',
          // Fragments start and end on words; entities are never cut.
          body: 'script&gt;<mark>telescope</mark>&lt;/script&gt; safely',
        },
      ],
    ]);
  });
});

describe('filters and pages', () => {
  it('filters by language, author, tag and creation time', async () => {
    expect(await hits('кошки OR federation', { filter: { languages: ['ru'] } })).toEqual([id('russian')]);
    expect(await hits('query OR federation', { filter: { authorIds: [BOB] } })).toEqual([id('phrase')]);
    expect(await hits('federation', { filter: { tags: ['garden', 'graphql'] } })).toEqual([
      id('inTitle'),
      id('inBody'),
    ]);
    const createdAt = String(corpus.inTag.payload.createdAt);
    expect(await hits('federation', { filter: { createdAfter: createdAt } })).toEqual([id('inTag'), id('inBody')]);
    expect(await hits('federation', { filter: { createdBefore: createdAt } })).toEqual([id('inTitle')]);
    expect(await hits('federation', { filter: { languages: [] } })).toEqual([]);
  });

  it('pages with a keyset cursor that later, better matches do not shift', async () => {
    const first = (await search('federation', { first: 1 })).body.data!.search;
    expect(first.edges.map((edge) => edge.node.post.id)).toEqual([id('inTitle')]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    // A new post that ranks first arrives between two page requests.
    const better = postCreated({ title: 'Federation, federation', body: 'All about federation.' });
    await subgraph.bus.publish([better]);
    await eventually(async () => expect((await hits('federation'))[0]).toBe(better.aggregateId), 1_000);
    const second = (await search('federation', { first: 1, after: first.pageInfo.endCursor! })).body.data!.search;
    expect(second.edges.map((edge) => edge.node.post.id)).toEqual([id('inTag')]);
    const third = (await search('federation', { first: 5, after: second.pageInfo.endCursor! })).body.data!.search;
    expect(third.edges.map((edge) => edge.node.post.id)).toEqual([id('inBody')]);
    expect(third.pageInfo).toEqual({ hasNextPage: false, endCursor: third.edges[0]!.cursor });
    expect(third.totalCount).toBe(4);
    await subgraph.bus.publish([postDeleted(better.aggregateId)]);
    await eventually(async () => expect(await hits('federation')).toHaveLength(3), 1_000);
  });
});

describe('the read model follows content and moderation events within a second', () => {
  it('reflects an edit', async () => {
    const post = postCreated({ title: 'Astronomy basics', body: 'Stars and planets.' });
    await subgraph.bus.publish([post]);
    await eventually(async () => expect(await hits('astronomy')).toEqual([post.aggregateId]), 1_000);
    await subgraph.bus.publish([postEdited(post.aggregateId, { title: 'Geology basics', body: 'Rocks.' })]);
    await eventually(async () => expect(await hits('geology')).toEqual([post.aggregateId]), 1_000);
    expect(await hits('astronomy')).toEqual([]);
  });

  it('hides hidden and removed posts from everyone but moderators, and restores them', async () => {
    const post = postCreated({ title: 'Volcano diary', body: 'Lava everywhere.' });
    await subgraph.bus.publish([post]);
    await eventually(async () => expect(await hits('volcano')).toEqual([post.aggregateId]), 1_000);

    await subgraph.bus.publish([statusChanged(post.aggregateId, 'HIDDEN')]);
    await eventually(async () => expect(await hits('volcano')).toEqual([]), 1_000);
    expect(await hits('volcano', { token: moderatorToken })).toEqual([post.aggregateId]);
    expect(await hits('volcano', { token: await subgraph.token('admin') })).toEqual([post.aggregateId]);
    expect(await hits('volcano', { token: await subgraph.token('alice') })).toEqual([]);

    await subgraph.bus.publish([statusChanged(post.aggregateId, 'REMOVED')]);
    await eventually(async () => expect((await search('volcano')).body.data!.search.totalCount).toBe(0), 1_000);
    expect(await hits('volcano', { token: moderatorToken })).toEqual([post.aggregateId]);

    const restoredAt = tick();
    const older = statusChanged(post.aggregateId, 'HIDDEN', new Date(Date.parse(restoredAt) - 1_000).toISOString());
    await subgraph.bus.publish([statusChanged(post.aggregateId, 'VISIBLE', restoredAt), older]);
    await eventually(async () => expect(await hits('volcano')).toEqual([post.aggregateId]), 1_000);
    // A decision about one of its comments does not concern the post.
    await subgraph.bus.publish([statusChanged(post.aggregateId, 'HIDDEN', tick(), 'COMMENT')]);
    const pangram = postCreated({ title: 'Sentinel after the late events', body: 'sentinel' });
    await subgraph.bus.publish([pangram]);
    await eventually(async () => expect(await hits('sentinel')).toEqual([pangram.aggregateId]), 1_000);
    expect(await hits('volcano')).toEqual([post.aggregateId]);
  });

  it('never shows a deleted post, not even to moderators, and late events do not revive it', async () => {
    const post = postCreated({ title: 'Glacier photos', body: 'Ice.' });
    await subgraph.bus.publish([post]);
    await eventually(async () => expect(await hits('glacier')).toEqual([post.aggregateId]), 1_000);
    await subgraph.bus.publish([
      postDeleted(post.aggregateId),
      postEdited(post.aggregateId, { title: 'Glacier photos again', body: 'Ice.' }),
      statusChanged(post.aggregateId, 'VISIBLE'),
    ]);
    await eventually(async () => expect(await hits('glacier', { token: moderatorToken })).toEqual([]), 1_000);
    const [row] = await subgraph.server.orm.em
      .fork()
      .getConnection()
      .execute<{ title: string; body: string }[]>(
        `select title, body from "search"."search_document" where post_id = ?`,
        [post.aggregateId],
      );
    expect(row).toEqual({ title: '', body: '' });
  });

  it('keeps a decision that arrives before the post it concerns', async () => {
    const postId = uuidv7();
    await subgraph.bus.publish([statusChanged(postId, 'HIDDEN')]);
    await subgraph.bus.publish([postCreated({ title: 'Early moderation', body: 'Canyon.' }, postId)]);
    await eventually(async () => expect(await hits('canyon', { token: moderatorToken })).toEqual([postId]), 1_000);
    expect(await hits('canyon')).toEqual([]);
  });

  it('applies a redelivered event once', async () => {
    const post = postCreated({ title: 'Redelivered', body: 'Once.' });
    await subgraph.bus.publish([post, post]);
    await eventually(async () => expect(await hits('redelivered')).toEqual([post.aggregateId]), 1_000);
    const [row] = await subgraph.server.orm.em
      .fork()
      .getConnection()
      .execute<{ n: number }[]>(`select count(*)::int as n from "search"."processed_event" where event_id = ?`, [
        post.id,
      ]);
    expect(row?.n).toBe(1);
  });
});

describe('bad input', () => {
  it('refuses an empty, overlong or many-worded query, a bad cursor and a bad filter with BAD_USER_INPUT', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['   ', {}, 'query'],
      ['\u0000\t', {}, 'query'],
      ['\ud800', {}, 'query'],
      ['x'.repeat(257), {}, 'query'],
      [Array.from({ length: 33 }, (_, i) => `w${i}`).join(' '), {}, 'query'],
      ['federation', { after: 'bm90LWEtY3Vyc29y' }, 'after'],
      ['federation', { first: 0 }, 'first'],
      ['federation', { filter: { languages: ['english'] } }, 'filter.languages'],
      ['federation', { filter: { authorIds: ['nope'] } }, 'filter.authorIds'],
    ];
    for (const [q, options, field] of cases) {
      const { body } = await search(q, options);
      expect(body.data).toBeNull();
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('answers pathological syntax without a database error', async () => {
    const queries = [
      '"',
      '"""',
      '-',
      'OR',
      'OR OR -',
      'a & | ! ( ) : * <-> <2>',
      "'; drop table search_document; --",
      '\\',
      'what?',
      '?? ?',
      '$1 $$ $q$',
      '(((((((((((((((((((((',
      '🦀 🦀',
      'the',
      '-federation',
      '"federation',
      'a'.repeat(256),
    ];
    for (const q of queries) {
      const { body } = await search(q);
      expect({ q, errors: body.errors }).toEqual({ q, errors: undefined });
    }
    expect(await hits('-federation')).toEqual([]);
    expect(await hits('"federation')).toEqual([id('inTitle'), id('inTag'), id('inBody')]);
    expect((await hits("federation' OR 'x")).slice(0, 3)).toEqual([id('inTitle'), id('inTag'), id('inBody')]);
  });
});
