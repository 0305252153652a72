import { defaultFieldResolver, getNamedType, GraphQLError, isObjectType, type GraphQLSchema } from 'graphql';
import { requirementsFromSdl, satisfies, type Requirements } from '@supergraph/auth';
import type { DocumentNode } from 'graphql';
import type { SubgraphContext } from './context.js';

/**
 * Enforces the subgraph's own `@authenticated` / `@requiresScopes` (zero trust: a request that
 * bypasses the gateway meets the same rules). A field is guarded by its own rules, its type's rules
 * and the rules of the type it returns; a denied field resolves to an UNAUTHORIZED_FIELD_OR_TYPE error.
 */
export function applyAccessControl(schema: GraphQLSchema, typeDefs: DocumentNode): Requirements {
  const requirements = requirementsFromSdl(typeDefs);
  if (requirements.size === 0) return requirements;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const rules = [
        ...(requirements.get(type.name) ?? []),
        ...(requirements.get(`${type.name}.${field.name}`) ?? []),
        ...(requirements.get(getNamedType(field.type).name) ?? []),
      ];
      if (rules.length === 0) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: SubgraphContext, info) => {
        if (!satisfies(rules, context.identity)) {
          throw new GraphQLError('Unauthorized field or type', { extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } });
        }
        return resolve(source, args, context, info);
      };
    }
  }
  return requirements;
}
