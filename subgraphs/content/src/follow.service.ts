import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '@supergraph/events';
import { isId, tableOf } from '@supergraph/subgraph-kit';

export const FOLLOWS_STREAM = 'users.follows';

/** `UserFollowed` / `UserUnfollowed` (stream `users.follows`). */
interface FollowChange {
  followerId: string;
  followeeId: string;
  /** ISO-8601 time of the change in users. */
  at: string;
}

/**
 * Applies users' follow events to content's follow read model (in the consumer's transaction, beside
 * its `processed_event` row). The pair's row is locked first, so concurrent consumers of one pair take
 * turns; an event older than the pair's last applied change is counted but changes nothing; the
 * per-user counters move only when the pair's state flips.
 */
export async function applyFollowEvent(event: DomainEvent, em: EntityManager): Promise<void> {
  if (event.type !== 'UserFollowed' && event.type !== 'UserUnfollowed') return;
  const change = event.payload as unknown as FollowChange;
  const followerId = String(change.followerId).toLowerCase();
  const followeeId = String(change.followeeId).toLowerCase();
  if (!isId(followerId) || !isId(followeeId) || Number.isNaN(Date.parse(change.at))) return;
  const active = event.type === 'UserFollowed';
  const follow = tableOf(em, 'follow');

  await em.execute(
    `insert into ${follow} (follower_id, followee_id, active, changed_at, event_count) values (?, ?, false, '-infinity', 0)
     on conflict do nothing`,
    [followerId, followeeId],
  );
  const [pair] = await em.execute<{ active: boolean; newer: boolean }[]>(
    `select active, changed_at < ?::timestamptz as newer from ${follow} where follower_id = ? and followee_id = ? for update`,
    [change.at, followerId, followeeId],
  );
  const applies = pair?.newer === true;
  await em.execute(
    `update ${follow} set event_count = event_count + 1 ${applies ? ', active = ?, changed_at = ?' : ''}
     where follower_id = ? and followee_id = ?`,
    applies ? [active, change.at, followerId, followeeId] : [followerId, followeeId],
  );
  if (!applies || pair.active === active) return;
  const delta = active ? 1 : -1;
  const counts = tableOf(em, 'follow_count');
  await em.execute(
    `insert into ${counts} (user_id, follower_count, following_count) values (?, ?, 0), (?, 0, ?)
     on conflict (user_id) do update set follower_count = ${counts}.follower_count + excluded.follower_count,
       following_count = ${counts}.following_count + excluded.following_count`,
    [followeeId, delta, followerId, delta],
  );
}
