import {
  defaultFieldResolver,
  getNamedType,
  GraphQLError,
  isObjectType,
  Kind,
  type ConstDirectiveNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { forbidden } from './policyGuard.js';
import { requirementsFromSdl, satisfies, type Requirements } from '@supergraph/auth';
import type { DocumentNode } from 'graphql';
import type { SubgraphContext } from './context.js';

/**
 * Enforces the subgraph's own `@authenticated` / `@requiresScopes` (zero trust: a request that
 * bypasses the gateway meets the same rules) and `@policy` (decided here, by the OPA engine). A field
 * is guarded by its own rules, its type's rules and the rules of the type it returns; a denied field
 * resolves to UNAUTHORIZED_FIELD_OR_TYPE (directives) or FORBIDDEN (policies); a denied subscription field
 * refuses the subscription (its `subscribe` is guarded as well as its `resolve`). `policyResources`
 * turns a parent object into the `resource` of the policy input.
 */
export function applyAccessControl(
  schema: GraphQLSchema,
  typeDefs: DocumentNode,
  policyResources: Readonly<Record<string, (parent: never) => Record<string, unknown>>> = {},
): Requirements {
  const requirements = requirementsFromSdl(typeDefs);
  const policies = policiesFromSdl(typeDefs);
  if (requirements.size === 0 && policies.size === 0) return requirements;
  const subscriptionType = schema.getSubscriptionType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const rules = [
        ...(requirements.get(type.name) ?? []),
        ...(requirements.get(`${type.name}.${field.name}`) ?? []),
        ...(requirements.get(getNamedType(field.type).name) ?? []),
      ];
      const alternatives = [...(policies.get(type.name) ?? []), ...(policies.get(`${type.name}.${field.name}`) ?? [])];
      if (rules.length === 0 && alternatives.length === 0) continue;
      const resource = policyResources[type.name];
      const unauthorized = () =>
        new GraphQLError('Unauthorized field or type', { extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } });
      const guard = (
        inner: GraphQLFieldResolver<unknown, SubgraphContext>,
      ): GraphQLFieldResolver<unknown, SubgraphContext> =>
        alternatives.length === 0
          ? (source, args, context, info) => {
              if (!satisfies(rules, context.identity)) throw unauthorized();
              return inner(source, args, context, info);
            }
          : async (source, args, context, info) => {
              if (!satisfies(rules, context.identity)) throw unauthorized();
              await context.policy.prepare();
              // @policy: the outer list is OR, each inner list AND, as in Federation.
              const attributes = resource && source ? resource(source as never) : {};
              const allowed = alternatives.some((all) =>
                all.every((path) => context.policy.decide(path, info, attributes, args).allow),
              );
              if (!allowed) throw forbidden();
              return inner(source, args, context, info);
            };
      field.resolve = guard(field.resolve ?? defaultFieldResolver);
      // Subscription fields: refuse the subscription itself, not only each of its events.
      if (field.subscribe || type === subscriptionType)
        field.subscribe = guard(field.subscribe ?? defaultFieldResolver);
    }
  }
  return requirements;
}

/** `@policy(policies: [["a", "b"], ["c"]])` per type and `Type.field`. */
export function policiesFromSdl(document: DocumentNode): Map<string, string[][]> {
  const policies = new Map<string, string[][]>();
  const read = (key: string, directives: readonly ConstDirectiveNode[] | undefined) => {
    for (const directive of directives ?? []) {
      if (directive.name.value !== 'policy') continue;
      const argument = directive.arguments?.find((arg) => arg.name.value === 'policies');
      if (argument?.value.kind !== Kind.LIST) continue;
      const groups = argument.value.values.flatMap((group) =>
        group.kind === Kind.LIST
          ? [group.values.flatMap((value) => (value.kind === Kind.STRING ? [value.value] : []))]
          : [],
      );
      policies.set(key, [...(policies.get(key) ?? []), ...groups]);
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    read(definition.name.value, definition.directives);
    for (const field of definition.fields ?? []) read(`${definition.name.value}.${field.name.value}`, field.directives);
  }
  return policies;
}
