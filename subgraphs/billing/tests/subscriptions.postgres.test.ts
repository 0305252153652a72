import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { createServer } from '@supergraph/billing';
import { InProcessRealtime } from '@supergraph/events';
import { eventually, graphql, startTestSubgraph, subscribeWs, wsClient, type TestSubgraph } from '@supergraph/testing';

const TOPIC = 'billing.subscriptionChanged';
const MINE = 'subscription { mySubscriptionChanged { plan status } }';
const SET = 'mutation($u: ID!, $p: PlanCode!) { setSubscription(userId: $u, plan: $p) { plan status } }';

let subgraph: TestSubgraph;
const realtime = new InProcessRealtime();
const clients: Client[] = [];

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer, { realtime });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await subgraph?.stop();
});

function subscribe(token: string | undefined) {
  const client = wsClient(subgraph.wsUrl, token);
  clients.push(client);
  return subscribeWs(client, MINE);
}

async function setPlan(userId: string, plan: 'FREE' | 'PRO') {
  const { body } = await graphql(
    subgraph.url,
    SET,
    { u: userId, p: plan },
    { authorization: `Bearer ${await subgraph.token('billing')}` },
  );
  expect(body).toEqual({ data: { setSubscription: { plan, status: 'ACTIVE' } } });
}

describe('Subscription.mySubscriptionChanged', () => {
  it("delivers the caller's own plan changes only", async () => {
    const alice = subscribe(await subgraph.token('alice'));
    const bob = subscribe(await subgraph.token('bob'));
    await eventually(async () => expect(realtime.activeSubscriptions(TOPIC)).toBe(2));

    await setPlan(subgraph.issuer.subjectOf('alice'), 'PRO');
    await setPlan(subgraph.issuer.subjectOf('bob').toUpperCase(), 'PRO');
    await setPlan(subgraph.issuer.subjectOf('alice'), 'FREE');

    await eventually(async () => {
      expect(alice.events).toEqual([
        { data: { mySubscriptionChanged: { plan: 'PRO', status: 'ACTIVE' } } },
        { data: { mySubscriptionChanged: { plan: 'FREE', status: 'ACTIVE' } } },
      ]);
      expect(bob.events).toEqual([{ data: { mySubscriptionChanged: { plan: 'PRO', status: 'ACTIVE' } } }]);
    });
    alice.unsubscribe();
    bob.unsubscribe();
    await eventually(async () => expect(realtime.activeSubscriptions(TOPIC)).toBe(0));
  });

  it('is refused to anonymous callers (@authenticated) without subscribing to anything', async () => {
    const anonymous = subscribe(undefined);
    expect(await anonymous.done).toEqual({ completed: true });
    expect(anonymous.events).toEqual([
      {
        errors: [
          {
            message: 'Unauthorized field or type',
            locations: [{ line: 1, column: 16 }],
            path: ['mySubscriptionChanged'],
            extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' },
          },
        ],
      },
    ]);
    expect(realtime.activeSubscriptions(TOPIC)).toBe(0);
  });
});
