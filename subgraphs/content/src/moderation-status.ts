import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '@supergraph/events';
import { isId, isTime, tableOf } from '@supergraph/subgraph-kit';

interface ModerationStatusChanged {
  /** `POST` or `COMMENT`; older producers sent only posts' decisions, without it. */
  contentType?: string;
  contentId?: string;
  /** The post itself for POST, the comment's post for COMMENT. */
  postId: string;
  status: string;
  changedAt: string;
}

const STATUSES = new Set(['VISIBLE', 'HIDDEN', 'REMOVED']);

/**
 * Applies moderation's decisions to posts and comments (in the consumer's transaction); a decision
 * not newer than the last one applied to that item is ignored, so a late or redelivered one never
 * moves the status back.
 */
export async function applyModerationStatus(event: DomainEvent, em: EntityManager): Promise<void> {
  if (event.type !== 'ModerationStatusChanged') return;
  const change = event.payload as unknown as ModerationStatusChanged;
  if (!STATUSES.has(change.status)) return;
  const comment = change.contentType === 'COMMENT';
  const id = comment ? change.contentId : (change.contentId ?? change.postId);
  // A malformed id names nothing here (and PostgreSQL would reject it, retrying the event forever).
  if (!id || !isId(id) || !isTime(change.changedAt)) return;
  await em.execute(
    `update ${tableOf(em, comment ? 'comment' : 'post')} set status = ?, status_changed_at = ?
     where id = ? and (status_changed_at is null or status_changed_at < ?)`,
    [change.status, change.changedAt, id, change.changedAt],
  );
}
