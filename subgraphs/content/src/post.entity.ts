import { ArrayType, EntitySchema } from '@mikro-orm/core';

export interface Post {
  id: string;
  authorId: string;
  title: string;
  body: string;
  tags: string[];
  language: string;
  premium: boolean;
  /** Moderation status as content last learnt it (VISIBLE, HIDDEN, REMOVED). */
  status: string;
  statusChangedAt: Date | null;
  /** Kept by likePost/unlikePost in the transaction that adds or removes the like row. */
  likeCount: number;
  createdAt: Date;
  updatedAt: Date;
  /** Set by the author's edits. */
  editedAt: Date | null;
  /** Soft delete by the author: the row stays for moderation and audit, readers no longer see it. */
  deletedAt: Date | null;
}

export const PostSchema = new EntitySchema<Post>({
  name: 'Post',
  tableName: 'post',
  properties: {
    id: { type: 'uuid', primary: true },
    authorId: { type: 'uuid' },
    title: { type: 'text' },
    body: { type: 'text' },
    tags: { type: ArrayType, columnType: 'text[]' },
    language: { type: 'text' },
    premium: { type: 'boolean', default: false },
    status: { type: 'text', default: 'VISIBLE' },
    statusChangedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    likeCount: { type: 'integer', default: 0 },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
    editedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    deletedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
  indexes: [
    // `User.posts`: an author's posts newest first (ids are time-ordered).
    { name: 'post_author_id_idx', properties: ['authorId', 'id'] },
    // `feed` and `User.posts` read only what readers may see: a followee's newest visible posts.
    {
      name: 'post_visible_author_idx',
      expression: `create index "post_visible_author_idx" on "content"."post" ("author_id", "id" desc) where "status" = 'VISIBLE' and "deleted_at" is null`,
    },
    // `partnerPosts`: everyone's newest visible posts.
    {
      name: 'post_visible_idx',
      expression: `create index "post_visible_idx" on "content"."post" ("id" desc) where "status" = 'VISIBLE' and "deleted_at" is null`,
    },
  ],
});
