import { EntitySchema } from '@mikro-orm/core';

/** A comment on a post; threaded one level deep (`parentId` is a top-level comment of the same post). */
export interface Comment {
  id: string;
  postId: string;
  authorId: string;
  /** Null for a top-level comment. */
  parentId: string | null;
  body: string;
  /** Moderation status as content last learnt it (VISIBLE, HIDDEN, REMOVED). */
  status: string;
  statusChangedAt: Date | null;
  createdAt: Date;
  editedAt: Date | null;
  /** Soft delete by the author. */
  deletedAt: Date | null;
}

export const CommentSchema = new EntitySchema<Comment>({
  name: 'Comment',
  tableName: 'comment',
  properties: {
    id: { type: 'uuid', primary: true },
    postId: { type: 'uuid' },
    authorId: { type: 'uuid' },
    parentId: { type: 'uuid', nullable: true },
    body: { type: 'text' },
    status: { type: 'text', default: 'VISIBLE' },
    statusChangedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    editedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    deletedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
  indexes: [
    // `Post.comments` (post_id, parent_id is null, oldest first) and `Post.commentCount` (post_id prefix).
    {
      name: 'comment_visible_post_idx',
      expression: `create index "comment_visible_post_idx" on "content"."comment" ("post_id", "parent_id", "id") where "status" = 'VISIBLE' and "deleted_at" is null`,
    },
    // `Comment.replies`: a thread's visible replies, oldest first.
    {
      name: 'comment_visible_parent_idx',
      expression: `create index "comment_visible_parent_idx" on "content"."comment" ("parent_id", "id") where "parent_id" is not null and "status" = 'VISIBLE' and "deleted_at" is null`,
    },
  ],
});
