import { parsePageArgs, type SubgraphContext } from '@supergraph/subgraph-kit';
import { offsetFromCursorId, SearchService } from './search.service.js';

type Args<T> = T & Record<string, unknown>;

export const resolvers = {
  Query: {
    search: (_: unknown, args: Args<{ query: string; first?: number; after?: string }>, ctx: SubgraphContext) => {
      const page = parsePageArgs(args, 10);
      return new SearchService(ctx.em).search(args.query, page, offsetFromCursorId(page.after));
    },
  },
};
