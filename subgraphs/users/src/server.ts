import { createSubgraphServer, defineSubgraph, loadTypeDefs, type SubgraphDeps } from '@supergraph/subgraph-kit';
import { migrations } from './migrations/index.js';
import { resolvers } from './resolvers.js';
import { UserSchema } from './user.entity.js';

export const usersSubgraph = defineSubgraph({
  name: 'users',
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities: [UserSchema],
  migrations,
  references: { User: UserSchema },
});

/** The users subgraph server; `src/index.ts` boots it from the environment. */
export const createServer = (deps: SubgraphDeps) => createSubgraphServer(usersSubgraph, deps);
