import type { Identity } from '@supergraph/auth';

/** Content readers see: neither deleted by its author nor hidden/removed by moderation. */
export function isPublic(item: { status: string; deletedAt: Date | null }): boolean {
  return item.status === 'VISIBLE' && item.deletedAt === null;
}

/**
 * Moderators and admins (Keycloak realm roles) also read hidden, removed and deleted items by id;
 * lists show public items to everyone.
 */
export function seesRestricted(identity: Identity | undefined): boolean {
  return (
    identity !== undefined &&
    !identity.isServiceAccount &&
    (identity.roles.includes('moderator') || identity.roles.includes('admin'))
  );
}
