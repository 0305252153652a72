import { EntitySchema } from '@mikro-orm/core';

export const PLAN_CODES = ['FREE', 'PRO', 'PARTNER'] as const;
export type PlanCode = (typeof PLAN_CODES)[number];
export const SUBSCRIPTION_STATUSES = ['TRIALING', 'ACTIVE', 'PAST_DUE', 'CANCELED'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** A plan on offer; prices are integer minor units of an ISO 4217 currency. */
export interface Plan {
  code: PlanCode;
  name: string;
  priceMinor: number;
  currency: string;
  /** Self-service (`plans`, `subscribe`); unlisted plans (PARTNER) are agreed by contract and set by billing admins or the provider. */
  listed: boolean;
}

export const PlanSchema = new EntitySchema<Plan>({
  name: 'Plan',
  tableName: 'plan',
  properties: {
    code: { type: 'text', primary: true },
    name: { type: 'text' },
    priceMinor: { type: 'integer' },
    currency: { type: 'text' },
    listed: { type: 'boolean', default: true },
  },
});

/**
 * A user's subscription, as last reported by the payment provider; users without a row are on FREE.
 * `providerEventAt` is the provider's `created` time of the event last applied: with the status rank it
 * orders events, so that a late one never moves the subscription backwards.
 */
export interface CustomerSubscription {
  id: string;
  userId: string;
  planCode: PlanCode;
  status: SubscriptionStatus;
  providerSubscriptionId: string | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  providerEventAt: Date | null;
  /** `changedAt` of the last `SubscriptionChanged` published: strictly increasing per user. */
  changedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const CustomerSubscriptionSchema = new EntitySchema<CustomerSubscription>({
  name: 'CustomerSubscription',
  tableName: 'customer_subscription',
  properties: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'uuid', unique: 'customer_subscription_user_id_unique' },
    planCode: { type: 'text' },
    status: { type: 'text' },
    providerSubscriptionId: { type: 'text', nullable: true },
    currentPeriodStart: { type: 'Date', columnType: 'timestamptz', nullable: true },
    currentPeriodEnd: { type: 'Date', columnType: 'timestamptz', nullable: true },
    cancelAtPeriodEnd: { type: 'boolean', default: false },
    providerEventAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    changedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
  },
  // Partial (hand-written in a migration): many users have no provider subscription.
  uniques: [
    {
      name: 'customer_subscription_provider_subscription_id_unique',
      expression:
        'create unique index "customer_subscription_provider_subscription_id_unique" on "billing"."customer_subscription" ("provider_subscription_id") where "provider_subscription_id" is not null',
    },
  ],
});

/** The payment provider's customer of a user (Stripe customers also carry `metadata.userId`). */
export interface BillingCustomer {
  userId: string;
  providerCustomerId: string;
  createdAt: Date;
}

export const BillingCustomerSchema = new EntitySchema<BillingCustomer>({
  name: 'BillingCustomer',
  tableName: 'billing_customer',
  properties: {
    userId: { type: 'uuid', primary: true },
    providerCustomerId: { type: 'text', unique: 'billing_customer_provider_customer_id_unique' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
  },
});

/** `stale`: older than the state it would change (kept for audit, changed nothing). */
export type WebhookOutcome = 'applied' | 'stale' | 'ignored';

/**
 * A provider event received at `/webhooks/payments`, keyed by the provider's event id and written in
 * the transaction of its effect: a redelivered event finds its row and changes nothing.
 */
export interface WebhookEvent {
  providerEventId: string;
  type: string;
  providerCreatedAt: Date;
  outcome: WebhookOutcome;
  receivedAt: Date;
}

export const WebhookEventSchema = new EntitySchema<WebhookEvent>({
  name: 'WebhookEvent',
  tableName: 'webhook_event',
  properties: {
    providerEventId: { type: 'text', primary: true },
    type: { type: 'text' },
    providerCreatedAt: { type: 'Date', columnType: 'timestamptz' },
    outcome: { type: 'text' },
    receivedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});

/**
 * Objects of the local payment provider (used when no Stripe key is configured), in Stripe's shapes,
 * so that reconciliation has provider records to compare with in development too.
 */
export interface LocalProviderRecord {
  id: string;
  kind: 'customer' | 'subscription' | 'invoice';
  data: Record<string, unknown>;
  createdAt: Date;
}

export const LocalProviderRecordSchema = new EntitySchema<LocalProviderRecord>({
  name: 'LocalProviderRecord',
  tableName: 'local_provider_record',
  properties: {
    id: { type: 'text', primary: true },
    kind: { type: 'text' },
    data: { type: 'json' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
  },
  indexes: [{ name: 'local_provider_record_kind_idx', properties: ['kind', 'createdAt'] }],
});
