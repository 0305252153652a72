import { AppError } from '@supergraph/errors';
import { isId, recordEvent, type SubgraphContext } from '@supergraph/subgraph-kit';
import { ContentModerationSchema, ModerationRuleSchema, type ModerationStatus } from './moderation.entity.js';

export const MODERATION_STREAM = 'moderation.decisions';

export const resolvers = {
  Mutation: {
    setModerationStatus: async (
      _: unknown,
      { postId, status }: { postId: string; status: ModerationStatus },
      ctx: SubgraphContext,
    ) => {
      if (!isId(postId)) throw AppError.invalidField('postId', 'is not a post id');
      const id = postId.toLowerCase();
      const now = new Date();
      const row =
        (await ctx.em.findOne(ContentModerationSchema, { postId: id })) ??
        ctx.em.create(ContentModerationSchema, { postId: id, status, updatedAt: now });
      row.status = status;
      row.updatedAt = now;
      recordEvent(ctx.em, {
        stream: MODERATION_STREAM,
        type: 'ModerationStatusChanged',
        aggregateId: id,
        payload: { postId: id, status, changedAt: now.toISOString(), moderator: ctx.identity?.subject ?? null },
      });
      await ctx.em.flush();
      return { status };
    },
  },
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
