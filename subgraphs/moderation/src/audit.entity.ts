import { EntitySchema } from '@mikro-orm/core';

/** `system`: the actor of rules and automatic effects. */
export const SYSTEM_ACTOR = 'system';

/** One moderation or admin action. Append-only: a trigger rejects UPDATE, DELETE and TRUNCATE. */
export interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  reason: string | null;
  details: Record<string, unknown>;
  at: Date;
}

export const AuditEntrySchema = new EntitySchema<AuditEntry>({
  name: 'AuditEntry',
  tableName: 'audit_entry',
  indexes: [{ name: 'audit_entry_target_idx', properties: ['targetId', 'id'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    actor: { type: 'text' },
    action: { type: 'text' },
    targetType: { type: 'text' },
    targetId: { type: 'text' },
    reason: { type: 'text', nullable: true },
    details: { type: 'json', columnType: 'jsonb' },
    at: { type: 'Date', columnType: 'timestamptz' },
  },
});
