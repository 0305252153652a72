import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent } from '@supergraph/subgraph-kit';
import { audit } from './audit.js';
import { SYSTEM_ACTOR } from './audit.entity.js';
import { AuthorFlagSchema } from './author-flag.entity.js';
import { ContentItemSchema, type ContentItem, type ContentType, type ModerationStatus } from './content-item.entity.js';

export const DECISIONS_STREAM = 'moderation.decisions';

/**
 * The content item `id`, locked for this transaction (decisions and content events on one item are
 * serialised); created VISIBLE from `known` when moderation has not heard of it yet.
 */
export async function lockItem(
  em: EntityManager,
  id: string,
  known: { contentType: ContentType; postId: string; authorId: string | null },
): Promise<ContentItem> {
  const found = await em.findOne(ContentItemSchema, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (found) {
    if (found.authorId === null && known.authorId !== null) found.authorId = known.authorId;
    return found;
  }
  return em.create(ContentItemSchema, {
    id,
    ...known,
    status: 'VISIBLE',
    statusChangedAt: null,
    versionAt: null,
    deletedAt: null,
  });
}

/**
 * Changes an item's status and publishes `ModerationStatusChanged` with it (outbox). `changedAt` is
 * strictly increasing per item, so that content and search, which apply only newer changes, never
 * drop a decision taken in the same millisecond as the previous one. Returns false when unchanged.
 */
export function changeStatus(
  em: EntityManager,
  item: ContentItem,
  status: ModerationStatus,
  why: { caseId: string | null; reason: string | null; moderator: string | null },
): boolean {
  if (item.status === status) return false;
  const now = Date.now();
  const previous = item.statusChangedAt?.getTime() ?? 0;
  const changedAt = new Date(Math.max(now, previous + 1));
  item.status = status;
  item.statusChangedAt = changedAt;
  recordEvent(em, {
    stream: DECISIONS_STREAM,
    type: 'ModerationStatusChanged',
    aggregateId: item.id,
    payload: {
      contentType: item.contentType,
      contentId: item.id,
      postId: item.postId,
      authorId: item.authorId,
      status,
      changedAt: changedAt.toISOString(),
      caseId: why.caseId,
      reason: why.reason,
      moderator: why.moderator,
    },
  });
  return true;
}

/**
 * Flags `authorId` for admin review once they have `threshold` removed items (removals a moderator
 * restored do not count): `AuthorFlagged` for users, an audit entry. Call after the removal is flushed.
 */
export async function flagAuthorIfNeeded(em: EntityManager, authorId: string | null, threshold: number): Promise<void> {
  if (authorId === null) return;
  const removals = await em.count(ContentItemSchema, { authorId, status: 'REMOVED' });
  if (removals < threshold) return;
  const at = new Date();
  // ON CONFLICT: two moderators removing this author's items at once must not fail each other.
  const inserted = await em
    .createQueryBuilder(AuthorFlagSchema)
    .insert({ userId: authorId, removals, threshold, flaggedAt: at })
    .onConflict('userId')
    .ignore()
    .execute('run');
  if (inserted.affectedRows === 0) return; // flagged before: once is enough
  recordEvent(em, {
    stream: DECISIONS_STREAM,
    type: 'AuthorFlagged',
    aggregateId: authorId,
    payload: { userId: authorId, removals, threshold, at: at.toISOString() },
  });
  audit(em, {
    actor: SYSTEM_ACTOR,
    action: 'AUTHOR_FLAGGED',
    targetType: 'USER',
    targetId: authorId,
    reason: `${removals} removals (threshold ${threshold})`,
    details: { removals, threshold },
  });
}
