import { createSubgraphServer, defineSubgraph, loadTypeDefs, type SubgraphDeps } from '@supergraph/subgraph-kit';
import { migrations } from './migrations/index.js';
import { ContentModerationSchema, ModerationRuleSchema } from './moderation.entity.js';
import { resolvers } from './resolvers.js';

export const moderationSubgraph = defineSubgraph({
  name: 'moderation',
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities: [ContentModerationSchema, ModerationRuleSchema],
  migrations,
});

/** The moderation subgraph server; `src/index.ts` boots it from the environment. */
export const createServer = (deps: SubgraphDeps) => createSubgraphServer(moderationSubgraph, deps);
