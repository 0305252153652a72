import { EntitySchema } from '@mikro-orm/core';
import type { ContentType } from './content-item.entity.js';

export type ReportState = 'OPEN' | 'RESOLVED';

/** A user's report about a post or comment; resolved when its case closes. */
export interface ContentReport {
  id: string;
  contentType: ContentType;
  contentId: string;
  reporterId: string;
  reason: string;
  caseId: string;
  state: ReportState;
  createdAt: Date;
  resolvedAt: Date | null;
}

export const ContentReportSchema = new EntitySchema<ContentReport>({
  name: 'ContentReport',
  tableName: 'content_report',
  // Hand-written in the migration (partial unique index); declared so that generated migrations keep it.
  indexes: [{ name: 'content_report_case_idx', properties: ['caseId'] }],
  uniques: [
    {
      name: 'content_report_open_uniq',
      expression: `create unique index "content_report_open_uniq" on "moderation"."content_report" ("reporter_id", "content_id") where "state" = 'OPEN'`,
    },
  ],
  properties: {
    id: { type: 'uuid', primary: true },
    contentType: { type: 'text' },
    contentId: { type: 'uuid' },
    reporterId: { type: 'text' },
    reason: { type: 'text' },
    caseId: { type: 'uuid' },
    state: { type: 'text' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    resolvedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});
