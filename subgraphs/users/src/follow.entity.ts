import { EntitySchema } from '@mikro-orm/core';

/** `followerId` follows `followeeId`. One row per pair; unfollowing deletes it. */
export interface Follow {
  /** UUIDv7: id order is follow order, and the cursor of `followers` / `following`. */
  id: string;
  followerId: string;
  followeeId: string;
  createdAt: Date;
}

export const FollowSchema = new EntitySchema<Follow>({
  name: 'Follow',
  tableName: 'follow',
  properties: {
    id: { type: 'uuid', primary: true },
    followerId: { type: 'uuid' },
    followeeId: { type: 'uuid' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
  },
  // The unique pair makes follow idempotent (`on conflict do nothing`); the two (user, id) indexes
  // serve `following` and `followers` pages newest first, by keyset on id.
  uniques: [{ name: 'follow_pair_unique', properties: ['followerId', 'followeeId'] }],
  indexes: [
    { name: 'follow_follower_id_idx', properties: ['followerId', 'id'] },
    { name: 'follow_followee_id_idx', properties: ['followeeId', 'id'] },
  ],
});
