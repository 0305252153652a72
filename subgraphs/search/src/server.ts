import { createSubgraphServer, defineSubgraph, loadTypeDefs, type SubgraphDeps } from '@supergraph/subgraph-kit';
import { migrations } from './migrations/index.js';
import { resolvers } from './resolvers.js';
import { SearchDocumentSchema } from './search-document.entity.js';
import { SearchService } from './search.service.js';

export const searchSubgraph = defineSubgraph({
  name: 'search',
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities: [SearchDocumentSchema],
  migrations,
  consumers: [
    {
      stream: 'content.posts',
      name: 'search.index-posts',
      handle: (event, em) => new SearchService(em).apply(event),
    },
  ],
});

/** The search subgraph server; `src/index.ts` boots it from the environment. */
export const createServer = (deps: SubgraphDeps) => createSubgraphServer(searchSubgraph, deps);
