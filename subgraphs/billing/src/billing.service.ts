import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '@supergraph/errors';
import { isId, recordEvent, uuidv7 } from '@supergraph/subgraph-kit';
import { CustomerSubscriptionSchema, PlanSchema, type CustomerSubscription, type PlanCode } from './billing.entity.js';
import { InvoiceSchema, type Invoice } from './invoice.entity.js';

export const SUBSCRIPTIONS_STREAM = 'billing.subscriptions';

export class BillingService {
  constructor(private readonly em: EntityManager) {}

  /**
   * Moves a user to `planCode` (active), issuing an invoice for a paid plan, and publishes
   * `SubscriptionChanged` with the change in one transaction.
   */
  async setSubscription(userId: string, planCode: PlanCode): Promise<CustomerSubscription> {
    if (!isId(userId)) throw AppError.invalidField('userId', 'is not a user id');
    const plan = await this.em.findOne(PlanSchema, { code: planCode });
    if (!plan) throw AppError.invalidField('plan', 'is not a plan on offer');
    const id = userId.toLowerCase();
    const now = new Date();
    let subscription = await this.em.findOne(CustomerSubscriptionSchema, { userId: id });
    if (!subscription) {
      subscription = this.em.create(CustomerSubscriptionSchema, {
        id: uuidv7(),
        userId: id,
        planCode: plan.code,
        status: 'ACTIVE',
        createdAt: now,
        updatedAt: now,
      });
    } else {
      subscription.planCode = plan.code;
      subscription.status = 'ACTIVE';
      subscription.updatedAt = now;
    }
    if (plan.priceMinor > 0) {
      const [{ n } = { n: '0' }] = await this.em
        .getConnection()
        .execute<{ n: string }[]>(`select count(*) as n from "${this.em.config.get('schema')}"."invoice"`);
      this.em.create(InvoiceSchema, {
        id: uuidv7(),
        userId: id,
        number: `INV-${now.getUTCFullYear()}-${String(Number(n) + 1).padStart(6, '0')}`,
        currency: plan.currency,
        totalMinor: plan.priceMinor,
        status: 'OPEN',
        lines: [{ description: `${plan.name} plan, monthly`, amountMinor: plan.priceMinor }],
        issuedAt: now,
      });
    }
    recordEvent(this.em, {
      stream: SUBSCRIPTIONS_STREAM,
      type: 'SubscriptionChanged',
      aggregateId: id,
      payload: { userId: id, plan: plan.code, status: 'ACTIVE', changedAt: now.toISOString() },
    });
    await this.em.flush();
    return subscription;
  }

  invoices(userId: string): Promise<Invoice[]> {
    return isId(userId)
      ? this.em.find(InvoiceSchema, { userId: userId.toLowerCase() }, { orderBy: { id: 'desc' } })
      : Promise.resolve([]);
  }
}
