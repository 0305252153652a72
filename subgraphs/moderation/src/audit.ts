import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidv7 } from '@supergraph/subgraph-kit';
import { AuditEntrySchema } from './audit.entity.js';

export type AuditAction =
  | 'RULE_CREATED'
  | 'RULE_UPDATED'
  | 'RULE_DELETED'
  | 'CONTENT_HIDDEN'
  | 'CASE_OPENED'
  | 'CASE_ESCALATED'
  | 'CASE_CLOSED'
  | 'REPORT_FILED'
  | 'CASE_CLAIMED'
  | 'CASE_APPROVED'
  | 'CONTENT_REMOVED'
  | 'CONTENT_RESTORED'
  | 'STATUS_SET'
  | 'AUTHOR_FLAGGED';

/** Appends an entry to the audit log in `em`'s unit of work: it commits with the action, or not at all. */
export function audit(
  em: EntityManager,
  entry: {
    actor: string;
    action: AuditAction;
    targetType: 'RULE' | 'POST' | 'COMMENT' | 'CASE' | 'USER';
    targetId: string;
    reason?: string | null;
    details?: Record<string, unknown>;
  },
): void {
  em.persist(
    em.create(AuditEntrySchema, {
      id: uuidv7(),
      actor: entry.actor,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      reason: entry.reason ?? null,
      details: entry.details ?? {},
      at: new Date(),
    }),
  );
}
