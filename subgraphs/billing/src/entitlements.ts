import type { PlanCode, SubscriptionStatus } from './billing.entity.js';

/**
 * What each plan grants. `premium-content` is the one other subgraphs act on today: content's post
 * policy reads the plan itself (`SubscriptionChanged` → its read model) and requires an ACTIVE PRO plan.
 */
export const PLAN_ENTITLEMENTS: Readonly<Record<PlanCode, readonly string[]>> = {
  FREE: [],
  PRO: ['ad-free', 'premium-content'],
  PARTNER: ['ad-free', 'partner-api'],
};

/** Statuses in which a plan grants its entitlements (a past-due or canceled plan grants nothing). */
const ENTITLING: ReadonlySet<SubscriptionStatus> = new Set(['TRIALING', 'ACTIVE']);

export function entitlementsOf(plan: PlanCode, status: SubscriptionStatus): string[] {
  return ENTITLING.has(status) ? [...PLAN_ENTITLEMENTS[plan]] : [];
}
