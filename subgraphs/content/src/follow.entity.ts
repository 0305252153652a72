import { EntitySchema } from '@mikro-orm/core';

/**
 * Content's read model of who follows whom, fed by users' `UserFollowed`/`UserUnfollowed` events
 * (stream `users.follows`) for `Query.feed`. A row per pair that was ever followed: `active` is the
 * current state, `changedAt` the time of the event that set it (older events never move it back).
 */
export interface Follow {
  followerId: string;
  followeeId: string;
  active: boolean;
  changedAt: Date;
  /** Events applied to this pair, stale ones included: the sum over all pairs equals the events consumed, so a double apply shows. */
  eventCount: number;
}

export const FollowSchema = new EntitySchema<Follow>({
  name: 'Follow',
  tableName: 'follow',
  properties: {
    // (follower_id, followee_id): the feed reads a follower's followees by this primary key.
    followerId: { type: 'uuid', primary: true },
    followeeId: { type: 'uuid', primary: true },
    active: { type: 'boolean' },
    changedAt: { type: 'Date', columnType: 'timestamptz' },
    eventCount: { type: 'integer', default: 0 },
  },
});

/** Per-user follow counters, maintained by the same handler as `follow` (a double apply would skew them). */
export interface FollowCount {
  userId: string;
  followerCount: number;
  followingCount: number;
}

export const FollowCountSchema = new EntitySchema<FollowCount>({
  name: 'FollowCount',
  tableName: 'follow_count',
  properties: {
    userId: { type: 'uuid', primary: true },
    followerCount: { type: 'integer', default: 0 },
    followingCount: { type: 'integer', default: 0 },
  },
});
