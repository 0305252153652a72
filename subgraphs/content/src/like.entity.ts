import { EntitySchema } from '@mikro-orm/core';

/** One user's like of one post; the primary key makes liking idempotent. */
export interface PostLike {
  postId: string;
  userId: string;
  createdAt: Date;
}

export const PostLikeSchema = new EntitySchema<PostLike>({
  name: 'PostLike',
  tableName: 'post_like',
  properties: {
    // (post_id, user_id): `likedByMe` for a page of posts is one index lookup per post.
    postId: { type: 'uuid', primary: true },
    userId: { type: 'uuid', primary: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
