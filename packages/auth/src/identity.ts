import type { JWTPayload } from 'jose';

/**
 * The verified caller, as resolvers and policies see it. Realm roles also appear among `scopes` as
 * `role:<name>`, so that `@requiresScopes` can require a role (e.g. `[["role:moderator"], ["role:admin"]]`).
 */
export interface Identity {
  /** Keycloak subject (`sub`). */
  readonly subject: string;
  /** OAuth client the token was issued to (`azp`, or `client_id` for client credentials). */
  readonly clientId: string;
  readonly username: string | undefined;
  readonly email: string | undefined;
  readonly name: string | undefined;
  /** Realm roles (`realm_access.roles`). */
  readonly roles: readonly string[];
  /** The token's `scope` claim, plus `role:<name>` for each realm role. */
  readonly scopes: readonly string[];
  /** A service account (client credentials) rather than a person. */
  readonly isServiceAccount: boolean;
  /** Expiry, seconds since the epoch. */
  readonly expiresAt: number;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Maps Keycloak access-token claims to an {@link Identity}. */
export function identityFromClaims(claims: JWTPayload): Identity {
  const roles = strings((claims.realm_access as { roles?: unknown } | undefined)?.roles);
  const tokenScopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  const clientId = text(claims.azp) ?? text(claims.client_id) ?? '';
  const username = text(claims.preferred_username);
  return {
    subject: claims.sub ?? '',
    clientId,
    username,
    email: text(claims.email),
    name: text(claims.name),
    roles,
    scopes: [...new Set([...tokenScopes, ...roles.map((role) => `role:${role}`)])],
    isServiceAccount: text(claims.client_id) !== undefined || (username?.startsWith('service-account-') ?? false),
    expiresAt: claims.exp ?? 0,
  };
}
