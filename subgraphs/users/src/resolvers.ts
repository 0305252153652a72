import type { Identity } from '@supergraph/auth';
import type { GraphQLResolveInfo } from 'graphql';
import { connection, DateTimeScalar, parsePageArgs, type SubgraphContext } from '@supergraph/subgraph-kit';
import { UserSchema, type User } from './user.entity.js';
import { UserService, type AccountServices, type CreateUserInput, type UpdateProfileInput } from './user.service.js';

type Args<T> = T & Record<string, unknown>;

/** Fields guarded by `@authenticated` / `@requiresScopes` run only with an identity (the kit enforces it). */
function caller(ctx: SubgraphContext): Identity {
  return ctx.identity!;
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
    },
    User: {
      accountStatus: (user: User) => (user.disabledAt ? 'DISABLED' : 'ACTIVE'),
      auditLog: async (user: User, _: unknown, ctx: SubgraphContext) =>
        (await service(ctx).auditLog(user.id)).map((entry) => ({
          action: entry.action,
          reason: entry.reason,
          actor: entry.actor,
          at: entry.createdAt,
        })),
    },
  };
}
