import { EntitySchema } from '@mikro-orm/core';

export type PlanCode = 'FREE' | 'PRO';
export type SubscriptionStatus = 'TRIALING' | 'ACTIVE' | 'PAST_DUE' | 'CANCELED';

export interface Plan {
  code: PlanCode;
  name: string;
  priceMinor: number;
  currency: string;
}

export const PlanSchema = new EntitySchema<Plan>({
  name: 'Plan',
  tableName: 'plan',
  properties: {
    code: { type: 'text', primary: true },
    name: { type: 'text' },
    priceMinor: { type: 'integer' },
    currency: { type: 'text' },
  },
});

/** A user's subscription; users without a row are on FREE. */
export interface CustomerSubscription {
  id: string;
  userId: string;
  planCode: PlanCode;
  status: SubscriptionStatus;
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
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
