import { EntitySchema } from '@mikro-orm/core';

/** The read model of users' plans, fed by billing's SubscriptionChanged events (for premium posts). */
export interface PlanEntitlement {
  userId: string;
  plan: string;
  status: string;
  changedAt: Date;
}

export const PlanEntitlementSchema = new EntitySchema<PlanEntitlement>({
  name: 'PlanEntitlement',
  tableName: 'plan_entitlement',
  properties: {
    userId: { type: 'uuid', primary: true },
    plan: { type: 'text' },
    status: { type: 'text' },
    changedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
