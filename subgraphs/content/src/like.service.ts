import type { EntityManager } from '@mikro-orm/postgresql';
import { isId, tableOf, uuidArray } from '@supergraph/subgraph-kit';

/** SQL of `likedByMe` for a page of posts: one probe of `post_like_pkey` (post_id, user_id) per post. */
export function likedSql(schema: string): string {
  return `select post_id from "${schema}"."post_like" where user_id = ? and post_id = any(?::uuid[])`;
}

/**
 * Likes. The counter `post.like_count` changes in the transaction that inserts or deletes the like row,
 * and only when a row was inserted or deleted: the primary key serialises concurrent likes of one user,
 * and `like_count = like_count ± 1` takes the post's row lock, so concurrent likes never lose an update.
 */
export class LikeService {
  constructor(private readonly em: EntityManager) {}

  async like(userId: string, postId: string): Promise<void> {
    await this.em.transactional(async (tx) => {
      const inserted = await tx.execute<unknown[]>(
        `insert into ${tableOf(tx, 'post_like')} (post_id, user_id, created_at) values (?, ?, now())
         on conflict do nothing returning post_id`,
        [postId, userId.toLowerCase()],
      );
      if (inserted.length > 0)
        await tx.execute(`update ${tableOf(tx, 'post')} set like_count = like_count + 1 where id = ?`, [postId]);
    });
  }

  async unlike(userId: string, postId: string): Promise<void> {
    await this.em.transactional(async (tx) => {
      const deleted = await tx.execute<unknown[]>(
        `delete from ${tableOf(tx, 'post_like')} where post_id = ? and user_id = ? returning post_id`,
        [postId, userId.toLowerCase()],
      );
      if (deleted.length > 0)
        await tx.execute(`update ${tableOf(tx, 'post')} set like_count = like_count - 1 where id = ?`, [postId]);
    });
  }

  /** Which of `postIds` `userId` likes, in one query. */
  async likedBy(userId: string, postIds: readonly string[]): Promise<Set<string>> {
    const valid = postIds.filter(isId);
    if (valid.length === 0) return new Set();
    const rows = await this.em.execute<{ post_id: string }[]>(likedSql(this.em.config.get('schema') as string), [
      userId.toLowerCase(),
      uuidArray(valid),
    ]);
    return new Set(rows.map((row) => row.post_id));
  }
}
