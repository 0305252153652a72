import type { EntityManager } from '@mikro-orm/postgresql';
import { BillingCustomerSchema, CustomerSubscriptionSchema } from './billing.entity.js';
import { InvoiceSchema } from './invoice.entity.js';
import { BillingLedger } from './ledger.js';
import type { PaymentProvider } from './payment-provider.js';
import { invoiceState, subscriptionState, type SubscriptionState } from './provider-objects.js';

export interface Drift {
  readonly kind: 'subscription' | 'invoice';
  /** Provider id of the object (subscription or invoice). */
  readonly providerId: string;
  readonly userId: string | null;
  /** What differs: `missing`, `plan`, `status`, `currentPeriodEnd`, `totalMinor`, `unknownUser`, `missingAtProvider`. */
  readonly field: string;
  readonly local: unknown;
  readonly provider: unknown;
}

export interface ReconcileReport {
  readonly subscriptionsChecked: number;
  readonly invoicesChecked: number;
  readonly drift: readonly Drift[];
  /** Drift entries repaired (0 without `repair`). */
  readonly repaired: number;
}

/**
 * Compares local subscriptions and invoices with the provider's records (the provider is the source
 * of truth) and, with `repair`, makes local state match: through the same ledger as webhooks, so that
 * every plan or status change is published as `SubscriptionChanged`.
 */
export async function reconcile(
  em: EntityManager,
  provider: PaymentProvider,
  options: { repair: boolean },
): Promise<ReconcileReport> {
  const drift: Drift[] = [];
  let repaired = 0;
  const now = { at: new Date(), force: true };

  const current = new Map<string, { state: SubscriptionState; created: number }>();
  let subscriptionsChecked = 0;
  for await (const subscription of provider.listSubscriptions()) {
    subscriptionsChecked += 1;
    const state = subscriptionState(subscription);
    if (state.status === null) continue;
    const userId = state.userId ?? (await customerUser(em, state.providerCustomerId));
    if (!userId) {
      drift.push({
        kind: 'subscription',
        providerId: state.providerSubscriptionId,
        userId: null,
        field: 'unknownUser',
        local: null,
        provider: state.providerCustomerId,
      });
      continue;
    }
    // A user's current subscription is their newest one; older ones ended and were replaced.
    const seen = current.get(userId);
    if (!seen || subscription.created >= seen.created)
      current.set(userId, { state: { ...state, userId }, created: subscription.created });
  }

  for (const [userId, { state }] of current) {
    const local = await em.findOne(CustomerSubscriptionSchema, { userId }, { refresh: true });
    const differences = subscriptionDifferences(local, state);
    if (differences.length === 0) continue;
    drift.push(
      ...differences.map((difference) => ({
        kind: 'subscription' as const,
        providerId: state.providerSubscriptionId,
        userId,
        ...difference,
      })),
    );
    if (options.repair) {
      await em.transactional((tx) => new BillingLedger(tx).applySubscription(state, now));
      repaired += differences.length;
    }
  }

  const known = new Set([...current.values()].map(({ state }) => state.providerSubscriptionId));
  const orphans = await em.find(CustomerSubscriptionSchema, {
    providerSubscriptionId: known.size ? { $ne: null, $nin: [...known] } : { $ne: null },
    status: { $ne: 'CANCELED' },
  });
  for (const orphan of orphans) {
    drift.push({
      kind: 'subscription',
      providerId: orphan.providerSubscriptionId!,
      userId: orphan.userId,
      field: 'missingAtProvider',
      local: orphan.status,
      provider: null,
    });
    if (options.repair) {
      await em.transactional(async (tx) => {
        const ledger = new BillingLedger(tx);
        const row = await ledger.lockSubscription(orphan.userId);
        row.status = 'CANCELED';
        row.updatedAt = new Date();
        ledger.publish(row);
      });
      repaired += 1;
    }
  }

  let invoicesChecked = 0;
  for await (const invoice of provider.listInvoices()) {
    invoicesChecked += 1;
    const state = invoiceState(invoice);
    if (state.status === null) continue;
    const local = await em.findOne(InvoiceSchema, { providerInvoiceId: state.providerInvoiceId }, { refresh: true });
    const differences: Pick<Drift, 'field' | 'local' | 'provider'>[] = !local
      ? [{ field: 'missing', local: null, provider: state.status }]
      : [
          ...(local.status !== state.status ? [{ field: 'status', local: local.status, provider: state.status }] : []),
          ...(local.totalMinor !== state.totalMinor
            ? [{ field: 'totalMinor', local: local.totalMinor, provider: state.totalMinor }]
            : []),
        ];
    if (differences.length === 0) continue;
    drift.push(
      ...differences.map((d) => ({
        kind: 'invoice' as const,
        providerId: state.providerInvoiceId,
        userId: local?.userId ?? state.userId,
        ...d,
      })),
    );
    if (options.repair) {
      const outcome = await em.transactional((tx) => new BillingLedger(tx).applyInvoice(state, null, now));
      if (outcome === 'applied') repaired += differences.length;
    }
  }
  return { subscriptionsChecked, invoicesChecked, drift, repaired };
}

async function customerUser(em: EntityManager, providerCustomerId: string | null): Promise<string | null> {
  if (!providerCustomerId) return null;
  return (await em.findOne(BillingCustomerSchema, { providerCustomerId }))?.userId ?? null;
}

function subscriptionDifferences(
  local: {
    planCode: string;
    status: string;
    currentPeriodEnd: Date | null;
    providerSubscriptionId: string | null;
  } | null,
  state: SubscriptionState,
): Pick<Drift, 'field' | 'local' | 'provider'>[] {
  if (!local || local.providerSubscriptionId === null)
    return [{ field: 'missing', local: null, provider: state.status }];
  const out: Pick<Drift, 'field' | 'local' | 'provider'>[] = [];
  if (state.plan !== null && local.planCode !== state.plan)
    out.push({ field: 'plan', local: local.planCode, provider: state.plan });
  if (local.status !== state.status) out.push({ field: 'status', local: local.status, provider: state.status });
  const localEnd = local.currentPeriodEnd?.toISOString() ?? null;
  const providerEnd = state.currentPeriodEnd?.toISOString() ?? null;
  if (localEnd !== providerEnd) out.push({ field: 'currentPeriodEnd', local: localEnd, provider: providerEnd });
  if (local.providerSubscriptionId !== state.providerSubscriptionId) {
    out.push({
      field: 'providerSubscriptionId',
      local: local.providerSubscriptionId,
      provider: state.providerSubscriptionId,
    });
  }
  return out;
}
