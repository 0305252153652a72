import type { EntityManager } from '@mikro-orm/postgresql';
import type { SubgraphContext } from '@supergraph/subgraph-kit';
import { GraphQLError } from 'graphql';
import type { Plan } from './billing.entity.js';
import type { ProviderInvoice, ProviderSubscription } from './provider-objects.js';

/** What `subscribe` returns: the provider-side intent the client completes (e.g. Stripe Elements). */
type Logger = SubgraphContext['logger'];

export interface SubscriptionIntent {
  readonly providerSubscriptionId: string;
  /** Secret of the first payment for the client to confirm; null when nothing is left to confirm. */
  readonly clientSecret: string | null;
}

/**
 * The payment provider, as billing needs it. Local state changes only through the provider's signed
 * webhooks (`/webhooks/payments`), never from these calls' answers, so that one path decides state.
 */
export interface PaymentProvider {
  readonly name: 'stripe' | 'local';
  /** A new provider customer carrying `metadata.userId`; returns its id. */
  createCustomer(userId: string): Promise<string>;
  /**
   * Starts a subscription. Calls with the same `idempotencyKey` (a retried or concurrent `subscribe` on
   * the same local state) return the first call's intent instead of starting another.
   */
  createSubscription(input: {
    userId: string;
    customerId: string;
    plan: Plan;
    idempotencyKey: string;
  }): Promise<SubscriptionIntent>;
  /** Cancels at once; the provider then sends `customer.subscription.deleted`. */
  cancelSubscription(providerSubscriptionId: string): Promise<void>;
  /** Every subscription (any status), for reconciliation. */
  listSubscriptions(): AsyncIterable<ProviderSubscription>;
  /** Every invoice, for reconciliation. */
  listInvoices(): AsyncIterable<ProviderInvoice>;
}

/** The provider of one request or job (the local provider keeps its records in the request's database). */
export type PaymentProviderFactory = (em: EntityManager, logger: Logger) => PaymentProvider;

/** The provider refused or failed; nothing changed locally (`PAYMENT_PROVIDER_ERROR`, registered). */
export class PaymentProviderError extends GraphQLError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { extensions: { code: 'PAYMENT_PROVIDER_ERROR' }, originalError: toError(options.cause) });
    this.name = 'PaymentProviderError';
  }
}

const toError = (cause: unknown): Error | undefined => (cause instanceof Error ? cause : undefined);
