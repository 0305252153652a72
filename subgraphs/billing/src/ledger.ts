import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent, uuidv7 } from '@supergraph/subgraph-kit';
import {
  BillingCustomerSchema,
  CustomerSubscriptionSchema,
  type CustomerSubscription,
  type SubscriptionStatus,
} from './billing.entity.js';
import { InvoiceSchema, type Invoice, type InvoiceStatus } from './invoice.entity.js';
import type { InvoiceState, SubscriptionState } from './provider-objects.js';

export const SUBSCRIPTIONS_STREAM = 'billing.subscriptions';

/**
 * Within one provider second, the later state of the lifecycle wins: Stripe's `created` has second
 * resolution and same-second events (created, paid, deleted) arrive in any order.
 */
export const STATUS_RANK: Record<SubscriptionStatus, number> = { TRIALING: 0, ACTIVE: 1, PAST_DUE: 2, CANCELED: 3 };
const INVOICE_RANK: Record<InvoiceStatus, number> = { OPEN: 0, PAID: 1, VOID: 1 };

export type ApplyOutcome = 'applied' | 'stale' | 'ignored';

export interface ApplyOptions {
  /** The provider's time of the fact (event `created`); orders facts about one subscription. */
  readonly at: Date;
  /** Reconciliation: the provider's current record wins whatever the order. Default false. */
  readonly force?: boolean;
}

/**
 * Applies provider facts to local state inside the caller's transaction: row locks on the user's
 * subscription serialise concurrent events, the provider time plus status rank keeps late events from
 * moving a subscription backwards, and every plan or status change records `SubscriptionChanged`.
 */
export class BillingLedger {
  constructor(private readonly em: EntityManager) {}

  private get schema(): string {
    return this.em.config.get('schema')!;
  }

  /** The user of a provider customer: the given one (recorded), else the recorded mapping. */
  async resolveUser(userId: string | null, providerCustomerId: string | null): Promise<string | null> {
    if (userId && providerCustomerId) await this.linkCustomer(userId, providerCustomerId);
    if (userId || !providerCustomerId) return userId;
    const customer = await this.em.findOne(BillingCustomerSchema, { providerCustomerId });
    return customer?.userId ?? null;
  }

  async linkCustomer(userId: string, providerCustomerId: string): Promise<void> {
    await this.em.execute(
      `insert into "${this.schema}"."billing_customer" (user_id, provider_customer_id, created_at) values (?, ?, now())
       on conflict do nothing`,
      [userId, providerCustomerId],
    );
  }

