import {
  createSubgraphServer,
  defineSubgraph,
  loadTypeDefs,
  type SubgraphDefinition,
  type SubgraphDeps,
  type SubgraphServer,
} from '@supergraph/subgraph-kit';
import {
  BillingCustomerSchema,
  CustomerSubscriptionSchema,
  LocalProviderRecordSchema,
  PlanSchema,
  WebhookEventSchema,
} from './billing.entity.js';
import { loadBillingConfig, type BillingConfig } from './config.js';
import { InvoiceSchema } from './invoice.entity.js';
import { LocalPaymentProvider } from './local.provider.js';
import { migrations } from './migrations/index.js';
import type { PaymentProviderFactory } from './payment-provider.js';
import { subscriptionChangedPublisher } from './realtime.js';
import { createResolvers } from './resolvers.js';
import { StripePaymentProvider } from './stripe.provider.js';
import { WEBHOOK_PATH, WebhookProcessor } from './webhook.processor.js';

export interface BillingOptions {
  /** Default: read from the environment (`STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET`, …). */
  readonly config?: BillingConfig;
  /** Replaces the provider chosen from the configuration (e.g. a Stripe client against a mock server). */
  readonly provider?: PaymentProviderFactory;
}

/**
 * The payment provider: Stripe when a secret key is configured, otherwise the local provider, whose
 * signed events go through the same webhook pipeline as Stripe's.
 */
export function paymentProviderFor(config: BillingConfig, webhooks: WebhookProcessor): PaymentProviderFactory {
  if (config.stripeSecretKey) {
    const stripe = new StripePaymentProvider(config.stripeSecretKey);
    return () => stripe;
  }
  return (em, logger) =>
    new LocalPaymentProvider(em, {
      webhookSecret: config.webhookSecret,
      deliver: async (payload, signature) =>
        (await webhooks.handle(em.fork(), Buffer.from(payload), signature, logger)).status,
      onDeliveryFailure: (error, type) => logger.error({ err: error, type }, 'local provider: webhook delivery failed'),
    });
}

/** The billing subgraph with its payment provider and webhook endpoint (`POST /webhooks/payments`). */
export function createBillingSubgraph(options: BillingOptions = {}): SubgraphDefinition {
  const config = options.config ?? loadBillingConfig();
  const webhooks = new WebhookProcessor({
    secret: config.webhookSecret,
    toleranceSeconds: config.webhookToleranceSeconds,
  });
  const provider = options.provider ?? paymentProviderFor(config, webhooks);
  return defineSubgraph({
    name: 'billing',
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers(provider),
    entities: [
      PlanSchema,
      CustomerSubscriptionSchema,
      InvoiceSchema,
      BillingCustomerSchema,
      WebhookEventSchema,
      LocalProviderRecordSchema,
    ],
    migrations,
    consumers: [subscriptionChangedPublisher],
    // Invoices belong to the user they are listed under.
    policyResources: { User: (user: { id: string }) => ({ ownerId: user.id }) },
    httpRoutes: [
      {
        method: 'POST',
        path: WEBHOOK_PATH,
        handle: ({ em, rawBody, headers, logger }) =>
          webhooks.handle(em, rawBody, headerValue(headers['stripe-signature']), logger),
      },
    ],
  });
}

const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** The billing subgraph server; `src/index.ts` boots it from the environment. */
export const createServer = (deps: SubgraphDeps & { billing?: BillingOptions }): Promise<SubgraphServer> =>
  createSubgraphServer(createBillingSubgraph(deps.billing), deps);

export { WEBHOOK_PATH } from './webhook.processor.js';
export { reconcile, type ReconcileReport, type Drift } from './reconcile.js';
export { LOCAL_WEBHOOK_SECRET, loadBillingConfig, type BillingConfig } from './config.js';
export type { PaymentProvider, PaymentProviderFactory } from './payment-provider.js';
