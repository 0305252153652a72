/**
 * Billing end to end: a signed Stripe-format webhook grants PRO, the change travels as
 * `SubscriptionChanged` to content, and the premium post opens for that user within a second;
 * cancellation closes it again. The same through `subscribe` / `cancelSubscription` with the local
 * payment provider, whose signed events take the same webhook path.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { LOCAL_WEBHOOK_SECRET, WEBHOOK_PATH } from '@supergraph/billing';
import { startStack, type Stack } from '@supergraph/stack';
import { eventually, graphql, testDatabase, testLogger, type TestDatabase } from '@supergraph/testing';

const log = testLogger();
let db: TestDatabase;
let stack: Stack;
let webhookUrl: string;
let postId: string;
const tokens: Record<string, string> = {};
const as = (username: string) => ({ authorization: `Bearer ${tokens[username]}` });

beforeAll(async () => {
  db = await testDatabase();
  stack = await startStack({ logger: log.logger, databaseUrl: db.serverUrl, databaseName: db.name, gatewayPort: 0 });
  // The billing subgraph serves its webhook endpoint itself (its own ingress), beside /graphql.
  webhookUrl = stack.subgraphUrls.billing.replace(/\/graphql$/, WEBHOOK_PATH);
  for (const username of ['alice', 'bob', 'billing']) {
    tokens[username] = await stack.devIssuer!.mintToken(username);
    await graphql(stack.gatewayUrl, '{ me { id } }', {}, as(username));
  }
  const created = await graphql<{ createPost: { id: string } }>(
    stack.gatewayUrl,
    'mutation { createPost(input: { title: "Members only", body: "The premium part", premium: true }) { id } }',
    {},
    as('alice'),
  );
  postId = created.body.data!.createPost.id;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await db?.drop();
});

const readPost = async (username: string) =>
  (await graphql(stack.gatewayUrl, 'query($id: ID!) { post(id: $id) { title body } }', { id: postId }, as(username)))
    .body;
const OPEN = { data: { post: { title: 'Members only', body: 'The premium part' } } };
const CLOSED = {
  data: { post: { title: 'Members only', body: null } },
  errors: [{ message: 'Forbidden', path: ['post', 'body'], extensions: { code: 'FORBIDDEN', serviceName: 'content' } }],
};

const billingOf = async (username: string) =>
  (
    await graphql(
      stack.gatewayUrl,
      'query($id: ID!) { user(id: $id) { subscription { plan status } entitlements } }',
      { id: stack.devIssuer!.subjectOf(username) },
      as(username),
    )
  ).body;

async function deliver(type: string, created: number, subscription: Record<string, unknown>) {
  const payload = JSON.stringify({
    id: `evt_${randomUUID()}`,
    object: 'event',
    type,
    created,
    livemode: false,
    data: { object: subscription },
  });
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: LOCAL_WEBHOOK_SECRET });
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
  expect(response.status).toBe(200);
}

/** Polls until `check` passes and returns how long it took; fails after `ms`. */
async function within(ms: number, check: () => Promise<void>): Promise<number> {
  const started = Date.now();
  await eventually(check, ms);
  return Date.now() - started;
}

describe('billing end to end', () => {
  it('a PRO entitlement granted by a webhook opens a premium post within a second; cancellation closes it', async () => {
    expect(await readPost('bob')).toEqual(CLOSED);
    const now = Math.floor(Date.now() / 1000);
    const subscription = {
      id: 'sub_e2e_bob',
      object: 'subscription',
      customer: 'cus_e2e_bob',
      status: 'active',
      metadata: { userId: stack.devIssuer!.subjectOf('bob'), plan: 'PRO' },
      cancel_at_period_end: false,
      created: now,
      items: {
        object: 'list',
        data: [
          {
            current_period_start: now,
            current_period_end: now + 30 * 86_400,
            price: { id: 'price_pro', lookup_key: 'PRO' },
          },
        ],
      },
    };

    await deliver('customer.subscription.created', now, subscription);
    const granted = await within(1_000, async () => expect(await readPost('bob')).toEqual(OPEN));
    log.logger.info({ grantedMs: granted }, 'premium opened after the webhook');
    expect(await billingOf('bob')).toEqual({
      data: { user: { subscription: { plan: 'PRO', status: 'ACTIVE' }, entitlements: ['ad-free', 'premium-content'] } },
    });

    await deliver('customer.subscription.deleted', now + 1, { ...subscription, status: 'canceled' });
    await within(1_000, async () => expect(await readPost('bob')).toEqual(CLOSED));
    expect(await billingOf('bob')).toEqual({
      data: { user: { subscription: { plan: 'PRO', status: 'CANCELED' }, entitlements: [] } },
    });
  });

  it('subscribe and cancelSubscription through the gateway drive the same path (local provider)', async () => {
    expect(await readPost('billing')).toEqual(CLOSED);
    const subscribed = await graphql(
      stack.gatewayUrl,
      'mutation { subscribe(plan: PRO) { plan clientSecret } }',
      {},
      as('billing'),
    );
    expect(subscribed.body).toEqual({ data: { subscribe: { plan: 'PRO', clientSecret: null } } });
    await within(1_000, async () => expect(await readPost('billing')).toEqual(OPEN));

    const canceled = await graphql(stack.gatewayUrl, 'mutation { cancelSubscription { plan } }', {}, as('billing'));
    expect(canceled.body).toEqual({ data: { cancelSubscription: { plan: 'PRO' } } });
    await within(1_000, async () => expect(await readPost('billing')).toEqual(CLOSED));
    expect(await billingOf('billing')).toEqual({
      data: { user: { subscription: { plan: 'PRO', status: 'CANCELED' }, entitlements: [] } },
    });
  });
});
