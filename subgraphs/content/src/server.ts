import { createSubgraphServer, defineSubgraph, loadTypeDefs, type SubgraphDeps } from '@supergraph/subgraph-kit';
import { migrations } from './migrations/index.js';
import { PostSchema } from './post.entity.js';
import { resolvers } from './resolvers.js';

export const contentSubgraph = defineSubgraph({
  name: 'content',
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities: [PostSchema],
  migrations,
  references: { Post: PostSchema },
});

/** The content subgraph server; `src/index.ts` boots it from the environment. */
export const createServer = (deps: SubgraphDeps) => createSubgraphServer(contentSubgraph, deps);
