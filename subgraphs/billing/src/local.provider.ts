import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidv7 } from '@supergraph/subgraph-kit';
import Stripe from 'stripe';
import type { Plan } from './billing.entity.js';
import { LocalProviderRecordSchema } from './billing.entity.js';
import { PaymentProviderError, type PaymentProvider, type SubscriptionIntent } from './payment-provider.js';
import type { ProviderInvoice, ProviderSubscription } from './provider-objects.js';

/** Hands a signed delivery to the webhook pipeline; resolves with the HTTP status it answered. */
export type WebhookDelivery = (payload: string, signature: string) => Promise<number>;

export interface LocalProviderOptions {
  /** The secret the webhook endpoint verifies with. */
  readonly webhookSecret: string;
  readonly deliver: WebhookDelivery;
  /** Logs failed deliveries. */
  readonly onDeliveryFailure?: (error: unknown, eventType: string) => void;
  /** Attempts per event (a provider retries 5xx). Default 5. */
  readonly attempts?: number;
}

const DAY_SECONDS = 86_400;

/** Intents by idempotency key, for this process's lifetime (local development only). */
const localIntents = new Map<string, Promise<SubscriptionIntent>>();

/**
 * The provider of local development, selected only when no Stripe key is configured. It keeps
 * Stripe-shaped records in billing's schema (so reconciliation works locally) and sends Stripe-format
 * events signed with `stripe.webhooks.generateTestHeaderString` through the same pipeline as
 * Stripe's deliveries, after the call returns, as a provider would.
 */
export class LocalPaymentProvider implements PaymentProvider {
  readonly name = 'local' as const;

  constructor(
    private readonly em: EntityManager,
    private readonly options: LocalProviderOptions,
  ) {}

  async createCustomer(userId: string): Promise<string> {
    const customer = { id: localId('cus'), object: 'customer', metadata: { userId }, created: nowSeconds() };
    await this.save('customer', customer);
    this.emit([['customer.created', customer]]);
    return customer.id;
  }

  createSubscription(input: {
    userId: string;
    customerId: string;
    plan: Plan;
    idempotencyKey: string;
  }): Promise<SubscriptionIntent> {
    // Like Stripe's idempotency keys, for the one process local development runs in.
    let intent = localIntents.get(input.idempotencyKey);
    if (!intent) {
      intent = this.startSubscription(input);
      localIntents.set(input.idempotencyKey, intent);
      intent.catch(() => localIntents.delete(input.idempotencyKey));
    }
    return intent;
  }

  private async startSubscription(input: {
    userId: string;
    customerId: string;
    plan: Plan;
  }): Promise<SubscriptionIntent> {
    const now = nowSeconds();
    const periodEnd = now + 30 * DAY_SECONDS;
    const subscription: ProviderSubscription = {
      id: localId('sub'),
      object: 'subscription',
      customer: input.customerId,
      status: 'active',
      metadata: { userId: input.userId, plan: input.plan.code },
      cancel_at_period_end: false,
      created: now,
      items: {
        data: [
          {
            current_period_start: now,
            current_period_end: periodEnd,
            price: { id: `price_local_${input.plan.code}`, lookup_key: input.plan.code },
          },
        ],
      },
    };
    const invoice: ProviderInvoice = {
      id: localId('in'),
      object: 'invoice',
      customer: input.customerId,
      status: 'paid',
      currency: input.plan.currency.toLowerCase(),
      total: input.plan.priceMinor,
      created: now,
      parent: { subscription_details: { subscription: subscription.id, metadata: subscription.metadata } },
      lines: {
        data: [
          {
            description: `${input.plan.name} plan, monthly`,
            amount: input.plan.priceMinor,
            period: { start: now, end: periodEnd },
          },
        ],
      },
    };
    await this.save('subscription', subscription);
    await this.save('invoice', invoice);
    this.emit([
      ['customer.subscription.created', subscription],
      ['invoice.paid', invoice],
    ]);
    // The local provider takes the payment itself: nothing is left for a client to confirm.
    return { providerSubscriptionId: subscription.id, clientSecret: null };
  }

  async cancelSubscription(providerSubscriptionId: string): Promise<void> {
    const record = await this.em.findOne(LocalProviderRecordSchema, {
      id: providerSubscriptionId,
      kind: 'subscription',
    });
    if (!record) throw new PaymentProviderError(`No such subscription: ${providerSubscriptionId}`);
    const canceled = { ...(record.data as unknown as ProviderSubscription), status: 'canceled' as const };
    await this.save('subscription', canceled);
    this.emit([['customer.subscription.deleted', canceled]]);
  }

  async *listSubscriptions(): AsyncIterable<ProviderSubscription> {
    for (const record of await this.records('subscription')) yield record as unknown as ProviderSubscription;
  }

  async *listInvoices(): AsyncIterable<ProviderInvoice> {
    for (const record of await this.records('invoice')) yield record as unknown as ProviderInvoice;
  }

  private async records(kind: 'subscription' | 'invoice'): Promise<Record<string, unknown>[]> {
    const rows = await this.em.find(LocalProviderRecordSchema, { kind }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return rows.map((row) => row.data);
  }

  private async save(kind: 'customer' | 'subscription' | 'invoice', data: { id: string }): Promise<void> {
    const schema = this.em.config.get('schema')!;
    await this.em.execute(
      `insert into "${schema}"."local_provider_record" (id, kind, data, created_at) values (?, ?, ?::jsonb, now())
       on conflict (id) do update set data = excluded.data`,
      [data.id, kind, JSON.stringify(data)],
    );
  }

  /** Sends events in order, each signed, retrying a failed delivery with backoff. */
  private emit(events: [type: string, object: object][]): void {
    const created = nowSeconds();
    void (async () => {
      for (const [type, object] of events) {
        const payload = JSON.stringify({
          id: localId('evt'),
          object: 'event',
          type,
          created,
          livemode: false,
          data: { object },
        });
        await this.send(payload, type);
      }
    })();
  }

  private async send(payload: string, type: string): Promise<void> {
    const attempts = this.options.attempts ?? 5;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: this.options.webhookSecret });
        const status = await this.options.deliver(payload, signature);
        if (status < 500) return;
        throw new Error(`webhook answered ${status}`);
      } catch (error) {
        if (attempt === attempts) return this.options.onDeliveryFailure?.(error, type);
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const localId = (prefix: string) => `${prefix}_local_${uuidv7().replaceAll('-', '')}`;
