import Stripe from 'stripe';

/** Stripe-format events and signatures for tests: signed with the SDK's own test-header helper. */
export const WEBHOOK_SECRET = 'whsec_billing_tests';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

let sequence = 0;
export const eventId = () => `evt_test_${Date.now()}_${(sequence += 1)}`;

export function signed(
  event: object | string,
  options: { secret?: string; timestamp?: number } = {},
): { payload: string; signature: string } {
  const payload = typeof event === 'string' ? event : JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? WEBHOOK_SECRET,
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
  });
  return { payload, signature };
}

export async function postWebhook(url: string, delivery: { payload: string; signature?: string }) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(delivery.signature ? { 'stripe-signature': delivery.signature } : {}),
    },
    body: delivery.payload,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export interface SubscriptionFacts {
  readonly userId: string;
  readonly subscriptionId: string;
  readonly customerId: string;
  readonly status: string;
  readonly plan?: string;
  readonly periodStart?: number;
  readonly periodEnd?: number;
}

export function subscriptionEvent(type: string, created: number, facts: SubscriptionFacts, id = eventId()) {
  const start = facts.periodStart ?? 1_790_000_000;
  return {
    id,
    object: 'event',
    type,
    created,
    livemode: false,
    data: {
      object: {
        id: facts.subscriptionId,
        object: 'subscription',
        customer: facts.customerId,
        status: facts.status,
        metadata: { userId: facts.userId, plan: facts.plan ?? 'PRO' },
        cancel_at_period_end: false,
        created,
        items: {
          object: 'list',
          data: [
            {
              id: `si_${facts.subscriptionId}`,
              current_period_start: start,
              current_period_end: facts.periodEnd ?? start + 30 * 86_400,
              price: { id: 'price_pro', lookup_key: facts.plan ?? 'PRO', unit_amount: 900, currency: 'usd' },
            },
          ],
        },
      },
    },
  };
}

export function invoiceEvent(
  type: string,
  created: number,
  facts: SubscriptionFacts & { invoiceId: string; total?: number; invoiceStatus?: string },
  id = eventId(),
) {
  const start = facts.periodStart ?? 1_790_000_000;
  const total = facts.total ?? 900;
  return {
    id,
    object: 'event',
    type,
    created,
    livemode: false,
    data: {
      object: {
        id: facts.invoiceId,
        object: 'invoice',
        customer: facts.customerId,
        status: facts.invoiceStatus ?? 'paid',
        currency: 'usd',
        total,
        created,
        parent: {
          type: 'subscription_details',
          subscription_details: {
            subscription: facts.subscriptionId,
            metadata: { userId: facts.userId, plan: facts.plan ?? 'PRO' },
          },
        },
        lines: {
          object: 'list',
          data: [
            {
              description: '1 × Pro (at $9.00 / month)',
              amount: total,
              period: { start, end: facts.periodEnd ?? start + 30 * 86_400 },
            },
          ],
        },
      },
    },
  };
}
