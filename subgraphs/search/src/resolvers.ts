import { DateTimeScalar, InputValidator, type SubgraphContext } from '@supergraph/subgraph-kit';
import {
  decodeSearchCursor,
  normalizeFilter,
  normalizeQuery,
  type SearchCursor,
  type SearchFilterInput,
} from './search-input.js';
import { SearchService } from './search.service.js';

type Args<T> = T & Record<string, unknown>;
type SearchArgs = Args<{
  query: string;
  filter?: SearchFilterInput | null;
  first?: number | null;
  after?: string | null;
}>;

const MAX_PAGE = 100;

/** Moderators and admins (people, not service accounts) also find hidden and removed posts. */
export function seesModerated(identity: SubgraphContext['identity']): boolean {
  return (
    identity !== undefined &&
    !identity.isServiceAccount &&
    (identity.roles.includes('moderator') || identity.roles.includes('admin'))
  );
}

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    search: (_: unknown, args: SearchArgs, ctx: SubgraphContext) => {
      const validator = new InputValidator();
      const query = normalizeQuery(args.query, validator);
      const filter = normalizeFilter(args.filter, validator);
      const first = args.first ?? 20;
      validator.check(
        Number.isInteger(first) && first >= 1 && first <= MAX_PAGE,
        'first',
        `must be between 1 and ${MAX_PAGE}`,
      );
      validator.done();
      let after: SearchCursor | undefined;
      if (args.after != null) after = decodeSearchCursor(args.after);
      return new SearchService(ctx.em).search({
        query,
        filter,
        first,
        after,
        includeModerated: seesModerated(ctx.identity),
      });
    },
  },
};
