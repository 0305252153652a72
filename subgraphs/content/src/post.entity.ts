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
  createdAt: Date;
  updatedAt: Date;
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
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
  },
  // `User.posts`: an author's posts newest first (ids are time-ordered).
  indexes: [{ name: 'post_author_id_idx', properties: ['authorId', 'id'] }],
});
