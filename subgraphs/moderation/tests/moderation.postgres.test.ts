import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from '@supergraph/moderation';
import type { DomainEvent } from '@supergraph/events';
import { eventually, graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';

let subgraph: TestSubgraph;
beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer);
});
afterAll(() => subgraph?.stop());

describe('moderation', () => {
  it('answers Post.moderation for N posts with one SQL query; posts without a decision are VISIBLE', async () => {
    const hidden = '01900000-0000-7000-8000-0000000000b2';
    const em = subgraph.server.orm.em.fork();
    await em
      .getConnection()
      .execute(
        `insert into "moderation"."content_item" (id, post_id, status, status_changed_at) values (?, ?, 'HIDDEN', now())`,
        [hidden, hidden],
      );
    const before = subgraph.server.stats.sqlQueries;
    const { body } = await graphql(
      subgraph.url,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Post { id moderation { status } } } }',
      {
        r: ['01900000-0000-7000-8000-0000000000b1', hidden].map((id) => ({ __typename: 'Post', id })),
      },
    );
    expect(body).toEqual({
      data: {
        _entities: [
          { id: '01900000-0000-7000-8000-0000000000b1', moderation: { status: 'VISIBLE' } },
          { id: hidden, moderation: { status: 'HIDDEN' } },
        ],
      },
    });
    expect(subgraph.server.stats.sqlQueries - before).toBe(1);
  });

  it('lists rules most severe first, to moderators and admins only', async () => {
    const em = subgraph.server.orm.em.fork();
    await em.getConnection()
      .execute(`insert into "moderation"."moderation_rule" (id, pattern, severity, action, created_at) values
      ('01900000-0000-7000-8000-0000000000c1', 'spam', 1, 'FLAG', now()),
      ('01900000-0000-7000-8000-0000000000c2', 'scam', 5, 'HIDE', now())`);
    const query = '{ moderationRules { pattern severity action } }';
    const expected = {
      data: {
        moderationRules: [
          { pattern: 'scam', severity: 5, action: 'HIDE' },
          { pattern: 'spam', severity: 1, action: 'FLAG' },
        ],
      },
    };
    for (const username of ['mod', 'admin']) {
      const { body } = await graphql(
        subgraph.url,
        query,
        {},
        { authorization: `Bearer ${await subgraph.token(username)}` },
      );
      expect(body).toEqual(expected);
    }
    const plain = await graphql(subgraph.url, query, {}, { authorization: `Bearer ${await subgraph.token('alice')}` });
    expect(plain.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' });
  });

  it('resolves the statuses and cases of N posts for moderators with one SQL query each', async () => {
    const em = subgraph.server.orm.em.fork();
    const posts = ['01900000-0000-7000-8000-0000000000d1', '01900000-0000-7000-8000-0000000000d2'];
    await em.getConnection().execute(
      `insert into "moderation"."moderation_case" (id, content_type, content_id, post_id, state, severity, report_count, opened_at, updated_at) values
        ('01900000-0000-7000-8000-0000000000e1', 'POST', ?, ?, 'CLOSED', 5, 0, now(), now()),
        ('01900000-0000-7000-8000-0000000000e2', 'POST', ?, ?, 'OPEN', 7, 2, now(), now()),
        ('01900000-0000-7000-8000-0000000000e3', 'POST', ?, ?, 'CLOSED', 3, 1, now(), now())`,
      [posts[0], posts[0], posts[0], posts[0], posts[1], posts[1]],
    );
    const before = subgraph.server.stats.sqlQueries;
    const { body } = await graphql(
      subgraph.url,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Post { moderation { case { id state } } } } }',
      { r: [...posts, '01900000-0000-7000-8000-0000000000d3'].map((id) => ({ __typename: 'Post', id })) },
      { authorization: `Bearer ${await subgraph.token('mod')}` },
    );
    // The open case wins over closed ones; otherwise the latest.
    expect(body).toEqual({
      data: {
        _entities: [
          { moderation: { case: { id: '01900000-0000-7000-8000-0000000000e2', state: 'OPEN' } } },
          { moderation: { case: { id: '01900000-0000-7000-8000-0000000000e3', state: 'CLOSED' } } },
          { moderation: { case: null } },
        ],
      },
    });
    expect(subgraph.server.stats.sqlQueries - before).toBe(2);
  });

  it('setModerationStatus publishes the change with the moderator and logs it; an unchanged status does nothing', async () => {
    const events: DomainEvent[] = [];
    await subgraph.bus.consume({
      stream: 'moderation.decisions',
      group: 'test.set-status',
      handler: async (event) => void events.push(event),
    });
    const post = '01900000-0000-7000-8000-0000000000f1';
    const set = async (status: string) =>
      graphql(
        subgraph.url,
        'mutation($p: ID!, $s: ModerationStatus!) { setModerationStatus(postId: $p, status: $s) { status } }',
        { p: post, s: status },
        { authorization: `Bearer ${await subgraph.token('mod')}` },
      );
    expect((await set('REMOVED')).body).toEqual({ data: { setModerationStatus: { status: 'REMOVED' } } });
    expect((await set('REMOVED')).body).toEqual({ data: { setModerationStatus: { status: 'REMOVED' } } });
    await eventually(async () =>
      expect(events.map((event) => event.payload)).toEqual([
        {
          contentType: 'POST',
          contentId: post,
          postId: post,
          authorId: null,
          status: 'REMOVED',
          changedAt: expect.any(String),
          caseId: null,
          reason: null,
          moderator: subgraph.issuer.subjectOf('mod'),
        },
      ]),
    );
    const log = await graphql(
      subgraph.url,
      'query($t: ID) { moderationAuditLog(targetId: $t) { edges { node { actor action targetType targetId } } } }',
      { t: post },
      { authorization: `Bearer ${await subgraph.token('admin')}` },
    );
    expect(log.body).toEqual({
      data: {
        moderationAuditLog: {
          edges: [
            {
              node: {
                actor: subgraph.issuer.subjectOf('mod'),
                action: 'STATUS_SET',
                targetType: 'POST',
                targetId: post,
              },
            },
          ],
        },
      },
    });
  });
});
