import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from '@supergraph/content';
import { startTestSubgraph, type TestSubgraph } from '@supergraph/testing';
import { commentCountsSql, commentPagesSql } from '../src/comment.service.js';
import { likedSql } from '../src/like.service.js';
import { authorPagesSql, feedSql } from '../src/post.service.js';
import { sql } from './helpers.js';

/**
 * The plans of the queries that serve each access path, on enough rows that a sequential scan would be
 * the planner's choice without the index (no `enable_seqscan = off`): 500 authors with 40,000 posts,
 * 19,180 follows, 40,000 comments and 40,000 likes.
 */
let subgraph: TestSubgraph;
let viewer: string;
let posts: string[];
let topComments: string[];

const plan = async (query: string, params: unknown[]) =>
  (await sql<{ 'QUERY PLAN': string }>(subgraph, `explain ${query}`, params))
    .map((row) => row['QUERY PLAN'])
    .join('\n');
/** An index scan, index-only scan or bitmap index scan of `index` in a plan's text. */
const usesIndex = (index: string) => new RegExp(`(Index|Index Only|Bitmap Index) Scan (using|on) ${index}\\b`);
const uuids = (ids: readonly string[]) => `{${ids.join(',')}}`;

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer);
  const seed = (statement: string) => sql(subgraph, statement);
  await seed(`create table public.seed_author as select gen_random_uuid() as id, n from generate_series(1, 500) n`);
  await seed(`insert into "content"."post" (id, author_id, title, body, tags, language, premium, status, like_count, created_at, updated_at, deleted_at)
    select gen_random_uuid(), a.id, 'title ' || i, 'body', '{}', 'en', false,
      case when i % 17 = 0 then 'HIDDEN' else 'VISIBLE' end, 0, now(), now(),
      case when i % 23 = 0 then now() else null end
    from public.seed_author a cross join generate_series(1, 80) i`);
  await seed(`insert into "content"."follow" (follower_id, followee_id, active, changed_at, event_count)
    select f.id, e.id, (f.n + e.n) % 5 <> 0, now(), 1 from public.seed_author f join public.seed_author e on e.n between f.n + 1 and f.n + 40`);
  await seed(`insert into "content"."comment" (id, post_id, author_id, parent_id, body, status, created_at)
    select gen_random_uuid(), p.id, p.author_id, null, 'c', 'VISIBLE', now()
    from (select id, author_id from "content"."post" order by id limit 20000) p`);
  await seed(`insert into "content"."comment" (id, post_id, author_id, parent_id, body, status, created_at)
    select gen_random_uuid(), c.post_id, c.author_id, c.id, 'r', 'VISIBLE', now() from "content"."comment" c`);
  await seed(`insert into "content"."post_like" (post_id, user_id, created_at)
    select p.id, a.id, now() from (select id from "content"."post" order by id limit 1000) p
    cross join (select id from public.seed_author order by n limit 40) a`);
  await seed('analyze "content"."post", "content"."follow", "content"."comment", "content"."post_like"');
  viewer = (await sql<{ id: string }>(subgraph, 'select id from public.seed_author where n = 100'))[0]!.id;
  posts = (await sql<{ id: string }>(subgraph, 'select id from "content"."post" order by id limit 20')).map(
    (r) => r.id,
  );
  topComments = (
    await sql<{ id: string }>(
      subgraph,
      'select id from "content"."comment" where parent_id is null order by id limit 20',
    )
  ).map((r) => r.id);
}, 60_000);
afterAll(() => subgraph?.stop());

describe('access paths use their indexes', () => {
  it('has enough rows for the planner to care', async () => {
    const [counts] = await sql<Record<string, number>>(
      subgraph,
      `select (select count(*)::int from "content"."post") as posts, (select count(*)::int from "content"."follow") as follows,
              (select count(*)::int from "content"."comment") as comments, (select count(*)::int from "content"."post_like") as likes`,
    );
    expect(counts).toEqual({ posts: 40_000, follows: 19_180, comments: 40_000, likes: 40_000 });
  });

  it('feed: the follower’s followees by primary key, then each one’s newest visible posts by index range', async () => {
    const text = await plan(feedSql('content', true), [posts[10], 21, viewer, 21]);
    expect(text).toMatch(usesIndex('follow_pkey'));
    expect(text).toMatch(usesIndex('post_visible_author_idx'));
    expect(text).not.toMatch(/Seq Scan/);
    const firstPage = await plan(feedSql('content', false), [21, viewer, 21]);
    expect(firstPage).toMatch(usesIndex('post_visible_author_idx'));
    expect(firstPage).not.toMatch(/Seq Scan/);
  });

  it('without its author indexes the feed would cost far more (the data is big enough to tell)', async () => {
    const cost = (text: string) => Number(/cost=[\d.]+\.\.([\d.]+)/.exec(text)?.[1]);
    const withIndexes = await plan(feedSql('content', false), [21, viewer, 21]);
    const without = await subgraph.server.orm.em
      .fork()
      .transactional(async (tx) => {
        await tx.execute('drop index "content"."post_visible_author_idx"');
        await tx.execute('drop index "content"."post_author_id_idx"');
        const rows = await tx.execute<{ 'QUERY PLAN': string }[]>(`explain ${feedSql('content', false)}`, [
          21,
          viewer,
          21,
        ]);
        // Throwing rolls the drops back.
        throw Object.assign(new Error('rollback'), { plan: rows.map((row) => row['QUERY PLAN']).join('\n') });
      })
      .catch((error: { plan?: string }) => error.plan ?? '');
    expect(without).not.toMatch(usesIndex('post_visible_author_idx'));
    expect(cost(without)).toBeGreaterThan(10 * cost(withIndexes));
    expect(
      await sql(subgraph, 'select 1 from pg_indexes where indexname = ?', ['post_visible_author_idx']),
    ).toHaveLength(1);
  });

  it('User.posts: the visible posts of a level’s authors', async () => {
    const authors = (await sql<{ id: string }>(subgraph, 'select id from public.seed_author where n <= 10')).map(
      (r) => r.id,
    );
    const text = await plan(authorPagesSql('content', false), [uuids(authors), 21]);
    expect(text).toMatch(usesIndex('post_visible_author_idx'));
    expect(text).not.toMatch(/Seq Scan/);
  });

  it('comments: top-level pages, reply pages and counts read the partial indexes of visible comments', async () => {
    const top = await plan(commentPagesSql('content', 'post_id', false), [uuids(posts), 21]);
    expect(top).toMatch(usesIndex('comment_visible_post_idx'));
    expect(top).not.toMatch(/Seq Scan/);
    const replies = await plan(commentPagesSql('content', 'parent_id', true), [uuids(topComments), topComments[0], 21]);
    expect(replies).toMatch(usesIndex('comment_visible_parent_idx'));
    expect(replies).not.toMatch(/Seq Scan/);
    const counts = await plan(commentCountsSql('content'), [uuids(posts)]);
    expect(counts).toMatch(usesIndex('comment_visible_post_idx'));
    expect(counts).not.toMatch(/Seq Scan/);
  });

  it('likedByMe: one primary-key probe per post of the page', async () => {
    const text = await plan(likedSql('content'), [viewer, uuids(posts)]);
    expect(text).toMatch(usesIndex('post_like_pkey'));
    expect(text).not.toMatch(/Seq Scan/);
  });
});
