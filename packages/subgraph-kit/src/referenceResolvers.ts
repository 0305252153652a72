import type { SubgraphContext } from './context.js';
import type { SubgraphDefinition } from './defineSubgraph.js';

/** Adds a batched `__resolveReference` for each entity the definition resolves by id. */
export function withReferenceResolvers(definition: SubgraphDefinition): SubgraphDefinition['resolvers'] {
  const resolvers: Record<string, Record<string, unknown>> = {};
  for (const [typeName, fields] of Object.entries(definition.resolvers)) {
    resolvers[typeName] = fields as Record<string, unknown>;
  }
  for (const [typeName, schema] of Object.entries(definition.references ?? {})) {
    resolvers[typeName] = {
      ...resolvers[typeName],
      __resolveReference: (reference: { id: string }, context: SubgraphContext) =>
        context.loaders.byId(schema).load(reference.id),
    };
  }
  return resolvers as SubgraphDefinition['resolvers'];
}
