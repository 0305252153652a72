import { createSubgraphServer, defineSubgraph, loadTypeDefs, type SubgraphDeps } from '@supergraph/subgraph-kit';
import { migrations } from './migrations/index.js';
import { resolvers } from './resolvers.js';
import { SearchDocumentSchema, SearchWordSchema } from './search-document.entity.js';
import { DECISIONS_STREAM, POSTS_STREAM, SearchIndexer } from './search-indexer.js';

export const searchSubgraph = defineSubgraph({
  name: 'search',
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities: [SearchDocumentSchema, SearchWordSchema],
  migrations,
  // Search is fed by events only: content (created, edited, deleted) and moderation (hidden, restored).
  consumers: [
    {
      stream: POSTS_STREAM,
      name: 'search.index-posts',
      handle: (event, em, { logger }) => new SearchIndexer(em, undefined, logger).apply(event),
    },
    {
      stream: DECISIONS_STREAM,
      name: 'search.moderation-status',
      handle: (event, em, { logger }) => new SearchIndexer(em, undefined, logger).apply(event),
    },
  ],
});

/** The search subgraph server; `src/index.ts` boots it from the environment. */
export const createServer = (deps: SubgraphDeps) => createSubgraphServer(searchSubgraph, deps);

export { reindexSearch } from './reindex.js';
export type { ReindexOptions, ReindexResult } from './reindex.js';
