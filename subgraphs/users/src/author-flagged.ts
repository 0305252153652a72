import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '@supergraph/events';
import { isId, uuidv7, type ConsumerContext, type ConsumerDefinition } from '@supergraph/subgraph-kit';
import { UserAuditSchema, UserSchema } from './user.entity.js';

/** `moderation.decisions` → `AuthorFlagged`: `{ userId, removals, threshold, at }` (docs/events.md). */
interface AuthorFlagged {
  userId: string;
  removals: number;
  threshold: number;
  at: string;
}

/** Audit actor of entries written on moderation's behalf (not a person's subject). */
export const MODERATION_ACTOR = 'moderation';

/**
 * Marks an author whose content moderation removed too often for an admin's review, and records it in
 * the user's audit log. The flag time only moves forward, so a late or redelivered older event
 * changes nothing; each distinct event is audited once (the kit's consumer is idempotent).
 */
export async function applyAuthorFlagged(
  event: DomainEvent,
  em: EntityManager,
  context: ConsumerContext,
): Promise<void> {
  if (event.type !== 'AuthorFlagged') return;
  const flag = event.payload as unknown as AuthorFlagged;
  const at = new Date(flag.at);
  if (!isId(flag.userId) || Number.isNaN(at.getTime())) {
    context.logger.warn({ eventId: event.id, payload: event.payload }, 'AuthorFlagged ignored: malformed payload');
    return;
  }
  const userId = flag.userId.toLowerCase();
  const updated = await em.nativeUpdate(
    UserSchema,
    { id: userId, $or: [{ flaggedForReviewAt: null }, { flaggedForReviewAt: { $lt: at } }] },
    { flaggedForReviewAt: at, updatedAt: new Date() },
  );
  // Authors need not have a profile here yet (content accepts any signed-in subject); the audit entry
  // keeps the fact either way.
  if (updated === 0 && !(await em.count(UserSchema, { id: userId })))
    context.logger.warn({ eventId: event.id, userId }, 'AuthorFlagged for a user without a profile');
  em.create(UserAuditSchema, {
    id: uuidv7(),
    userId,
    action: 'FLAGGED_FOR_REVIEW',
    reason: `${flag.removals} removals (threshold ${flag.threshold})`,
    actor: MODERATION_ACTOR,
    createdAt: at,
  });
}

export const authorFlaggedConsumer: ConsumerDefinition = {
  stream: 'moderation.decisions',
  name: 'users.author-flags',
  handle: applyAuthorFlagged,
};
