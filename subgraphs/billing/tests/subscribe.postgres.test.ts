/**
 * subscribe / cancelSubscription through the local payment provider (no Stripe key configured): its
 * Stripe-format events are signed with the SDK and go through the webhook pipeline; invoices are for
 * their owner and billing admins only; reconciliation finds and repairs drift.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, LOCAL_WEBHOOK_SECRET, reconcile, type PaymentProvider } from '@supergraph/billing';
import { eventually, graphql, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';
import { LocalPaymentProvider } from '../src/local.provider.js';

let subgraph: TestSubgraph;
let alice: string;
beforeAll(async () => {
  subgraph = await startTestSubgraph(createServer, {
    extra: {
      billing: {
        config: { stripeSecretKey: undefined, webhookSecret: LOCAL_WEBHOOK_SECRET, webhookToleranceSeconds: 300 },
      },
    },
  });
  alice = subgraph.issuer.subjectOf('alice');
});
afterAll(() => subgraph?.stop());

const as = async (username: string) => ({ authorization: `Bearer ${await subgraph.token(username)}` });
const sql = <T>(query: string, params: unknown[] = []) =>
  subgraph.server.orm.em.fork().getConnection().execute<T[]>(query, params);

const BILLING_OF =
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { subscription { plan status cancelAtPeriodEnd } entitlements invoices { number totalMinor currency status lines { description amountMinor } } } } }';
async function billingOf(userId: string, username = 'alice') {
  const { body } = await graphql(
    subgraph.url,
    BILLING_OF,
    { r: [{ __typename: 'User', id: userId }] },
    await as(username),
  );
  return body;
}

const PAID_INVOICE = {
  number: expect.stringMatching(/^INV-\d{4}-\d{6}$/),
  totalMinor: 900,
  currency: 'USD',
  status: 'PAID',
  lines: [{ description: 'Pro plan, monthly', amountMinor: 900 }],
};

describe('subscribe and cancelSubscription (local provider)', () => {
  it('subscribes through signed provider events, refuses a second subscription, and cancels', async () => {
    const { body } = await graphql(
      subgraph.url,
      'mutation { subscribe(plan: PRO) { plan providerSubscriptionId clientSecret } }',
      {},
      await as('alice'),
    );
    expect(body).toEqual({
      data: {
        subscribe: { plan: 'PRO', providerSubscriptionId: expect.stringMatching(/^sub_local_/), clientSecret: null },
      },
    });
    await eventually(async () =>
      expect(await billingOf(alice)).toEqual({
        data: {
          _entities: [
            {
              subscription: { plan: 'PRO', status: 'ACTIVE', cancelAtPeriodEnd: false },
              entitlements: ['ad-free', 'premium-content'],
              invoices: [PAID_INVOICE],
            },
          ],
        },
      }),
    );
    // The effect came through the webhook pipeline: the provider's events are stored by id.
    expect(
      (await sql<{ type: string }>(`select type from billing.webhook_event order by received_at, type`))
        .map((r) => r.type)
        .sort(),
    ).toEqual(['customer.created', 'customer.subscription.created', 'invoice.paid']);

    const again = await graphql(subgraph.url, 'mutation { subscribe(plan: PRO) { plan } }', {}, await as('alice'));
    expect(again.body).toEqual({
      data: null,
      errors: [
        {
          message: 'You already have a subscription; cancel it first',
          locations: [{ line: 1, column: 12 }],
          path: ['subscribe'],
          extensions: { code: 'CONFLICT', field: 'plan' },
        },
      ],
    });

    const cancel = await graphql(
      subgraph.url,
      'mutation { cancelSubscription { plan status } }',
      {},
      await as('alice'),
    );
    expect(cancel.body).toEqual({ data: { cancelSubscription: { plan: 'PRO', status: 'ACTIVE' } } });
    await eventually(async () =>
      expect(await billingOf(alice)).toEqual({
        data: {
          _entities: [
            {
              subscription: { plan: 'PRO', status: 'CANCELED', cancelAtPeriodEnd: false },
              entitlements: [],
              invoices: [PAID_INVOICE],
            },
          ],
        },
      }),
    );
    const changes = await sql<{ payload: { plan: string; status: string } }>(
      `select payload from billing.outbox_event where type = 'SubscriptionChanged' and aggregate_id = ? order by id`,
      [alice],
    );
    expect(changes.map((row) => `${row.payload.plan}/${row.payload.status}`)).toEqual(['PRO/ACTIVE', 'PRO/CANCELED']);

    const nothingLeft = await graphql(subgraph.url, 'mutation { cancelSubscription { plan } }', {}, await as('alice'));
    expect(nothingLeft.body.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT' });
  });

  it('refuses FREE, unknown plans and anonymous callers', async () => {
    const free = await graphql(subgraph.url, 'mutation { subscribe(plan: FREE) { plan } }', {}, await as('bob'));
    expect(free.body.errors?.[0]).toEqual({
      message: 'Invalid value for plan: is free: cancel the subscription instead',
      locations: [{ line: 1, column: 12 }],
      path: ['subscribe'],
      extensions: {
        code: 'BAD_USER_INPUT',
        field: 'plan',
        problems: [{ field: 'plan', message: 'is free: cancel the subscription instead' }],
      },
    });
    const partner = await graphql(subgraph.url, 'mutation { subscribe(plan: PARTNER) { plan } }', {}, await as('bob'));
    expect(partner.body.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'plan',
      problems: [{ field: 'plan', message: 'is not a plan on offer' }],
    });
    const anonymous = await graphql(subgraph.url, 'mutation { subscribe(plan: PRO) { plan } }');
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });

  it('shows invoices to their owner and billing admins only (policy supergraph/billing/invoice)', async () => {
    await eventually(async () => expect((await billingOf(alice)).data).toBeTruthy());
    const own = await billingOf(alice, 'alice');
    expect(await billingOf(alice, 'billing')).toEqual(own);
    expect(await billingOf(alice, 'bob')).toEqual({
      data: {
        _entities: [
          {
            subscription: { plan: 'PRO', status: 'CANCELED', cancelAtPeriodEnd: false },
            entitlements: [],
            invoices: null,
          },
        ],
      },
      errors: [
        {
          message: 'Forbidden',
          locations: [{ line: 1, column: 130 }],
          path: ['_entities', 0, 'invoices'],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });
  });

  it('shows payment details (the provider customer) to their owner and billing admins only', async () => {
    const query =
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { paymentAccount { customerId } } } }';
    const read = async (username: string) =>
      (await graphql(subgraph.url, query, { r: [{ __typename: 'User', id: alice }] }, await as(username))).body;
    const own = await read('alice');
    expect(own).toEqual({
      data: { _entities: [{ paymentAccount: { customerId: expect.stringMatching(/^cus_local_/) } }] },
    });
    expect(await read('billing')).toEqual(own);
    expect(await read('bob')).toEqual({
      data: { _entities: [{ paymentAccount: null }] },
      errors: [
        {
          message: 'Forbidden',
          locations: [{ line: 1, column: 70 }],
          path: ['_entities', 0, 'paymentAccount'],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });
  });

  it('resolves subscriptions, entitlements, invoices and payment accounts of N users with one query each', async () => {
    const users = [alice, subgraph.issuer.subjectOf('bob'), '01900000-0000-7000-8000-000000000001'];
    const before = subgraph.server.stats.sqlQueries;
    const { body } = await graphql<{ _entities: unknown[] }>(
      subgraph.url,
      BILLING_OF.replace('entitlements', 'entitlements paymentAccount { customerId }'),
      { r: users.map((id) => ({ __typename: 'User', id })) },
      await as('billing'),
    );
    expect(body.data?._entities).toHaveLength(3);
    expect(subgraph.server.stats.sqlQueries - before).toBe(3);
  });
});

describe('reconcile', () => {
  const providerFor = () => {
    const em = subgraph.server.orm.em.fork();
    const provider: PaymentProvider = new LocalPaymentProvider(em, {
      webhookSecret: LOCAL_WEBHOOK_SECRET,
      deliver: async () => 200, // reconciliation only reads the provider's records
    });
    return { em, provider };
  };

  it('reports drift between local state and the provider records, repairs it, and then finds none', async () => {
    const [row] = await sql<{ provider_subscription_id: string }>(
      `select provider_subscription_id from billing.customer_subscription where user_id = ?`,
      [alice],
    );
    // Drift: a lost cancellation webhook, and a lost invoice.
    await sql(`update billing.customer_subscription set status = 'ACTIVE' where user_id = ?`, [alice]);
    const [invoice] = await sql<{ provider_invoice_id: string }>(
      `delete from billing.invoice where user_id = ? returning provider_invoice_id`,
      [alice],
    );

    const { em, provider } = providerFor();
    const report = await reconcile(em, provider, { repair: false });
    expect(report).toEqual({
      subscriptionsChecked: 1,
      invoicesChecked: 1,
      drift: [
        {
          kind: 'subscription',
          providerId: row!.provider_subscription_id,
          userId: alice,
          field: 'status',
          local: 'ACTIVE',
          provider: 'CANCELED',
        },
        {
          kind: 'invoice',
          providerId: invoice!.provider_invoice_id,
          userId: alice,
          field: 'missing',
          local: null,
          provider: 'PAID',
        },
      ],
      repaired: 0,
    });
    const before = await sql(`select count(*)::int as n from billing.outbox_event where aggregate_id = ?`, [alice]);

    expect(await reconcile(subgraph.server.orm.em.fork(), provider, { repair: true })).toEqual({
      ...report,
      repaired: 2,
    });
    expect(await billingOf(alice)).toEqual({
      data: {
        _entities: [
          {
            subscription: { plan: 'PRO', status: 'CANCELED', cancelAtPeriodEnd: false },
            entitlements: [],
            invoices: [PAID_INVOICE],
          },
        ],
      },
    });
    // The repaired status is published like any other change.
    const after = await sql(`select count(*)::int as n from billing.outbox_event where aggregate_id = ?`, [alice]);
    expect((after[0] as { n: number }).n - (before[0] as { n: number }).n).toBe(1);

    expect(await reconcile(subgraph.server.orm.em.fork(), provider, { repair: false })).toEqual({
      subscriptionsChecked: 1,
      invoicesChecked: 1,
      drift: [],
      repaired: 0,
    });
  });
});

// Last: it starts a provider subscription, which the reconciliation above does not expect.
describe('idempotent subscribe', () => {
  it('starts one provider subscription when the same subscribe arrives several times at once', async () => {
    const subject = randomUUID();
    const headers = { authorization: `Bearer ${await subgraph.issuer.mintToken('bob', undefined, { sub: subject })}` };
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        graphql(subgraph.url, 'mutation { subscribe(plan: PRO) { providerSubscriptionId } }', {}, headers),
      ),
    );
    const ids = answers.map(({ body }) => (body.data as { subscribe: { providerSubscriptionId: string } }).subscribe);
    expect(new Set(ids.map((intent) => intent.providerSubscriptionId)).size).toBe(1);
    const started = await sql<{ count: string }>(
      `select count(*) from billing.local_provider_record where kind = 'subscription' and data->'metadata'->>'userId' = ?`,
      [subject],
    );
    expect(Number(started[0]!.count)).toBe(1);
  });
});
