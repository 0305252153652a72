import { EntitySchema } from '@mikro-orm/core';

export type RuleAction = 'FLAG' | 'HIDE';
export type RuleKind = 'WORD' | 'REGEX';

/** A word or a (ReDoS-checked) regular expression that new and edited content is checked against. */
export interface ModerationRule {
  id: string;
  pattern: string;
  kind: RuleKind;
  severity: number;
  action: RuleAction;
  createdAt: Date;
  updatedAt: Date;
  /** Deleted rules stay, so that cases and the audit log keep pointing at them. */
  deletedAt: Date | null;
}

export const ModerationRuleSchema = new EntitySchema<ModerationRule>({
  name: 'ModerationRule',
  tableName: 'moderation_rule',
  properties: {
    id: { type: 'uuid', primary: true },
    pattern: { type: 'text' },
    kind: { type: 'text', default: 'WORD' },
    severity: { type: 'integer' },
    action: { type: 'text' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    deletedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});
