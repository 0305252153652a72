/**
 * POST /webhooks/payments with Stripe-format events signed by the SDK's own test-header helper:
 * verification, exactly-once effects (concurrent duplicates included), ordering, and rollback.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from '@supergraph/billing';
import { graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';
import { randomUUID } from 'node:crypto';
import {
  eventId,
  invoiceEvent,
  nowSeconds,
  postWebhook,
  signed,
  subscriptionEvent,
  WEBHOOK_SECRET,
} from './webhookFixtures.js';

let subgraph: TestSubgraph;
let webhookUrl: string;

beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer, {
    extra: {
      billing: { config: { stripeSecretKey: undefined, webhookSecret: WEBHOOK_SECRET, webhookToleranceSeconds: 300 } },
    },
  });
  webhookUrl = subgraph.url.replace(/\/graphql$/, '/webhooks/payments');
});
afterAll(() => subgraph?.stop());

const sql = <T>(query: string, params: unknown[] = []) =>
  subgraph.server.orm.em.fork().getConnection().execute<T[]>(query, params);

const newUser = () => {
  const suffix = randomUUID().slice(0, 8);
  return {
    userId: randomUUID(),
    subscriptionId: `sub_${suffix}`,
    customerId: `cus_${suffix}`,
    invoiceId: `in_${suffix}`,
  };
};

async function subscriptionOf(userId: string) {
  const { body } = await graphql<{ _entities: unknown[] }>(
    subgraph.url,
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { subscription { plan status currentPeriodEnd cancelAtPeriodEnd } entitlements } } }',
    { r: [{ __typename: 'User', id: userId }] },
  );
  return body.data?._entities[0];
}

const changesOf = (userId: string) =>
  sql<{ payload: { plan: string; status: string } }>(
    `select payload from billing.outbox_event where type = 'SubscriptionChanged' and aggregate_id = ? order by id`,
    [userId],
  ).then((rows) => rows.map((row) => `${row.payload.plan}/${row.payload.status}`));

const count = async (table: string) =>
  Number((await sql<{ n: string }>(`select count(*) as n from billing.${table}`))[0]!.n);

describe('POST /webhooks/payments', () => {
  it('applies a valid event once: the subscription, its entitlements and one SubscriptionChanged', async () => {
    const user = newUser();
    const delivery = signed(
      subscriptionEvent('customer.subscription.created', nowSeconds(), {
        ...user,
        status: 'active',
        periodEnd: 1_792_592_000,
      }),
    );
    expect(await postWebhook(webhookUrl, delivery)).toEqual({
      status: 200,
      body: { received: true, outcome: 'applied' },
    });
    expect(await subscriptionOf(user.userId)).toEqual({
      subscription: {
        plan: 'PRO',
        status: 'ACTIVE',
        currentPeriodEnd: '2026-10-21T14:13:20.000Z',
        cancelAtPeriodEnd: false,
      },
      entitlements: ['ad-free', 'premium-content'],
    });
    expect(await postWebhook(webhookUrl, delivery)).toEqual({
      status: 200,
      body: { received: true, outcome: 'duplicate' },
    });
    expect(await changesOf(user.userId)).toEqual(['PRO/ACTIVE']);
    expect(
      await sql(`select user_id, provider_customer_id from billing.billing_customer where user_id = ?`, [user.userId]),
    ).toEqual([{ user_id: user.userId, provider_customer_id: user.customerId }]);
  });

  it('delivers the same event ten times concurrently: one change, one stored event, nine duplicates', async () => {
    const user = newUser();
    const delivery = signed(
      subscriptionEvent('customer.subscription.created', nowSeconds(), { ...user, status: 'active' }),
    );
    const answers = await Promise.all(Array.from({ length: 10 }, () => postWebhook(webhookUrl, delivery)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(answers.map((answer) => answer.body.outcome).sort()).toEqual(['applied', ...Array(9).fill('duplicate')]);
    expect(await changesOf(user.userId)).toEqual(['PRO/ACTIVE']);
    const id = JSON.parse(delivery.payload).id as string;
    expect(await sql(`select outcome from billing.webhook_event where provider_event_id = ?`, [id])).toEqual([
      { outcome: 'applied' },
    ]);
  });

  it('refuses a bad signature, a stale timestamp, a missing signature and malformed JSON with 400, storing nothing', async () => {
    const user = newUser();
    const event = subscriptionEvent('customer.subscription.created', nowSeconds(), { ...user, status: 'active' });
    const before = { events: await count('webhook_event'), subscriptions: await count('customer_subscription') };

    const wrongSecret = signed(event, { secret: 'whsec_someone_else' });
    const stale = signed(event, { timestamp: nowSeconds() - 301 });
    const tampered = { ...signed(event), payload: JSON.stringify({ ...event, type: 'customer.subscription.deleted' }) };
    const malformed = signed('{"id": "evt_broken", "type": ');
    const notAnEvent = signed({ hello: 'world' });

    expect(await postWebhook(webhookUrl, wrongSecret)).toEqual({ status: 400, body: { error: 'invalid signature' } });
    expect(await postWebhook(webhookUrl, stale)).toEqual({ status: 400, body: { error: 'invalid signature' } });
    expect(await postWebhook(webhookUrl, tampered)).toEqual({ status: 400, body: { error: 'invalid signature' } });
    expect(await postWebhook(webhookUrl, { payload: JSON.stringify(event) })).toEqual({
      status: 400,
      body: { error: 'missing Stripe-Signature header' },
    });
    expect(await postWebhook(webhookUrl, malformed)).toEqual({ status: 400, body: { error: 'malformed' } });
    expect(await postWebhook(webhookUrl, notAnEvent)).toEqual({ status: 400, body: { error: 'malformed' } });

    expect({ events: await count('webhook_event'), subscriptions: await count('customer_subscription') }).toEqual(
      before,
    );
    expect(await subscriptionOf(user.userId)).toEqual({
      subscription: { plan: 'FREE', status: 'ACTIVE', currentPeriodEnd: null, cancelAtPeriodEnd: false },
      entitlements: [],
    });
  });

  it('verifies the raw bytes: re-serialised JSON with the same content is refused', async () => {
    const user = newUser();
    const event = subscriptionEvent('customer.subscription.created', nowSeconds(), { ...user, status: 'active' });
    const delivery = signed(JSON.stringify(event, null, 2));
    const reserialised = { ...delivery, payload: JSON.stringify(JSON.parse(delivery.payload)) };
    expect((await postWebhook(webhookUrl, reserialised)).status).toBe(400);
    expect((await postWebhook(webhookUrl, delivery)).status).toBe(200);
  });

  it('reaches the same final state when invoice.paid arrives before customer.subscription.created', async () => {
    const t = nowSeconds();
    const inOrder = newUser();
    const reversed = newUser();
    for (const [user, order] of [
      [inOrder, ['created', 'paid']],
      [reversed, ['paid', 'created']],
    ] as const) {
      for (const step of order) {
        const event =
          step === 'created'
            ? subscriptionEvent('customer.subscription.created', t, { ...user, status: 'incomplete' })
            : invoiceEvent('invoice.paid', t + 1, { ...user, status: 'active' });
        expect((await postWebhook(webhookUrl, signed(event))).status).toBe(200);
      }
    }
    const stateOf = async (user: ReturnType<typeof newUser>) => ({
      subscription: await subscriptionOf(user.userId),
      row: await sql(
        `select plan_code, status, provider_subscription_id = ? as same_sub from billing.customer_subscription where user_id = ?`,
        [user.subscriptionId, user.userId],
      ),
      invoices: await sql(`select status, total_minor, currency, lines from billing.invoice where user_id = ?`, [
        user.userId,
      ]),
      changes: await changesOf(user.userId),
    });
    const expected = {
      subscription: {
        subscription: {
          plan: 'PRO',
          status: 'ACTIVE',
          currentPeriodEnd: '2026-10-21T14:13:20.000Z',
          cancelAtPeriodEnd: false,
        },
        entitlements: ['ad-free', 'premium-content'],
      },
      row: [{ plan_code: 'PRO', status: 'ACTIVE', same_sub: true }],
      invoices: [
        {
          status: 'PAID',
          total_minor: 900,
          currency: 'USD',
          lines: [{ description: '1 × Pro (at $9.00 / month)', amountMinor: 900 }],
        },
      ],
      changes: ['PRO/ACTIVE'],
    };
    expect(await stateOf(inOrder)).toEqual(expected);
    expect(await stateOf(reversed)).toEqual(expected);
  });

  it('serialises different events of one user delivered at once (row locks): one consistent state', async () => {
    const user = newUser();
    const t = nowSeconds();
    const deliveries = [
      subscriptionEvent('customer.subscription.created', t, { ...user, status: 'active' }),
      invoiceEvent('invoice.paid', t, { ...user, status: 'active' }),
      subscriptionEvent('customer.subscription.updated', t + 1, { ...user, status: 'past_due' }),
      invoiceEvent('invoice.payment_failed', t + 1, {
        ...user,
        status: 'past_due',
        invoiceId: `${user.invoiceId}_2`,
        invoiceStatus: 'open',
      }),
    ].map((event) => signed(event));
    const answers = await Promise.all(deliveries.map((delivery) => postWebhook(webhookUrl, delivery)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(await subscriptionOf(user.userId)).toMatchObject({
      subscription: { plan: 'PRO', status: 'PAST_DUE' },
      entitlements: [],
    });
    expect(
      await sql(`select status from billing.invoice where user_id = ? order by provider_invoice_id`, [user.userId]),
    ).toEqual([{ status: 'PAID' }, { status: 'OPEN' }]);
    expect((await changesOf(user.userId)).at(-1)).toBe('PRO/PAST_DUE');
  });

  it('never moves a subscription backwards: a late "active" after "deleted" changes nothing', async () => {
    const user = newUser();
    const t = nowSeconds();
    const post = (event: object) => postWebhook(webhookUrl, signed(event));
    expect(
      (await post(subscriptionEvent('customer.subscription.created', t, { ...user, status: 'active' }))).body.outcome,
    ).toBe('applied');
    expect(
      (await post(subscriptionEvent('customer.subscription.deleted', t + 5, { ...user, status: 'canceled' }))).body
        .outcome,
    ).toBe('applied');
    // An update sent before the deletion, delivered after it.
    expect(
      (await post(subscriptionEvent('customer.subscription.updated', t + 3, { ...user, status: 'active' }))).body
        .outcome,
    ).toBe('stale');
    // Same second: the later lifecycle state wins whatever the arrival order.
    expect(
      (await post(subscriptionEvent('customer.subscription.updated', t + 5, { ...user, status: 'past_due' }))).body
        .outcome,
    ).toBe('stale');
    expect(await subscriptionOf(user.userId)).toEqual({
      subscription: {
        plan: 'PRO',
        status: 'CANCELED',
        currentPeriodEnd: '2026-10-21T14:13:20.000Z',
        cancelAtPeriodEnd: false,
      },
      entitlements: [],
    });
    expect(await changesOf(user.userId)).toEqual(['PRO/ACTIVE', 'PRO/CANCELED']);
  });

  it('applies a contract (unlisted) PARTNER plan created at the provider, with its own entitlements', async () => {
    const user = newUser();
    const event = subscriptionEvent('customer.subscription.created', nowSeconds(), {
      ...user,
      status: 'trialing',
      plan: 'PARTNER',
    });
    expect((await postWebhook(webhookUrl, signed(event))).body.outcome).toBe('applied');
    expect(await subscriptionOf(user.userId)).toMatchObject({
      subscription: { plan: 'PARTNER', status: 'TRIALING' },
      entitlements: ['ad-free', 'partner-api'],
    });
  });

  it('acknowledges unknown event types once and ignores them', async () => {
    const delivery = signed({
      id: eventId(),
      object: 'event',
      type: 'charge.dispute.funds_reinstated',
      created: nowSeconds(),
      data: { object: { id: 'du_1' } },
    });
    expect(await postWebhook(webhookUrl, delivery)).toEqual({
      status: 200,
      body: { received: true, outcome: 'ignored' },
    });
    expect(await postWebhook(webhookUrl, delivery)).toEqual({
      status: 200,
      body: { received: true, outcome: 'duplicate' },
    });
  });

  it('answers 500 when the handler fails, leaving nothing half-written, so that the provider retries', async () => {
    const user = newUser();
    // Larger than a PostgreSQL integer: the invoice insert fails after the customer link was written.
    const event = invoiceEvent('invoice.paid', nowSeconds(), { ...user, status: 'active', total: 3_000_000_000 });
    const delivery = signed(event);
    expect(await postWebhook(webhookUrl, delivery)).toEqual({ status: 500, body: { error: 'internal error' } });
    expect(await postWebhook(webhookUrl, delivery)).toEqual({ status: 500, body: { error: 'internal error' } });
    expect(await sql(`select * from billing.webhook_event where provider_event_id = ?`, [event.id])).toEqual([]);
    expect(await sql(`select * from billing.billing_customer where user_id = ?`, [user.userId])).toEqual([]);
    expect(await sql(`select * from billing.customer_subscription where user_id = ?`, [user.userId])).toEqual([]);
    expect(await changesOf(user.userId)).toEqual([]);
    expect(subgraph.logLines().some((line) => line.msg === 'HTTP route failed')).toBe(true);
  });
});
