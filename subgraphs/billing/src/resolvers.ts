import { DateTimeScalar, filterEvents, isId, type SubgraphContext } from '@supergraph/subgraph-kit';
import { BillingService } from './billing.service.js';
import { CustomerSubscriptionSchema, PlanSchema, type CustomerSubscription, type PlanCode } from './billing.entity.js';
import { SUBSCRIPTION_CHANGED_TOPIC, type SubscriptionChangedPayload } from './realtime.js';

const FREE = { plan: 'FREE', status: 'ACTIVE' } as const;

export const resolvers = {
  DateTime: DateTimeScalar,
  Mutation: {
    setSubscription: async (_: unknown, { userId, plan }: { userId: string; plan: PlanCode }, ctx: SubgraphContext) => {
      const row = await new BillingService(ctx.em).setSubscription(userId, plan);
      return { plan: row.planCode, status: row.status };
    },
  },
  Query: {
    plans: (_: unknown, __: unknown, ctx: SubgraphContext) =>
      ctx.em.find(PlanSchema, {}, { orderBy: { priceMinor: 'asc', code: 'asc' } }),
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
      resolve: (change: SubscriptionChangedPayload) => ({ plan: change.plan, status: change.status }),
    },
  },
  User: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    subscription: async (user: { id: string }, _: unknown, ctx: SubgraphContext) => {
      const loader = ctx.loaders.get<string, CustomerSubscription | null>('User.subscription', async (ids) => {
        const valid = ids.filter(isId);
        const rows = valid.length ? await ctx.em.find(CustomerSubscriptionSchema, { userId: { $in: valid } }) : [];
        const byUser = new Map(rows.map((row) => [row.userId, row]));
        return ids.map((id) => byUser.get(id) ?? null);
      });
      const row = await loader.load(user.id);
      return row ? { plan: row.planCode, status: row.status } : FREE;
    },
    invoices: (user: { id: string }, _: unknown, ctx: SubgraphContext) => new BillingService(ctx.em).invoices(user.id),
  },
};
