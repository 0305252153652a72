import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '@supergraph/events';
import { PlanEntitlementSchema } from './entitlement.entity.js';

interface SubscriptionChanged {
  userId: string;
  plan: string;
  status: string;
  changedAt: string;
}

/** Keeps the plan read model; an older change arriving late never overwrites a newer one. */
export async function applySubscriptionChanged(event: DomainEvent, em: EntityManager): Promise<void> {
  if (event.type !== 'SubscriptionChanged') return;
  const change = event.payload as unknown as SubscriptionChanged;
  const table = `"${em.config.get('schema')}"."plan_entitlement"`;
  await em.getConnection().execute(
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
