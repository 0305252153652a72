import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from '@supergraph/moderation';
import { graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';

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
      .execute(`insert into "moderation"."content_moderation" values (?, 'HIDDEN', now())`, [hidden]);
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
    await em.getConnection().execute(`insert into "moderation"."moderation_rule" values
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
});
