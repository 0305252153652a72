import { isId, type SubgraphContext } from '@supergraph/subgraph-kit';
import { ContentModerationSchema, ModerationRuleSchema, type ModerationStatus } from './moderation.entity.js';

export const resolvers = {
  Query: {
    moderationRules: (_: unknown, __: unknown, ctx: SubgraphContext) =>
      ctx.em.find(ModerationRuleSchema, {}, { orderBy: { severity: 'desc', id: 'asc' } }),
  },
  Post: {
    // Posts are owned by content; every reference resolves, and its moderation is batched.
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    moderation: async (post: { id: string }, _: unknown, ctx: SubgraphContext) => {
      const loader = ctx.loaders.get<string, ModerationStatus>('Post.moderation', async (ids) => {
        const valid = ids.filter(isId);
        const rows = valid.length ? await ctx.em.find(ContentModerationSchema, { postId: { $in: valid } }) : [];
        const byPost = new Map(rows.map((row) => [row.postId, row.status]));
        return ids.map((id) => byPost.get(id) ?? 'VISIBLE');
      });
      return { status: await loader.load(post.id) };
    },
  },
};
