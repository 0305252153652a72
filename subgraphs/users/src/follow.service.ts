import type { EntityManager } from '@mikro-orm/postgresql';
import type { Identity } from '@supergraph/auth';
import { AppError } from '@supergraph/errors';
import {
  encodeCursor,
  isId,
  recordEvent,
  tableOf,
  uuidArray,
  uuidv7,
  type Connection,
  type PageArgs,
} from '@supergraph/subgraph-kit';
import { FollowSchema } from './follow.entity.js';
import { UserSchema, type User } from './user.entity.js';
import { UserService } from './user.service.js';

/** `UserFollowed` / `UserUnfollowed`, `{ followerId, followeeId, at }` (docs/events.md). */
export const FOLLOWS_STREAM = 'users.follows';

/** Which side of the follow relation a page lists, seen from the parent user. */
export type FollowSide = 'followers' | 'following';

/** One user of a `followers` / `following` page and the follow row that places it (the cursor). */
export interface FollowEdge {
  readonly followId: string;
  readonly user: User;
}

/**
 * Follows between users. A follow or unfollow changes the pair's row, both users' counters and the
 * outbox in one transaction, and only when the state actually changes: repeating either is a no-op
 * without an event. Counters move with `count = count ± 1` under the row lock, so concurrent follows
 * never lose an update; the two user rows are always locked in id order, so opposite follows
 * (A→B while B→A) cannot deadlock.
 */
export class FollowService {
  constructor(private readonly em: EntityManager) {}

  /** The caller follows `userId`; returns that user with its counts. Idempotent. */
  follow(identity: Identity, userId: string): Promise<User> {
    return this.change(identity, userId, 'follow');
  }

  /** The caller stops following `userId`; returns that user with its counts. Idempotent. */
  unfollow(identity: Identity, userId: string): Promise<User> {
    return this.change(identity, userId, 'unfollow');
  }

  private async change(identity: Identity, userId: string, action: 'follow' | 'unfollow'): Promise<User> {
    if (!isId(userId)) throw AppError.invalidField('userId', 'is not a user id');
    const followeeId = userId.toLowerCase();
    // The caller's own profile is created on first use, as `me` does.
    const follower = await new UserService(this.em).me(identity);
    if (!follower) throw AppError.forbidden('Service accounts have no profile');
    if (follower.id === followeeId)
      throw AppError.badUserInput(`You cannot ${action} yourself`, [{ field: 'userId', message: 'is the caller' }]);
    await this.em.transactional(async (tx) => {
      if (!(await tx.count(UserSchema, { id: followeeId }))) throw AppError.notFound('User', userId);
      const changed =
        action === 'follow'
          ? await this.insertFollow(tx, follower.id, followeeId)
          : await this.deleteFollow(tx, follower.id, followeeId);
      if (!changed) return;
      const at = await this.moveCounters(tx, follower.id, followeeId, action === 'follow' ? 1 : -1);
      recordEvent(tx, {
        stream: FOLLOWS_STREAM,
        type: action === 'follow' ? 'UserFollowed' : 'UserUnfollowed',
        aggregateId: follower.id,
        payload: { followerId: follower.id, followeeId, at },
      });
    });
    return this.em.findOneOrFail(UserSchema, { id: followeeId }, { refresh: true });
  }

  /** Inserts the pair unless it exists; whether it was inserted. */
  private async insertFollow(tx: EntityManager, followerId: string, followeeId: string): Promise<boolean> {
    const result = await tx
      .createQueryBuilder(FollowSchema)
      .insert({ id: uuidv7(), followerId, followeeId, createdAt: new Date() })
      .onConflict(['followerId', 'followeeId'])
      .ignore()
      .execute('run');
    return result.affectedRows === 1;
  }

  /** Deletes the pair if it exists; whether it was deleted. */
  private async deleteFollow(tx: EntityManager, followerId: string, followeeId: string): Promise<boolean> {
    return (await tx.nativeDelete(FollowSchema, { followerId, followeeId })) === 1;
  }

  /**
   * Moves both counters by `by`, locking the two user rows in id order, and returns the time of the
   * change for the event: the database's clock (one clock for every replica, in microseconds), read
   * after the pair's row was written, so a later change of the same pair always carries a later
   * time, which is what consumers order by.
   */
  private async moveCounters(tx: EntityManager, followerId: string, followeeId: string, by: 1 | -1): Promise<string> {
    const table = this.table(tx, UserSchema.meta.className);
    const updates = [
      { id: followerId, column: 'following_count' },
      { id: followeeId, column: 'follower_count' },
    ].sort((a, b) => a.id.localeCompare(b.id));
    let at = '';
    for (const { id, column } of updates) {
      const rows = await tx.getConnection().execute<{ at: string }[]>(
        `update ${table} set "${column}" = "${column}" + ? where "id" = ?
         returning to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at`,
        [by, id],
        'all',
        tx.getTransactionContext(),
      );
      at = rows[0]!.at;
    }
    return at;
  }

  /**
   * The first `first + 1` users on `side` of each of `userIds`, newest follow first, after the
   * follow `after` when given: one query for any number of parents (a lateral join walks each
   * parent's (user, id) index and stops at the limit).
   */
  async pages(
    userIds: readonly string[],
    side: FollowSide,
    { first, after }: PageArgs,
  ): Promise<Map<string, FollowEdge[]>> {
    const pages = new Map<string, FollowEdge[]>(userIds.map((id) => [id, []]));
    const valid = [...new Set(userIds)].filter(isId);
    if (valid.length === 0) return pages;
    const [key, other] = side === 'followers' ? ['followee_id', 'follower_id'] : ['follower_id', 'followee_id'];
    const follows = this.table(this.em, FollowSchema.meta.className);
    const users = this.table(this.em, UserSchema.meta.className);
    const rows = await this.em.getConnection().execute<Record<string, unknown>[]>(
      `select f.parent_id, f.follow_id, u.*
       from unnest(?::uuid[]) as k(parent_id)
       cross join lateral (
         select fo."id" as follow_id, fo."${other}" as user_id, k.parent_id
         from ${follows} fo
         where fo."${key}" = k.parent_id ${after ? 'and fo."id" < ?' : ''}
         order by fo."id" desc
         limit ?
       ) f
       join ${users} u on u."id" = f.user_id
       order by f.parent_id, f.follow_id desc`,
      after ? [uuidArray(valid), after, first + 1] : [uuidArray(valid), first + 1],
    );
    for (const { parent_id: parentId, follow_id: followId, ...columns } of rows) {
      pages.get(parentId as string)?.push({ followId: followId as string, user: this.em.map(UserSchema, columns) });
    }
    return pages;
  }

  private table(em: EntityManager, entity: string): string {
    return tableOf(em, em.getMetadata().get(entity).tableName);
  }
}

/** A `UserConnection` from up to `first + 1` edges: cursors name the follow, so pages stay stable. */
export function followConnection(edges: readonly FollowEdge[], first: number): Connection<User> {
  const page = edges.slice(0, first);
  const last = page[page.length - 1];
  return {
    edges: page.map((edge) => ({ cursor: encodeCursor(edge.followId), node: edge.user })),
    pageInfo: { hasNextPage: edges.length > first, endCursor: last ? encodeCursor(last.followId) : null },
  };
}
