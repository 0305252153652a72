import { DateTimeScalar, filterEvents, isId, type SubgraphContext } from '@supergraph/subgraph-kit';
import { AppError } from '@supergraph/errors';
import { BillingService } from './billing.service.js';
import {
  BillingCustomerSchema,
  CustomerSubscriptionSchema,
  PlanSchema,
  type BillingCustomer,
  type CustomerSubscription,
  type PlanCode,
} from './billing.entity.js';
import { entitlementsOf } from './entitlements.js';
import { InvoiceSchema, type Invoice } from './invoice.entity.js';
import type { PaymentProviderFactory } from './payment-provider.js';
import { SUBSCRIPTION_CHANGED_TOPIC, type SubscriptionChangedPayload } from './realtime.js';

interface SubscriptionView {
  plan: PlanCode;
  status: CustomerSubscription['status'];
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
}

const FREE: SubscriptionView = {
  plan: 'FREE',
  status: 'ACTIVE',
  currentPeriodStart: null,
  currentPeriodEnd: null,
  cancelAtPeriodEnd: false,
};

const view = (row: CustomerSubscription | null): SubscriptionView =>
  row
    ? {
        plan: row.planCode,
        status: row.status,
        currentPeriodStart: row.currentPeriodStart,
        currentPeriodEnd: row.currentPeriodEnd,
        cancelAtPeriodEnd: row.cancelAtPeriodEnd,
      }
    : FREE;

/** The users' subscriptions of one request in one query, whatever the number of parents. */
const subscriptionOf = (ctx: SubgraphContext, userId: string) =>
  ctx.loaders
    .get<string, CustomerSubscription | null>('User.subscription', async (ids) => {
      const valid = ids.filter(isId).map((id) => id.toLowerCase());
      const rows = valid.length ? await ctx.em.find(CustomerSubscriptionSchema, { userId: { $in: valid } }) : [];
      const byUser = new Map(rows.map((row) => [row.userId, row]));
      return ids.map((id) => byUser.get(id.toLowerCase()) ?? null);
    })
    .load(userId);

const invoicesOf = (ctx: SubgraphContext, userId: string) =>
  ctx.loaders
    .get<string, Invoice[]>('User.invoices', async (ids) => {
      const valid = ids.filter(isId).map((id) => id.toLowerCase());
      const rows = valid.length
        ? await ctx.em.find(InvoiceSchema, { userId: { $in: valid } }, { orderBy: { issuedAt: 'desc', id: 'desc' } })
        : [];
      return ids.map((id) => rows.filter((row) => row.userId === id.toLowerCase()));
    })
    .load(userId);

const paymentAccountOf = (ctx: SubgraphContext, userId: string) =>
  ctx.loaders
    .get<string, BillingCustomer | null>('User.paymentAccount', async (ids) => {
      const valid = ids.filter(isId).map((id) => id.toLowerCase());
      const rows = valid.length ? await ctx.em.find(BillingCustomerSchema, { userId: { $in: valid } }) : [];
      const byUser = new Map(rows.map((row) => [row.userId, row]));
      return ids.map((id) => byUser.get(id.toLowerCase()) ?? null);
    })
    .load(userId);

const caller = (ctx: SubgraphContext): string => {
  const subject = ctx.identity?.subject.toLowerCase();
  // @authenticated guarantees an identity; a subject that is not a user id (a service account) has no plan.
  if (!subject || !isId(subject)) throw AppError.forbidden('Only users have subscriptions');
  return subject;
};

export function createResolvers(provider: PaymentProviderFactory) {
  return {
    DateTime: DateTimeScalar,
    Mutation: {
      setSubscription: async (_: unknown, args: { userId: string; plan: PlanCode }, ctx: SubgraphContext) =>
        view(await new BillingService(ctx.em).setSubscription(args.userId, args.plan)),
      subscribe: async (_: unknown, { plan }: { plan: PlanCode }, ctx: SubgraphContext) => {
        const userId = caller(ctx);
        const intent = await new BillingService(ctx.em).subscribe(provider(ctx.em, ctx.logger), userId, plan);
        return { plan, ...intent };
      },
      cancelSubscription: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
        const userId = caller(ctx);
        return view(await new BillingService(ctx.em).cancel(provider(ctx.em, ctx.logger), userId));
      },
    },
    Query: {
      plans: (_: unknown, __: unknown, ctx: SubgraphContext) =>
        ctx.em.find(PlanSchema, { listed: true }, { orderBy: { priceMinor: 'asc', code: 'asc' } }),
    },
    Subscription: {
      mySubscriptionChanged: {
        subscribe: (_: unknown, __: unknown, ctx: SubgraphContext) => {
          // @authenticated guarantees an identity here.
          const subject = ctx.identity!.subject.toLowerCase();
          return filterEvents<SubscriptionChangedPayload>(
            ctx.realtime.subscribe(SUBSCRIPTION_CHANGED_TOPIC),
            (change) => change.userId === subject,
          );
        },
        resolve: (change: SubscriptionChangedPayload) => ({
          ...FREE,
          plan: change.plan,
          status: change.status,
        }),
      },
    },
    User: {
      __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
      subscription: async (user: { id: string }, _: unknown, ctx: SubgraphContext) =>
        view(await subscriptionOf(ctx, user.id)),
      entitlements: async (user: { id: string }, _: unknown, ctx: SubgraphContext) => {
        const { plan, status } = view(await subscriptionOf(ctx, user.id));
        return entitlementsOf(plan, status);
      },
      invoices: (user: { id: string }, _: unknown, ctx: SubgraphContext) => invoicesOf(ctx, user.id),
      paymentAccount: async (user: { id: string }, _: unknown, ctx: SubgraphContext) => {
        const customer = await paymentAccountOf(ctx, user.id);
        return customer ? { customerId: customer.providerCustomerId, since: customer.createdAt } : null;
      },
    },
  };
}
