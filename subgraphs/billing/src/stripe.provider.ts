import Stripe from 'stripe';
import type { PaymentProvider, SubscriptionIntent } from './payment-provider.js';
import { PaymentProviderError } from './payment-provider.js';
import type { Plan } from './billing.entity.js';
import type { ProviderInvoice, ProviderSubscription } from './provider-objects.js';

/**
 * The production provider: Stripe through its official SDK. Prices are found by lookup key = plan
 * code (`PRO`, `PARTNER`), so price ids stay in Stripe's dashboard, not in configuration.
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(secretKey: string, stripe?: Stripe) {
    this.stripe = stripe ?? new Stripe(secretKey, { maxNetworkRetries: 2, timeout: 10_000 });
  }

  createCustomer(userId: string): Promise<string> {
    return call('create the customer', async () => {
      const customer = await this.stripe.customers.create(
        { metadata: { userId } },
        // One customer per user even when the mutation is retried.
        { idempotencyKey: `customer:${userId}` },
      );
      return customer.id;
    });
  }

  createSubscription(input: {
    userId: string;
    customerId: string;
    plan: Plan;
    idempotencyKey: string;
  }): Promise<SubscriptionIntent> {
    return call('create the subscription', async () => {
      const prices = await this.stripe.prices.list({ lookup_keys: [input.plan.code], active: true, limit: 1 });
      const price = prices.data[0];
      if (!price) throw new Error(`no active Stripe price with lookup key ${input.plan.code}`);
      if (price.unit_amount !== input.plan.priceMinor || price.currency.toUpperCase() !== input.plan.currency) {
        throw new Error(`the Stripe price of ${input.plan.code} differs from the plan's price`);
      }
      const subscription = await this.stripe.subscriptions.create(
        {
          customer: input.customerId,
          items: [{ price: price.id }],
          metadata: { userId: input.userId, plan: input.plan.code },
          // The subscription waits for the first payment, which the client confirms with the secret.
          payment_behavior: 'default_incomplete',
          payment_settings: { save_default_payment_method: 'on_subscription' },
          expand: ['latest_invoice.confirmation_secret'],
        },
        // Stripe answers a repeated key (for 24 h) with the first request's subscription.
        { idempotencyKey: input.idempotencyKey },
      );
      const invoice = subscription.latest_invoice;
      const clientSecret =
        invoice && typeof invoice !== 'string' ? (invoice.confirmation_secret?.client_secret ?? null) : null;
      return { providerSubscriptionId: subscription.id, clientSecret };
    });
  }

  cancelSubscription(providerSubscriptionId: string): Promise<void> {
    return call('cancel the subscription', async () => {
      await this.stripe.subscriptions.cancel(providerSubscriptionId);
    });
  }

  listSubscriptions(): AsyncIterable<ProviderSubscription> {
    return this.stripe.subscriptions.list({ status: 'all', limit: 100 });
  }

  listInvoices(): AsyncIterable<ProviderInvoice> {
    return this.stripe.invoices.list({ limit: 100 });
  }
}

async function call<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new PaymentProviderError(`The payment provider could not ${what}; nothing was changed`, { cause: error });
  }
}
