import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '@supergraph/events';
import { isId, isTime, tableOf } from '@supergraph/subgraph-kit';
import { PlanEntitlementSchema } from './entitlement.entity.js';

interface SubscriptionChanged {
  userId: string;
  plan: string;
  status: string;
  changedAt: string;
}

/**
 * Keeps the plan read model, in the consumer's transaction (with its processed-event row); an older
 * change arriving late never overwrites a newer one. A malformed change is skipped: PostgreSQL would
 * reject it, and the event would be retried forever.
 */
export async function applySubscriptionChanged(event: DomainEvent, em: EntityManager): Promise<void> {
  if (event.type !== 'SubscriptionChanged') return;
  const change = event.payload as unknown as SubscriptionChanged;
  if (
    !isId(change.userId) ||
    typeof change.plan !== 'string' ||
    typeof change.status !== 'string' ||
    !isTime(change.changedAt)
  )
    return;
  const table = tableOf(em, 'plan_entitlement');
  await em.execute(
    `insert into ${table} (user_id, plan, status, changed_at) values (?, ?, ?, ?)
     on conflict (user_id) do update set plan = excluded.plan, status = excluded.status, changed_at = excluded.changed_at
     where ${table}.changed_at < excluded.changed_at`,
    [change.userId, change.plan, change.status, change.changedAt],
  );
}

/** The subject's plan for policy input (`subject.plan`), or null. */
export async function planOf(em: EntityManager, subject: string): Promise<{ code: string; status: string } | null> {
  const row = await em.findOne(PlanEntitlementSchema, { userId: subject.toLowerCase() });
  return row ? { code: row.plan, status: row.status } : null;
}
