import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from '@supergraph/content';
import { uuidv7 } from '@supergraph/events';
import { eventually, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';
import { LikeService } from '../src/like.service.js';
import { ADD_COMMENT, addComment, createPost, domainEvent, gql, ok, sql } from './helpers.js';

let subgraph: TestSubgraph;
let ALICE: string;
let BOB: string;
let MOD: string;
let ADMIN: string;

const LIKE = 'mutation($id: ID!) { likePost(postId: $id) { id likeCount likedByMe } }';
const UNLIKE = 'mutation($id: ID!) { unlikePost(postId: $id) { id likeCount likedByMe } }';
const THREAD = `query($id: ID!) {
  post(id: $id) {
    commentCount
    comments(first: 10) { edges { node { body parentId author { id } replies { edges { node { body } } } } } }
  }
}`;

/** Applies `UserFollowed`/`UserUnfollowed` through the consumer, as users' relay would deliver them. */
async function follows(
  changes: [type: 'UserFollowed' | 'UserUnfollowed', followerId: string, followeeId: string, at?: Date][],
) {
  const events = changes.map(([type, followerId, followeeId, at]) =>
    domainEvent('users.follows', type, { followerId, followeeId, at: (at ?? new Date()).toISOString() }),
  );
  await subgraph.bus.publish(events);
  await eventually(async () => {
    const [row] = await sql<{ n: number }>(
      subgraph,
      `select count(*)::int as n from "content"."processed_event" where consumer = 'content.follows' and event_id = any(?::uuid[])`,
      [`{${events.map((event) => event.id).join(',')}}`],
    );
    expect(row!.n).toBe(events.length);
  });
}

/** A moderation decision as moderation publishes it; waits until content applied it. */
async function moderate(
  contentType: 'POST' | 'COMMENT',
  contentId: string,
  postId: string,
  status: string,
  changedAt: Date,
) {
  const event = domainEvent('moderation.decisions', 'ModerationStatusChanged', {
    contentType,
    contentId,
    postId,
    authorId: ALICE,
    status,
    changedAt: changedAt.toISOString(),
    caseId: uuidv7(),
    reason: 'test',
    moderator: null,
  });
  await subgraph.bus.publish([event]);
  await eventually(async () => {
    const rows = await sql(
      subgraph,
      `select 1 from "content"."processed_event" where consumer = 'content.moderation-status' and event_id = ?`,
      [event.id],
    );
    expect(rows).toHaveLength(1);
  });
}

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer);
  [ALICE, BOB, MOD, ADMIN] = ['alice', 'bob', 'mod', 'admin'].map((name) => subgraph.issuer.subjectOf(name)) as [
    string,
    string,
    string,
    string,
  ];
});
afterAll(() => subgraph?.stop());

