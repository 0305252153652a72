import type { Identity } from '@supergraph/auth';
import type { GraphQLResolveInfo } from 'graphql';
import { connection, DateTimeScalar, parsePageArgs, type SubgraphContext } from '@supergraph/subgraph-kit';
import { followConnection, FollowService, type FollowEdge, type FollowSide } from './follow.service.js';
import { UserSchema, type User, type UserAudit } from './user.entity.js';
import { UserService, type AccountServices, type CreateUserInput, type UpdateProfileInput } from './user.service.js';

type Args<T> = T & Record<string, unknown>;

/** Fields guarded by `@authenticated` / `@requiresScopes` run only with an identity (the kit enforces it). */
function caller(ctx: SubgraphContext): Identity {
  return ctx.identity!;
}

/** `User.followers` / `User.following`: one loader per side and page arguments, so a level costs one query. */
function followPage(side: FollowSide) {
  return async (user: User, args: Args<{ first?: number; after?: string }>, ctx: SubgraphContext) => {
    const page = parsePageArgs(args);
    const loader = ctx.loaders.get<string, FollowEdge[]>(
      `User.${side}:${page.first}:${page.after ?? ''}`,
      async (ids) => {
        const pages = await new FollowService(ctx.em).pages(ids, side, page);
        return ids.map((id) => pages.get(id) ?? []);
      },
    );
    return followConnection(await loader.load(user.id), page.first);
  };
}

export function createResolvers(services: AccountServices) {
  const service = (ctx: SubgraphContext) => new UserService(ctx.em, services);
  return {
    DateTime: DateTimeScalar,
    Query: {
      me: (_: unknown, __: unknown, ctx: SubgraphContext) => service(ctx).me(caller(ctx)),
      user: (_: unknown, { id }: Args<{ id: string }>, ctx: SubgraphContext) =>
        ctx.loaders.byId(UserSchema).load(id.toLowerCase()),
      users: async (_: unknown, args: Args<{ first?: number; after?: string }>, ctx: SubgraphContext) => {
        const page = parsePageArgs(args);
        return connection(await service(ctx).page(page), page.first);
      },
      usersFlaggedForReview: async (
        _: unknown,
        args: Args<{ first?: number; after?: string }>,
        ctx: SubgraphContext,
      ) => {
        const page = parsePageArgs(args);
        return connection(await service(ctx).flaggedPage(page), page.first);
      },
    },
    Mutation: {
      createUser: (_: unknown, { input }: Args<{ input: CreateUserInput }>, ctx: SubgraphContext) =>
        service(ctx).create(input, caller(ctx)),
      updateProfile: (
        _: unknown,
        args: Args<{ id?: string | null; input: UpdateProfileInput }>,
        ctx: SubgraphContext,
        info: GraphQLResolveInfo,
      ) => {
        const target = (args.id ?? caller(ctx).subject).toLowerCase();
        // Entity-level policy: decided before anything is read or written.
        ctx.policy.require('supergraph/users/profile/decision', info, { id: target }, { id: args.id ?? null });
        return service(ctx).updateProfile(caller(ctx), args.input, target);
      },
      disableUser: (_: unknown, { id, reason }: Args<{ id: string; reason: string }>, ctx: SubgraphContext) =>
        service(ctx).setEnabled(id, false, caller(ctx), reason),
      enableUser: (_: unknown, { id }: Args<{ id: string }>, ctx: SubgraphContext) =>
        service(ctx).setEnabled(id, true, caller(ctx), null),
      follow: (_: unknown, { userId }: Args<{ userId: string }>, ctx: SubgraphContext) =>
        new FollowService(ctx.em).follow(caller(ctx), userId),
      unfollow: (_: unknown, { userId }: Args<{ userId: string }>, ctx: SubgraphContext) =>
        new FollowService(ctx.em).unfollow(caller(ctx), userId),
    },
    User: {
      accountStatus: (user: User) => (user.disabledAt ? 'DISABLED' : 'ACTIVE'),
      // Counters are columns of the user row (kept by FollowService), so they cost no query of their own.
      followerCount: (user: User) => user.followerCount,
      followingCount: (user: User) => user.followingCount,
      flaggedForReview: (user: User) => user.flaggedForReviewAt !== null,
      followers: followPage('followers'),
      following: followPage('following'),
      auditLog: async (user: User, _: unknown, ctx: SubgraphContext) =>
        (
          await ctx.loaders
            .get<string, UserAudit[]>('User.auditLog', (ids) => service(ctx).auditLogs(ids))
            .load(user.id)
        ).map((entry) => ({
          action: entry.action,
          reason: entry.reason,
          actor: entry.actor,
          at: entry.createdAt,
        })),
    },
  };
}
