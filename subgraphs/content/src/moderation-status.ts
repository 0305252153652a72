import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '@supergraph/events';

interface ModerationStatusChanged {
  postId: string;
  status: string;
  changedAt: string;
}

/** Applies moderation's decisions to posts; a decision older than the last one applied is ignored. */
export async function applyModerationStatus(event: DomainEvent, em: EntityManager): Promise<void> {
  if (event.type !== 'ModerationStatusChanged') return;
  const change = event.payload as unknown as ModerationStatusChanged;
  await em.getConnection().execute(
    `update "${em.config.get('schema')}"."post" set status = ?, status_changed_at = ?
     where id = ? and (status_changed_at is null or status_changed_at < ?)`,
    [change.status, change.changedAt, change.postId, change.changedAt],
  );
}
