import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@supergraph/errors';
import { isId } from '@supergraph/subgraph-kit';
import {
  BillingCustomerSchema,
  CustomerSubscriptionSchema,
  PlanSchema,
  type CustomerSubscription,
  type Plan,
  type PlanCode,
} from './billing.entity.js';
import { BillingLedger } from './ledger.js';
import type { PaymentProvider, SubscriptionIntent } from './payment-provider.js';

export { SUBSCRIPTIONS_STREAM } from './ledger.js';

/** A plan that grants something now: subscribing again would charge twice. */
const isLive = (row: CustomerSubscription | null) =>
  row !== null && row.planCode !== 'FREE' && row.status !== 'CANCELED';

export class BillingService {
  constructor(private readonly em: EntityManager) {}

  /**
   * Starts a paid plan at the provider. Local state changes only when the provider's signed webhooks
   * arrive (`customer.subscription.created`, `invoice.paid`), through the one webhook pipeline.
   */
  async subscribe(provider: PaymentProvider, userId: string, planCode: PlanCode): Promise<SubscriptionIntent> {
    const plan = await this.paidPlan(planCode);
    const current = await this.em.findOne(CustomerSubscriptionSchema, { userId });
    if (isLive(current)) throw AppError.conflict('You already have a subscription; cancel it first', 'plan');
    const customerId = await this.ensureCustomer(provider, userId);
    // Same user, plan and local state → same key: double clicks and concurrent calls start one
    // subscription at the provider; after a cancellation the state, and so the key, differ.
    const state = current ? `${current.status}:${current.updatedAt.getTime()}` : 'none';
    const idempotencyKey = `subscribe:${userId}:${plan.code}:${state}`;
    return provider.createSubscription({ userId, customerId, plan, idempotencyKey });
  }

  /** Cancels the caller's subscription at the provider; `customer.subscription.deleted` then ends it here. */
  async cancel(provider: PaymentProvider, userId: string): Promise<CustomerSubscription> {
    const current = await this.em.findOne(CustomerSubscriptionSchema, { userId });
    if (!current || !isLive(current) || !current.providerSubscriptionId) {
      throw AppError.conflict('There is no subscription to cancel');
    }
    await provider.cancelSubscription(current.providerSubscriptionId);
    return current;
  }

  /**
   * Puts a user on a plan by hand (support, migrations; billing admins), without the provider:
   * ACTIVE, with an OPEN invoice for a paid plan, published as `SubscriptionChanged`. Provider
   * events newer than this still apply.
   */
  async setSubscription(userId: string, planCode: PlanCode): Promise<CustomerSubscription> {
    if (!isId(userId)) throw AppError.invalidField('userId', 'is not a user id');
    const plan = await this.em.findOne(PlanSchema, { code: planCode });
    if (!plan) throw AppError.invalidField('plan', 'is not a plan on offer');
    return this.em.transactional(async (tx) => {
      const ledger = new BillingLedger(tx);
      const row = await ledger.lockSubscription(userId.toLowerCase());
      const changed = row.planCode !== plan.code || row.status !== 'ACTIVE';
      row.planCode = plan.code;
      row.status = 'ACTIVE';
      row.updatedAt = new Date();
      if (plan.priceMinor > 0) await ledger.issueInvoice(row.userId, plan);
      if (changed) ledger.publish(row);
      return row;
    });
  }

  private async paidPlan(code: PlanCode): Promise<Plan> {
    const plan = await this.em.findOne(PlanSchema, { code });
    if (!plan || !plan.listed) throw AppError.invalidField('plan', 'is not a plan on offer');
    if (plan.priceMinor === 0) throw AppError.invalidField('plan', 'is free: cancel the subscription instead');
    return plan;
  }

  private async ensureCustomer(provider: PaymentProvider, userId: string): Promise<string> {
    const existing = await this.em.findOne(BillingCustomerSchema, { userId });
    if (existing) return existing.providerCustomerId;
    const created = await provider.createCustomer(userId);
    await new BillingLedger(this.em).linkCustomer(userId, created);
    // A concurrent call may have linked its own customer first: use the one recorded.
    const linked = await this.em.findOneOrFail(BillingCustomerSchema, { userId }, { refresh: true });
    return linked.providerCustomerId;
  }
}
