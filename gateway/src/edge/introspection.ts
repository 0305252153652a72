import type { Identity } from '@supergraph/auth';
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';

/** `public`: anyone may introspect (development). `admins`: only tokens with `role:admin` (production). */
export type IntrospectionMode = 'public' | 'admins';

export const ADMIN_SCOPE = 'role:admin';

export function mayIntrospect(identity: Identity | undefined, mode: IntrospectionMode): boolean {
  return mode === 'public' || (identity?.scopes.includes(ADMIN_SCOPE) ?? false);
}

export function introspectionForbidden(): GraphQLError {
  return new GraphQLError('Introspection is only allowed for administrators', {
    extensions: { code: 'FORBIDDEN', reason: 'introspection', http: { status: 403 } },
  });
}

const SUGGESTION = / Did you mean .*\?$/;

/**
 * Validation messages suggest field and type names ("Did you mean …?"), which would let anyone
 * rebuild the schema that introspection hides: without public introspection they are removed.
 */
export function withoutSuggestions(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (formatted.extensions?.code !== 'GRAPHQL_VALIDATION_FAILED' || !SUGGESTION.test(formatted.message)) {
    return formatted;
  }
  return { ...formatted, message: formatted.message.replace(SUGGESTION, '') };
}
