import { EntitySchema } from '@mikro-orm/core';

export type ContentType = 'POST' | 'COMMENT';
export type ModerationStatus = 'VISIBLE' | 'HIDDEN' | 'REMOVED';

/**
 * What moderation knows about one post or comment: built from content's events, and the owner of its
 * moderation status. A post that moderation never heard of is VISIBLE.
 */
export interface ContentItem {
  id: string;
  contentType: ContentType;
  /** The post itself, or the comment's post. */
  postId: string;
  /** Null only for posts a moderator decided on before content's event arrived. */
  authorId: string | null;
  status: ModerationStatus;
  /** Time of the last status change; strictly increasing, so consumers can drop older decisions. */
  statusChangedAt: Date | null;
  /** `createdAt` / `editedAt` of the newest version checked: older events are ignored. */
  versionAt: Date | null;
  /** Deleted by its author: no longer checked or reportable. */
  deletedAt: Date | null;
}

export const ContentItemSchema = new EntitySchema<ContentItem>({
  name: 'ContentItem',
  tableName: 'content_item',
  // Hand-written in the migration (partial index); declared so that generated migrations keep it.
  indexes: [
    {
      name: 'content_item_removed_author_idx',
      expression: `create index "content_item_removed_author_idx" on "moderation"."content_item" ("author_id") where "status" = 'REMOVED'`,
    },
  ],
  properties: {
    id: { type: 'uuid', primary: true },
    contentType: { type: 'text', default: 'POST' },
    postId: { type: 'uuid' },
    authorId: { type: 'text', nullable: true },
    status: { type: 'text', default: 'VISIBLE' },
    statusChangedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    versionAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    deletedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});
