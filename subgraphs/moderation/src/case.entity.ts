import { EntitySchema } from '@mikro-orm/core';
import type { ContentType } from './content-item.entity.js';

export type CaseState = 'OPEN' | 'CLAIMED' | 'CLOSED';
export type Decision = 'APPROVE' | 'REMOVE' | 'RESTORE';

/**
 * Content waiting for (or having had) a moderator's decision. At most one case per content item is
 * not CLOSED (a partial unique index); rules and reports add to it.
 */
export interface ModerationCase {
  id: string;
  contentType: ContentType;
  contentId: string;
  postId: string;
  authorId: string | null;
  state: CaseState;
  severity: number;
  ruleId: string | null;
  reportCount: number;
  excerpt: string | null;
  claimedBy: string | null;
  claimedAt: Date | null;
  decision: Decision | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  note: string | null;
  openedAt: Date;
  updatedAt: Date;
}

export const ModerationCaseSchema = new EntitySchema<ModerationCase>({
  name: 'ModerationCase',
  tableName: 'moderation_case',
  // Hand-written in the migration (partial indexes); declared so that generated migrations keep them.
  indexes: [
    {
      name: 'moderation_case_queue_idx',
      expression: `create index "moderation_case_queue_idx" on "moderation"."moderation_case" ("severity" desc, "id") where "state" <> 'CLOSED'`,
    },
    { name: 'moderation_case_content_idx', properties: ['contentId', 'id'] },
  ],
  uniques: [
    {
      name: 'moderation_case_open_content_uniq',
      expression: `create unique index "moderation_case_open_content_uniq" on "moderation"."moderation_case" ("content_id") where "state" <> 'CLOSED'`,
    },
  ],
  properties: {
    id: { type: 'uuid', primary: true },
    contentType: { type: 'text' },
    contentId: { type: 'uuid' },
    postId: { type: 'uuid' },
    authorId: { type: 'text', nullable: true },
    state: { type: 'text' },
    severity: { type: 'integer' },
    ruleId: { type: 'uuid', nullable: true },
    reportCount: { type: 'integer', default: 0 },
    excerpt: { type: 'text', nullable: true },
    claimedBy: { type: 'text', nullable: true },
    claimedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    decision: { type: 'text', nullable: true },
    decidedBy: { type: 'text', nullable: true },
    decidedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    note: { type: 'text', nullable: true },
    openedAt: { type: 'Date', columnType: 'timestamptz' },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
