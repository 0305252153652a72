import { EntitySchema } from '@mikro-orm/core';

export type ModerationStatus = 'VISIBLE' | 'HIDDEN' | 'REMOVED';
export type RuleAction = 'FLAG' | 'HIDE';

/** The moderation state of one post; a post without a row is VISIBLE. */
export interface ContentModeration {
  postId: string;
  status: ModerationStatus;
  updatedAt: Date;
}

export const ContentModerationSchema = new EntitySchema<ContentModeration>({
  name: 'ContentModeration',
  tableName: 'content_moderation',
  properties: {
    postId: { type: 'uuid', primary: true },
    status: { type: 'text' },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});

export interface ModerationRule {
  id: string;
  pattern: string;
  severity: number;
  action: RuleAction;
  createdAt: Date;
}

export const ModerationRuleSchema = new EntitySchema<ModerationRule>({
  name: 'ModerationRule',
  tableName: 'moderation_rule',
  properties: {
    id: { type: 'uuid', primary: true },
    pattern: { type: 'text' },
    severity: { type: 'integer' },
    action: { type: 'text' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
