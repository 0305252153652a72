import { AppError } from '@supergraph/errors';
import { connection, DateTimeScalar, isId, parsePageArgs, type SubgraphContext } from '@supergraph/subgraph-kit';
import { AuditEntrySchema } from './audit.entity.js';
import { audit } from './audit.js';
import { ModerationCaseSchema, type Decision, type ModerationCase } from './case.entity.js';
import { CaseService, caseFromPayload, type CasePayload } from './case.service.js';
import type { ModerationConfig } from './config.js';
import { changeStatus, lockItem } from './content-status.js';
import { ContentItemSchema, type ModerationStatus } from './content-item.entity.js';
import { CASE_UPDATED_TOPIC } from './realtime.js';
import { ReportService } from './report.service.js';
import { ModerationRuleSchema } from './rule.entity.js';
import { RuleService, type RuleInput } from './rule.service.js';

type Args<T> = T & Record<string, unknown>;
const STATUSES = new Set<ModerationStatus>(['VISIBLE', 'HIDDEN', 'REMOVED']);

// Mutations and moderator fields are guarded by @requiresScopes, so an identity is present in them.
const subject = (ctx: SubgraphContext) => ctx.identity!.subject;

/** Resolvers of the moderation subgraph; `config` carries its settings (removal threshold, claim TTL, …). */
export function createResolvers(config: ModerationConfig) {
  return {
    DateTime: DateTimeScalar,
    Query: {
      moderationRules: (_: unknown, __: unknown, ctx: SubgraphContext) => new RuleService(ctx.em, config).active(),
      moderationQueue: async (_: unknown, args: Args<{ first?: number; after?: string }>, ctx: SubgraphContext) => {
        const page = parsePageArgs(args);
        return connection(await new CaseService(ctx.em, config).queue(page), page.first);
      },
      moderationCase: (_: unknown, { id }: Args<{ id: string }>, ctx: SubgraphContext) =>
        isId(id) ? ctx.em.findOne(ModerationCaseSchema, { id: id.toLowerCase() }) : null,
      moderationAuditLog: async (
        _: unknown,
        args: Args<{ first?: number; after?: string; targetId?: string | null }>,
        ctx: SubgraphContext,
      ) => {
        const page = parsePageArgs(args, 50);
        const where = {
          ...(args.targetId != null ? { targetId: args.targetId.toLowerCase() } : {}),
          ...(page.after !== undefined ? { id: { $lt: page.after } } : {}),
        };
        const rows = await ctx.em.find(AuditEntrySchema, where, { orderBy: { id: 'desc' }, limit: page.first + 1 });
        return connection(rows, page.first);
      },
    },
    Mutation: {
      setModerationStatus: async (
        _: unknown,
        { postId, status }: Args<{ postId: string; status: ModerationStatus }>,
        ctx: SubgraphContext,
      ) => {
        if (!isId(postId)) throw AppError.invalidField('postId', 'is not a post id');
        if (!STATUSES.has(status)) throw AppError.invalidField('status', 'is not a moderation status');
        const id = postId.toLowerCase();
        await ctx.em.transactional(async (em) => {
          const item = await lockItem(em, id, { contentType: 'POST', postId: id, authorId: null });
          const previousStatus = item.status;
          if (!changeStatus(em, item, status, { caseId: null, reason: null, moderator: subject(ctx) })) return;
          audit(em, {
            actor: subject(ctx),
            action: 'STATUS_SET',
            targetType: 'POST',
            targetId: id,
            details: { previousStatus, status },
          });
        });
        return { id, status };
      },
      createModerationRule: (_: unknown, { input }: Args<{ input: RuleInput }>, ctx: SubgraphContext) =>
        new RuleService(ctx.em, config).create(subject(ctx), input),
      updateModerationRule: (_: unknown, { id, input }: Args<{ id: string; input: RuleInput }>, ctx: SubgraphContext) =>
        new RuleService(ctx.em, config).update(subject(ctx), id, input),
      deleteModerationRule: (_: unknown, { id }: Args<{ id: string }>, ctx: SubgraphContext) =>
        new RuleService(ctx.em, config).delete(subject(ctx), id),
      reportContent: (_: unknown, { id, reason }: Args<{ id: string; reason: string }>, ctx: SubgraphContext) =>
        new ReportService(ctx.em, config).report(subject(ctx), id, reason),
      claimCase: (_: unknown, { id }: Args<{ id: string }>, ctx: SubgraphContext) =>
        new CaseService(ctx.em, config).claim(id, subject(ctx)),
      decideCase: (
        _: unknown,
        { id, decision, note }: Args<{ id: string; decision: Decision; note?: string | null }>,
        ctx: SubgraphContext,
      ) => new CaseService(ctx.em, config).decide(id, decision, note ?? null, subject(ctx)),
    },
    Subscription: {
      moderationCaseUpdated: {
        subscribe: (_: unknown, __: unknown, ctx: SubgraphContext) => ctx.realtime.subscribe(CASE_UPDATED_TOPIC),
        resolve: (payload: CasePayload) => caseFromPayload(payload),
      },
    },
    Post: {
      // Posts are owned by content; every reference resolves, and its moderation is batched.
      __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
      moderation: async (post: { id: string }, _: unknown, ctx: SubgraphContext) => {
        const item = await ctx.loaders.byId(ContentItemSchema).load(post.id.toLowerCase());
        return { id: post.id.toLowerCase(), status: item?.status ?? 'VISIBLE' };
      },
    },
    PostModeration: {
      case: (moderation: { id: string }, _: unknown, ctx: SubgraphContext) => latestCase(ctx, moderation.id),
    },
    ModerationCase: {
      post: (moderationCase: ModerationCase) => ({ __typename: 'Post', id: moderationCase.postId }),
      author: (moderationCase: ModerationCase) =>
        moderationCase.authorId === null ? null : { __typename: 'User', id: moderationCase.authorId },
      contentStatus: async (moderationCase: ModerationCase, _: unknown, ctx: SubgraphContext) =>
        (await ctx.loaders.byId(ContentItemSchema).load(moderationCase.contentId))?.status ?? 'VISIBLE',
      rule: (moderationCase: ModerationCase, _: unknown, ctx: SubgraphContext) =>
        moderationCase.ruleId === null ? null : ctx.loaders.byId(ModerationRuleSchema).load(moderationCase.ruleId),
    },
  };
}

/** Per content id: its open case, else its latest one (one query for every post of a response). */
function latestCase(ctx: SubgraphContext, contentId: string): Promise<ModerationCase | null> {
  const loader = ctx.loaders.get<string, ModerationCase | null>('PostModeration.case', async (ids) => {
    const valid = [...new Set(ids)].filter(isId);
    const rows = valid.length
      ? await ctx.em.find(ModerationCaseSchema, { contentId: { $in: valid } }, { orderBy: { id: 'desc' } })
      : [];
    const best = new Map<string, ModerationCase>();
    for (const row of rows) {
      const current = best.get(row.contentId);
      if (!current || (current.state === 'CLOSED' && row.state !== 'CLOSED')) best.set(row.contentId, row);
    }
    return ids.map((id) => best.get(id) ?? null);
  });
  return loader.load(contentId);
}
