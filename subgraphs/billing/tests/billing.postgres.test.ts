import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from '@supergraph/billing';
import { graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';

let subgraph: TestSubgraph;
beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer);
});
afterAll(() => subgraph?.stop());

describe('billing', () => {
  it('offers the plans seeded by its migrations', async () => {
    const { body } = await graphql(subgraph.url, '{ plans { code name priceMinor currency } }');
    expect(body).toEqual({
      data: {
        plans: [
          { code: 'FREE', name: 'Free', priceMinor: 0, currency: 'USD' },
          { code: 'PRO', name: 'Pro', priceMinor: 900, currency: 'USD' },
        ],
      },
    });
  });

  it('answers User.subscription for N users with one SQL query; users without a row are on FREE', async () => {
    const pro = '01900000-0000-7000-8000-000000000002';
    await subgraph.server.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into "billing"."customer_subscription" values ('01900000-0000-7000-8000-0000000000aa', ?, 'PRO', 'ACTIVE', now(), now())`,
        [pro],
      );
    const before = subgraph.server.stats.sqlQueries;
    const { body } = await graphql(
      subgraph.url,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { subscription { plan status } } } }',
      {
        r: ['01900000-0000-7000-8000-000000000001', pro, 'junk'].map((id) => ({ __typename: 'User', id })),
      },
    );
    expect(body).toEqual({
      data: {
        _entities: [
          { subscription: { plan: 'FREE', status: 'ACTIVE' } },
          { subscription: { plan: 'PRO', status: 'ACTIVE' } },
          { subscription: { plan: 'FREE', status: 'ACTIVE' } },
        ],
      },
    });
    expect(subgraph.server.stats.sqlQueries - before).toBe(1);
  });
});