  /** The user's subscription row, created on FREE if missing, locked until the transaction ends. */
  async lockSubscription(userId: string): Promise<CustomerSubscription> {
    await this.em.execute(
      `insert into "${this.schema}"."customer_subscription"
         (id, user_id, plan_code, status, cancel_at_period_end, created_at, updated_at)
       values (?, ?, 'FREE', 'ACTIVE', false, now(), now()) on conflict (user_id) do nothing`,
      [uuidv7(), userId],
    );
    return this.em.findOneOrFail(
      CustomerSubscriptionSchema,
      { userId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
  }

  async applySubscription(state: SubscriptionState, options: ApplyOptions): Promise<ApplyOutcome> {
    const userId = await this.resolveUser(state.userId, state.providerCustomerId);
    if (!userId || state.status === null) return 'ignored';
    const row = await this.lockSubscription(userId);
    const sameSubscription =
      row.providerSubscriptionId === null || row.providerSubscriptionId === state.providerSubscriptionId;
    if (state.plan === null && row.planCode === 'FREE') return 'ignored';
    // The end of a subscription that was already replaced by a newer one changes nothing.
    if (!sameSubscription && state.status === 'CANCELED' && !options.force) return 'stale';
    if (!options.force && !isNewer(options.at, state.status, row)) {
      if (sameSubscription) this.fillGaps(row, state);
      return 'stale';
    }
    const plan = state.plan ?? row.planCode;
    const changed = row.planCode !== plan || row.status !== state.status;
    row.planCode = plan;
    row.status = state.status;
    row.providerSubscriptionId = state.providerSubscriptionId;
    row.currentPeriodStart = state.currentPeriodStart ?? row.currentPeriodStart;
    row.currentPeriodEnd = state.currentPeriodEnd ?? row.currentPeriodEnd;
    row.cancelAtPeriodEnd = state.cancelAtPeriodEnd;
    row.providerEventAt = latest(row.providerEventAt, options.at);
    row.updatedAt = new Date();
    if (changed) this.publish(row);
    return 'applied';
  }

  /**
   * Records the invoice (never moving it back from PAID or VOID) and its effect on the subscription:
   * a paid invoice of a paid plan means ACTIVE for its period; a failed payment means PAST_DUE.
   */
  async applyInvoice(
    state: InvoiceState,
    effect: 'ACTIVE' | 'PAST_DUE' | null,
    options: ApplyOptions,
  ): Promise<ApplyOutcome> {
    if (state.status === null) return 'ignored';
    const userId = await this.resolveUser(state.userId, state.providerCustomerId);
    if (!userId) return 'ignored';
    const invoice = await this.lockInvoice(userId, state);
    let outcome: ApplyOutcome = 'stale';
    if (options.force || INVOICE_RANK[state.status] >= INVOICE_RANK[invoice.status]) {
      Object.assign(invoice, {
        status: state.status,
        currency: state.currency,
        totalMinor: state.totalMinor,
        lines: state.lines,
        periodStart: state.periodStart,
        periodEnd: state.periodEnd,
      });
      outcome = 'applied';
    }
    if (effect && state.providerSubscriptionId && state.totalMinor > 0) {
      const subscriptionOutcome = await this.applySubscription(
        {
          providerSubscriptionId: state.providerSubscriptionId,
          providerCustomerId: state.providerCustomerId,
          userId,
          plan: state.plan,
          status: effect,
          currentPeriodStart: state.periodStart,
          currentPeriodEnd: state.periodEnd,
          cancelAtPeriodEnd: false,
        },
        options,
      );
      if (subscriptionOutcome === 'applied') outcome = 'applied';
    }
    return outcome;
  }

  /** An OPEN invoice issued here (manual plan changes), numbered from the same sequence. */
  async issueInvoice(userId: string, plan: { name: string; priceMinor: number; currency: string }): Promise<void> {
    const now = new Date();
    await this.em.execute(
      `insert into "${this.schema}"."invoice" (id, user_id, number, currency, total_minor, status, lines, issued_at)
       values (?, ?, 'INV-' || ? || '-' || lpad(nextval('"${this.schema}"."invoice_number_seq"')::text, 6, '0'),
               ?, ?, 'OPEN', ?::jsonb, ?)`,
      [
        uuidv7(),
        userId,
        String(now.getUTCFullYear()),
        plan.currency,
        plan.priceMinor,
        JSON.stringify([{ description: `${plan.name} plan, monthly`, amountMinor: plan.priceMinor }]),
        now,
      ],
    );
  }

  private async lockInvoice(userId: string, state: InvoiceState): Promise<Invoice> {
    const year = state.issuedAt.getUTCFullYear();
    await this.em.execute(
      `insert into "${this.schema}"."invoice"
         (id, user_id, number, currency, total_minor, status, lines, issued_at, provider_invoice_id, period_start, period_end)
       values (?, ?, 'INV-' || ? || '-' || lpad(nextval('"${this.schema}"."invoice_number_seq"')::text, 6, '0'),
               ?, ?, 'OPEN', ?::jsonb, ?, ?, ?, ?)
       on conflict (provider_invoice_id) do nothing`,
      [
        uuidv7(),
        userId,
        String(year),
        state.currency,
        state.totalMinor,
        JSON.stringify(state.lines),
        state.issuedAt,
        state.providerInvoiceId,
        state.periodStart,
        state.periodEnd,
      ],
    );
    return this.em.findOneOrFail(
      InvoiceSchema,
      { providerInvoiceId: state.providerInvoiceId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
  }

  /** A late event may still know what the row lacks (a period arriving after the status). */
  private fillGaps(row: CustomerSubscription, state: SubscriptionState): void {
    row.providerSubscriptionId ??= state.providerSubscriptionId;
    row.currentPeriodStart ??= state.currentPeriodStart;
    row.currentPeriodEnd ??= state.currentPeriodEnd;
  }

  /** Records `SubscriptionChanged` with a `changedAt` strictly after the previous one (consumers keep newer only). */
  publish(row: CustomerSubscription): void {
    const now = new Date();
    const changedAt =
      row.changedAt && row.changedAt.getTime() >= now.getTime() ? new Date(row.changedAt.getTime() + 1) : now;
    row.changedAt = changedAt;
    recordEvent(this.em, {
      stream: SUBSCRIPTIONS_STREAM,
      type: 'SubscriptionChanged',
      aggregateId: row.userId,
      payload: { userId: row.userId, plan: row.planCode, status: row.status, changedAt: changedAt.toISOString() },
    });
  }
}

function isNewer(at: Date, status: SubscriptionStatus, row: CustomerSubscription): boolean {
  if (row.providerEventAt === null) return true;
  const delta = at.getTime() - row.providerEventAt.getTime();
  return delta > 0 || (delta === 0 && STATUS_RANK[status] > STATUS_RANK[row.status]);
}

function latest(a: Date | null, b: Date): Date {
  return a && a.getTime() > b.getTime() ? a : b;
}
