import { EntitySchema } from '@mikro-orm/core';

export interface User {
  /** The Keycloak subject for accounts that signed in; a UUIDv7 for profiles created by admins. */
  id: string;
  /** Lower-case; unique. */
  handle: string;
  displayName: string;
  bio: string | null;
  disabledAt: Date | null;
  /** How many users follow this one; kept in the follow/unfollow transaction (see follow.service.ts). */
  followerCount: number;
  /** How many users this one follows. */
  followingCount: number;
  /** When moderation last flagged this author (`AuthorFlagged`); null when never flagged. */
  flaggedForReviewAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const UserSchema = new EntitySchema<User>({
  name: 'User',
  tableName: 'user',
  properties: {
    id: { type: 'uuid', primary: true },
    handle: { type: 'text', unique: 'user_handle_unique' },
    displayName: { type: 'text' },
    bio: { type: 'text', nullable: true },
    disabledAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    followerCount: { type: 'integer', default: 0 },
    followingCount: { type: 'integer', default: 0 },
    flaggedForReviewAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
  },
  // `users(first, after)`: creation order (ids of signed-in accounts are Keycloak's, not time-ordered).
  indexes: [
    { name: 'user_created_at_id_idx', properties: ['createdAt', 'id'] },
    {
      name: 'user_flagged_for_review_idx',
      // Partial: `usersFlaggedForReview` reads only the few flagged users, oldest flag first.
      expression: (table, columns, indexName) =>
        `create index "${indexName}" on ${table.schema ? `"${table.schema}".` : ''}"${table.name}" ("${columns.flaggedForReviewAt}", "${columns.id}") where "${columns.flaggedForReviewAt}" is not null`,
    },
  ],
});

/** An admin action on an account. */
export interface UserAudit {
  id: string;
  userId: string;
  /** `FLAGGED_FOR_REVIEW` is written by moderation's `AuthorFlagged` (actor `moderation`). */
  action: 'DISABLED' | 'ENABLED' | 'CREATED' | 'FLAGGED_FOR_REVIEW';
  reason: string | null;
  actor: string;
  createdAt: Date;
}

export const UserAuditSchema = new EntitySchema<UserAudit>({
  name: 'UserAudit',
  tableName: 'user_audit',
  properties: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'uuid', index: 'user_audit_user_id_idx' },
    action: { type: 'text' },
    reason: { type: 'text', nullable: true },
    actor: { type: 'text' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