describe('comments', () => {
  it('threads one level deep, oldest first, and publishes CommentCreated', async () => {
    const post = await createPost(subgraph, 'alice', 'Discuss');
    const top = await addComment(subgraph, 'bob', post, 'First!');
    await addComment(subgraph, 'alice', post, 'Thanks', top);
    await addComment(subgraph, 'mod', post, 'Second');
    expect(await ok(subgraph, undefined, THREAD, { id: post })).toEqual({
      post: {
        commentCount: 3,
        comments: {
          edges: [
            {
              node: {
                body: 'First!',
                parentId: null,
                author: { id: BOB },
                replies: { edges: [{ node: { body: 'Thanks' } }] },
              },
            },
            { node: { body: 'Second', parentId: null, author: { id: MOD }, replies: { edges: [] } } },
          ],
        },
      },
    });
    const [event] = await sql<{ payload: unknown }>(
      subgraph,
      `select payload from "content"."outbox_event" where type = 'CommentCreated' and aggregate_id = ?`,
      [top],
    );
    expect(event!.payload).toEqual({
      id: top,
      postId: post,
      parentId: null,
      authorId: BOB,
      body: 'First!',
      createdAt: expect.any(String),
    });
  });

  it('refuses replies to replies, parents of other posts, unknown posts and empty bodies, naming each field', async () => {
    const post = await createPost(subgraph, 'alice', 'Threads');
    const other = await createPost(subgraph, 'alice', 'Elsewhere');
    const top = await addComment(subgraph, 'bob', post, 'Top');
    const reply = await addComment(subgraph, 'alice', post, 'Reply', top);
    const elsewhere = await addComment(subgraph, 'alice', other, 'Other post');
    const parentProblem = { field: 'input.parentId', message: 'must be a visible top-level comment of the same post' };
    for (const parentId of [reply, elsewhere, uuidv7()]) {
      const body = await gql(subgraph, 'bob', ADD_COMMENT, { input: { postId: post, body: 'x', parentId } });
      expect(body.errors?.[0]?.extensions).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'input.parentId',
        problems: [parentProblem],
      });
    }
    const invalid = await gql(subgraph, 'bob', ADD_COMMENT, { input: { postId: uuidv7(), body: ' ' } });
    expect(invalid.errors?.[0]?.extensions?.problems).toEqual([
      { field: 'input.body', message: 'must not be empty' },
      { field: 'input.postId', message: 'is not a visible post' },
    ]);
    const anonymous = await gql(subgraph, undefined, ADD_COMMENT, { input: { postId: post, body: 'x' } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });

  it('a retried addComment with the same key returns the same comment; another input with it is a CONFLICT', async () => {
    const post = await createPost(subgraph, 'alice', 'Keys');
    const send = (body: string) =>
      gql<{ addComment: { id: string } }>(subgraph, 'bob', ADD_COMMENT, { input: { postId: post, body }, key: 'c-1' });
    const [a, b] = await Promise.all([send('Hello'), send('Hello')]);
    expect(a.data!.addComment).toEqual(b.data!.addComment);
    expect((await send('Hello')).data!.addComment.id).toBe(a.data!.addComment.id);
    expect((await send('Changed')).errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'idempotencyKey' });
    expect(await ok(subgraph, undefined, 'query($id: ID!) { post(id: $id) { commentCount } }', { id: post })).toEqual({
      post: { commentCount: 1 },
    });
  });

  it('editComment and deleteComment are the author’s; a deleted comment leaves lists and counts', async () => {
    const post = await createPost(subgraph, 'alice', 'Edits');
    const id = await addComment(subgraph, 'bob', post, 'Typo');
    const edit = 'mutation($id: ID!, $body: String!) { editComment(id: $id, body: $body) { body editedAt } }';
    expect((await gql(subgraph, 'alice', edit, { id, body: 'x' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await ok(subgraph, 'bob', edit, { id, body: 'Fixed' })).toEqual({
      editComment: { body: 'Fixed', editedAt: expect.any(String) },
    });
    const del = 'mutation($id: ID!) { deleteComment(id: $id) }';
    expect((await gql(subgraph, 'alice', del, { id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await ok(subgraph, 'bob', del, { id })).toEqual({ deleteComment: id });
    expect(await ok(subgraph, undefined, THREAD, { id: post })).toEqual({
      post: { commentCount: 0, comments: { edges: [] } },
    });
    expect(await ok(subgraph, 'bob', 'query($id: ID!) { comment(id: $id) { id } }', { id })).toEqual({ comment: null });
    const types = await sql<{ type: string }>(
      subgraph,
      'select type from "content"."outbox_event" where aggregate_id = ? order by id',
      [id],
    );
    expect(types.map((row) => row.type)).toEqual(['CommentCreated', 'CommentEdited', 'CommentDeleted']);
  });
});

describe('likes', () => {
  it('are idempotent per user and answer likeCount and likedByMe', async () => {
    const post = await createPost(subgraph, 'alice', 'Likeable');
    expect(await ok(subgraph, 'bob', LIKE, { id: post })).toEqual({
      likePost: { id: post, likeCount: 1, likedByMe: true },
    });
    expect(await ok(subgraph, 'bob', LIKE, { id: post })).toEqual({
      likePost: { id: post, likeCount: 1, likedByMe: true },
    });
    expect(await ok(subgraph, 'alice', LIKE, { id: post })).toEqual({
      likePost: { id: post, likeCount: 2, likedByMe: true },
    });
    expect(await ok(subgraph, 'bob', UNLIKE, { id: post })).toEqual({
      unlikePost: { id: post, likeCount: 1, likedByMe: false },
    });
    expect(await ok(subgraph, 'bob', UNLIKE, { id: post })).toEqual({
      unlikePost: { id: post, likeCount: 1, likedByMe: false },
    });
    expect(
      await ok(subgraph, undefined, 'query($id: ID!) { post(id: $id) { likeCount likedByMe } }', { id: post }),
    ).toEqual({ post: { likeCount: 1, likedByMe: false } });
    const missing = await gql(subgraph, 'bob', LIKE, { id: uuidv7() });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('keeps likeCount equal to the likes under concurrent likes and unlikes', async () => {
    const post = await createPost(subgraph, 'alice', 'Popular');
    const users = ['alice', 'bob', 'mod', 'admin', 'billing'];
    // Each realm user sends the same like 4 times at once, beside 60 more users liking twice each at once.
    const others = Array.from({ length: 60 }, () => uuidv7());
    const likes = new LikeService(subgraph.server.orm.em.fork());
    await Promise.all([
      ...users.flatMap((user) => Array.from({ length: 4 }, () => ok(subgraph, user, LIKE, { id: post }))),
      ...others.flatMap((user) => [0, 1].map(() => new LikeService(subgraph.server.orm.em.fork()).like(user, post))),
    ]);
    const state = async () =>
      (
        await sql<{ like_count: number; likes: number }>(
          subgraph,
          `select like_count, (select count(*)::int from "content"."post_like" where post_id = p.id) as likes
           from "content"."post" p where id = ?`,
          [post],
        )
      )[0];
    expect(await state()).toEqual({ like_count: 65, likes: 65 });
    await Promise.all([
      ...users.flatMap((user) => Array.from({ length: 3 }, () => ok(subgraph, user, UNLIKE, { id: post }))),
      ...others.slice(0, 30).map((user) => likes.unlike(user, post)),
      ...others.slice(0, 30).map((user) => new LikeService(subgraph.server.orm.em.fork()).unlike(user, post)),
    ]);
    expect(await state()).toEqual({ like_count: 30, likes: 30 });
  });
});

describe('feed', () => {
  const FEED = `query($first: Int, $after: String) {
    feed(first: $first, after: $after) { edges { node { title author { id } } } pageInfo { hasNextPage endCursor } }
  }`;
  const titles = async (username: string, first = 50, after?: string) => {
    const data = await ok<{
      feed: { edges: { node: { title: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    }>(subgraph, username, FEED, { first, after });
    return { titles: data.feed.edges.map((edge) => edge.node.title), pageInfo: data.feed.pageInfo };
  };

  it('shows the followed users’ visible posts newest first, by pages, and follows follow and unfollow events', async () => {
    expect(await titles('alice')).toEqual({ titles: [], pageInfo: { hasNextPage: false, endCursor: null } });
    await follows([
      ['UserFollowed', ALICE, BOB],
      ['UserFollowed', ALICE, MOD],
    ]);
    await createPost(subgraph, 'bob', 'feed b1');
    await createPost(subgraph, 'admin', 'feed not followed');
    await createPost(subgraph, 'mod', 'feed m1');
    const hidden = await createPost(subgraph, 'bob', 'feed hidden');
    const deleted = await createPost(subgraph, 'bob', 'feed deleted');
    await createPost(subgraph, 'bob', 'feed b2');
    await moderate('POST', hidden, hidden, 'HIDDEN', new Date());
    await ok(subgraph, 'bob', 'mutation($id: ID!) { deletePost(id: $id) }', { id: deleted });

    const feedTitles = (await titles('alice')).titles.filter((title) => title.startsWith('feed'));
    expect(feedTitles).toEqual(['feed b2', 'feed m1', 'feed b1']);
    const first = await titles('alice', 2);
    expect(first.titles).toEqual(['feed b2', 'feed m1']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await titles('alice', 2, first.pageInfo.endCursor!);
    expect(second.titles.slice(0, 1)).toEqual(['feed b1']);

    // Moderators still read the hidden post by id; its author and readers do not.
    const POST = 'query($id: ID!) { post(id: $id) { title } }';
    expect(await ok(subgraph, 'mod', POST, { id: hidden })).toEqual({ post: { title: 'feed hidden' } });
    expect(await ok(subgraph, 'bob', POST, { id: hidden })).toEqual({ post: null });

    await follows([['UserUnfollowed', ALICE, MOD]]);
    expect((await titles('alice')).titles.filter((title) => title.startsWith('feed'))).toEqual(['feed b2', 'feed b1']);
    expect(
      await sql(subgraph, 'select * from "content"."follow_count" where user_id = any(?::uuid[]) order by user_id', [
        `{${ALICE},${BOB},${MOD}}`,
      ]),
    ).toEqual(
      [
        { user_id: ALICE, follower_count: 0, following_count: 1 },
        { user_id: BOB, follower_count: 1, following_count: 0 },
        { user_id: MOD, follower_count: 0, following_count: 0 },
      ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
    );
    const anonymous = await gql(subgraph, undefined, FEED);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    void ADMIN;
  });

  it('applies a follow change only when it is newer than the pair’s last one, counting every event', async () => {
    const [x, y] = [uuidv7(), uuidv7()];
    const t = Date.now();
    await follows([
      ['UserFollowed', x, y, new Date(t + 2_000)],
      // Late and older than the follow: changes nothing.
      ['UserUnfollowed', x, y, new Date(t + 1_000)],
      // A redundant follow (users never sends one, but a replayed history might): no counter moves.
      ['UserFollowed', x, y, new Date(t + 3_000)],
    ]);
    expect(
      await sql(
        subgraph,
        'select active, event_count from "content"."follow" where follower_id = ? and followee_id = ?',
        [x, y],
      ),
    ).toEqual([{ active: true, event_count: 3 }]);
    expect(
      await sql(
        subgraph,
        'select user_id, follower_count, following_count from "content"."follow_count" where user_id = any(?::uuid[]) order by user_id',
        [`{${x},${y}}`],
      ),
    ).toEqual(
      [
        { user_id: x, follower_count: 0, following_count: 1 },
        { user_id: y, follower_count: 1, following_count: 0 },
      ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
    );
  });

  it('resolves likeCount, likedByMe, commentCount, comments, replies and authors with one query per level', async () => {
    await follows([['UserFollowed', BOB, ADMIN]]);
    for (const title of ['n1', 'n2', 'n3', 'n4']) {
      const post = await createPost(subgraph, 'admin', title);
      const top = await addComment(subgraph, 'alice', post, `${title} c1`);
      await addComment(subgraph, 'mod', post, `${title} r1`, top);
      await addComment(subgraph, 'alice', post, `${title} c2`);
      await ok(subgraph, 'bob', LIKE, { id: post });
    }
    const query = `{
      feed(first: 4) { edges { node {
        title likeCount likedByMe commentCount author { id }
        comments(first: 5) { edges { node { body author { id } post { title } replies(first: 5) { edges { node { body parentId } } } } } }
      } } }
    }`;
    const before = subgraph.server.stats.sqlQueries;
    const data = await ok<{ feed: { edges: { node: Record<string, unknown> }[] } }>(subgraph, 'bob', query);
    const queries = subgraph.server.stats.sqlQueries - before;
    expect(data.feed.edges.map((edge) => edge.node.title)).toEqual(['n4', 'n3', 'n2', 'n1']);
    expect(data.feed.edges[0]!.node).toEqual({
      title: 'n4',
      likeCount: 1,
      likedByMe: true,
      commentCount: 3,
      author: { id: ADMIN },
      comments: {
        edges: [
          {
            node: {
              body: 'n4 c1',
              author: { id: ALICE },
              post: { title: 'n4' },
              replies: { edges: [{ node: { body: 'n4 r1', parentId: expect.any(String) } }] },
            },
          },
          { node: { body: 'n4 c2', author: { id: ALICE }, post: { title: 'n4' }, replies: { edges: [] } } },
        ],
      },
    });
    // feed, likedByMe, commentCount, comments, Comment.post, replies: one each for all 4 posts and 8 comments.
    expect(queries).toBe(6);
  });
});

describe('moderation decisions', () => {
  it('hide and restore comments, applying only decisions newer than the last one applied', async () => {
    const post = await createPost(subgraph, 'alice', 'Moderated thread');
    const comment = await addComment(subgraph, 'bob', post, 'Rude');
    await addComment(subgraph, 'alice', post, 'Polite');
    const t0 = new Date();
    await moderate('COMMENT', comment, post, 'REMOVED', new Date(t0.getTime() + 1_000));
    const bodies = async (username?: string) => {
      const data = await ok<{ post: { commentCount: number; comments: { edges: { node: { body: string } }[] } } }>(
        subgraph,
        username,
        THREAD,
        { id: post },
      );
      return { count: data.post.commentCount, bodies: data.post.comments.edges.map((edge) => edge.node.body) };
    };
    expect(await bodies()).toEqual({ count: 1, bodies: ['Polite'] });
    const COMMENT = 'query($id: ID!) { comment(id: $id) { body } }';
    expect(await ok(subgraph, 'bob', COMMENT, { id: comment })).toEqual({ comment: null });
    expect(await ok(subgraph, 'mod', COMMENT, { id: comment })).toEqual({ comment: { body: 'Rude' } });
    // An older decision arriving late changes nothing.
    await moderate('COMMENT', comment, post, 'VISIBLE', t0);
    expect(await bodies()).toEqual({ count: 1, bodies: ['Polite'] });
    await moderate('COMMENT', comment, post, 'VISIBLE', new Date(t0.getTime() + 2_000));
    expect(await bodies()).toEqual({ count: 2, bodies: ['Rude', 'Polite'] });
    // A hidden post takes its comments with it, for readers.
    await moderate('POST', post, post, 'HIDDEN', new Date(t0.getTime() + 3_000));
    expect(await ok(subgraph, 'alice', COMMENT, { id: comment })).toEqual({ comment: null });
    expect(
      (await gql(subgraph, 'bob', ADD_COMMENT, { input: { postId: post, body: 'x' } })).errors?.[0]?.extensions?.code,
    ).toBe('BAD_USER_INPUT');
  });
});

describe('malformed events from other subgraphs', () => {
  it('are skipped, not retried forever: the events after them still apply', async () => {
    const processed = async (consumer: string, ids: string[]) =>
      (
        await sql<{ n: number }>(
          subgraph,
          `select count(*)::int as n from "content"."processed_event" where consumer = ? and event_id = any(?::uuid[])`,
          [consumer, `{${ids.join(',')}}`],
        )
      )[0]!.n;
    const plans = [
      { userId: 'not-a-uuid', plan: 'PRO', status: 'ACTIVE', changedAt: new Date().toISOString() },
      { userId: BOB, plan: 'PRO', status: 'ACTIVE', changedAt: 'yesterday-ish' },
      { userId: BOB, plan: 'PRO', status: 'ACTIVE', changedAt: new Date().toISOString() },
    ].map((payload) => domainEvent('billing.subscriptions', 'SubscriptionChanged', payload));
    await subgraph.bus.publish(plans);
    await eventually(async () =>
      expect(
        await processed(
          'content.entitlements',
          plans.map((e) => e.id),
        ),
      ).toBe(3),
    );
    expect(
      await sql(subgraph, `select plan, status from "content"."plan_entitlement" where user_id = ?`, [BOB]),
    ).toEqual([{ plan: 'PRO', status: 'ACTIVE' }]);

    const post = await createPost(subgraph, 'alice', 'Moderated later');
    const decisions = ['not a time', new Date().toISOString()].map((changedAt) =>
      domainEvent('moderation.decisions', 'ModerationStatusChanged', {
        contentType: 'POST',
        contentId: post,
        postId: post,
        authorId: ALICE,
        status: 'HIDDEN',
        changedAt,
      }),
    );
    await subgraph.bus.publish(decisions);
    await eventually(async () =>
      expect(
        await processed(
          'content.moderation-status',
          decisions.map((e) => e.id),
        ),
      ).toBe(2),
    );
    expect(await sql(subgraph, `select status from "content"."post" where id = ?`, [post])).toEqual([
      { status: 'HIDDEN' },
    ]);
  });
});
