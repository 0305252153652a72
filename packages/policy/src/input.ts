import type { Identity } from '@supergraph/auth';

/** The one input document of every policy (policies/README.md). */
export interface PolicyInput {
  readonly subject: {
    readonly sub: string | null;
    readonly userId: string | null;
    readonly roles: readonly string[];
    readonly scopes: readonly string[];
    readonly clientId: string | null;
    readonly plan: { readonly code: string; readonly status: string } | null;
  };
  readonly operation: { readonly type: string; readonly name: string | null };
  readonly field: { readonly parentType: string; readonly name: string; readonly path: readonly (string | number)[] };
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly resource: Readonly<Record<string, unknown>>;
}

/** The `subject` of the input, from the verified identity only (profile id = Keycloak subject). */
export function subjectOf(
  identity: Identity | undefined,
  plan: PolicyInput['subject']['plan'] = null,
): PolicyInput['subject'] {
  if (!identity) return { sub: null, userId: null, roles: [], scopes: [], clientId: null, plan: null };
  return {
    sub: identity.subject,
    userId: identity.isServiceAccount ? null : identity.subject,
    roles: identity.roles,
    scopes: identity.scopes.filter((scope) => !scope.startsWith('role:')),
    clientId: identity.clientId || null,
    plan,
  };
}
