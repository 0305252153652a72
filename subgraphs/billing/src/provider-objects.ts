import { isId } from '@supergraph/subgraph-kit';
import type Stripe from 'stripe';
import { PLAN_CODES, type PlanCode, type SubscriptionStatus } from './billing.entity.js';
import type { InvoiceLine, InvoiceStatus } from './invoice.entity.js';

/**
 * The parts of Stripe's objects billing reads. Stripe's own types satisfy them; the local provider
 * builds objects of these shapes, so both providers go through one mapping.
 */
export interface ProviderSubscription {
  readonly id: string;
  readonly object: 'subscription';
  readonly customer: Stripe.Subscription['customer'];
  readonly status: Stripe.Subscription.Status;
  readonly metadata: Stripe.Metadata;
  readonly cancel_at_period_end: boolean;
  readonly created: number;
  readonly items: {
    readonly data: readonly {
      readonly current_period_start: number;
      readonly current_period_end: number;
      readonly price: { readonly id: string; readonly lookup_key: string | null };
    }[];
  };
}

export interface ProviderInvoice {
  readonly id: string;
  readonly object: 'invoice';
  readonly customer: Stripe.Invoice['customer'];
  readonly status: Stripe.Invoice.Status | null;
  readonly currency: string;
  readonly total: number;
  readonly created: number;
  readonly parent: {
    readonly subscription_details: {
      readonly subscription: string | { readonly id: string };
      readonly metadata: Stripe.Metadata | null;
    } | null;
  } | null;
  readonly lines: {
    readonly data: readonly {
      readonly description: string | null;
      readonly amount: number;
      readonly period: { readonly start: number; readonly end: number };
    }[];
  };
}

/** What a provider subscription means here; `status` null: a state that changes nothing (e.g. `incomplete`). */
export interface SubscriptionState {
  readonly providerSubscriptionId: string;
  readonly providerCustomerId: string | null;
  readonly userId: string | null;
  readonly plan: PlanCode | null;
  readonly status: SubscriptionStatus | null;
  readonly currentPeriodStart: Date | null;
  readonly currentPeriodEnd: Date | null;
  readonly cancelAtPeriodEnd: boolean;
}

export interface InvoiceState {
  readonly providerInvoiceId: string;
  readonly providerCustomerId: string | null;
  readonly userId: string | null;
  readonly providerSubscriptionId: string | null;
  readonly plan: PlanCode | null;
  /** Null for drafts, which billing does not record. */
  readonly status: InvoiceStatus | null;
  readonly currency: string;
  readonly totalMinor: number;
  readonly lines: InvoiceLine[];
  readonly issuedAt: Date;
  readonly periodStart: Date | null;
  readonly periodEnd: Date | null;
}

const STATUS: Partial<Record<string, SubscriptionStatus>> = {
  trialing: 'TRIALING',
  active: 'ACTIVE',
  past_due: 'PAST_DUE',
  unpaid: 'PAST_DUE',
  paused: 'PAST_DUE',
  canceled: 'CANCELED',
  incomplete_expired: 'CANCELED',
};

const INVOICE_STATUS: Partial<Record<string, InvoiceStatus>> = {
  open: 'OPEN',
  uncollectible: 'OPEN',
  paid: 'PAID',
  void: 'VOID',
};

export const fromUnix = (seconds: number): Date => new Date(seconds * 1000);

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value == null ? null : typeof value === 'string' ? value : value.id;

/** `metadata.userId` when it is a user id (lower-cased), else null. */
export function userIdFrom(metadata: Stripe.Metadata | null | undefined): string | null {
  const value = metadata?.userId;
  return isId(value) ? value.toLowerCase() : null;
}

/** The plan: `metadata.plan`, else the price's lookup key (prices are looked up by plan code). */
export function planFrom(metadata: Stripe.Metadata | null | undefined, lookupKey?: string | null): PlanCode | null {
  const candidate = metadata?.plan ?? lookupKey ?? null;
  return (PLAN_CODES as readonly string[]).includes(candidate ?? '') ? (candidate as PlanCode) : null;
}

export function subscriptionState(subscription: ProviderSubscription): SubscriptionState {
  const item = subscription.items.data[0];
  return {
    providerSubscriptionId: subscription.id,
    providerCustomerId: idOf(subscription.customer),
    userId: userIdFrom(subscription.metadata),
    plan: planFrom(subscription.metadata, item?.price.lookup_key),
    status: STATUS[subscription.status] ?? null,
    currentPeriodStart: item ? fromUnix(item.current_period_start) : null,
    currentPeriodEnd: item ? fromUnix(item.current_period_end) : null,
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
  };
}

export function invoiceState(invoice: ProviderInvoice): InvoiceState {
  const details = invoice.parent?.subscription_details ?? null;
  const periods = invoice.lines.data.map((line) => line.period);
  return {
    providerInvoiceId: invoice.id,
    providerCustomerId: idOf(invoice.customer),
    userId: userIdFrom(details?.metadata),
    providerSubscriptionId: idOf(details?.subscription),
    plan: planFrom(details?.metadata),
    status: INVOICE_STATUS[invoice.status ?? ''] ?? null,
    currency: invoice.currency.toUpperCase(),
    totalMinor: invoice.total,
    lines: invoice.lines.data.map((line) => ({ description: line.description ?? '', amountMinor: line.amount })),
    issuedAt: fromUnix(invoice.created),
    periodStart: periods.length ? fromUnix(Math.min(...periods.map((p) => p.start))) : null,
    periodEnd: periods.length ? fromUnix(Math.max(...periods.map((p) => p.end))) : null,
  };
}
