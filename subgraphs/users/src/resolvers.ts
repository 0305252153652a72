import { AppError } from '@supergraph/errors';
import { connection, DateTimeScalar, isId, parsePageArgs, type SubgraphContext } from '@supergraph/subgraph-kit';
import { UserSchema } from './user.entity.js';
import { UserService, type CreateUserInput, type UpdateProfileInput } from './user.service.js';

type Args<T> = T & Record<string, unknown>;

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    user: (_: unknown, { id }: Args<{ id: string }>, ctx: SubgraphContext) => ctx.loaders.byId(UserSchema).load(id),
    users: async (_: unknown, args: Args<{ first?: number; after?: string }>, ctx: SubgraphContext) => {
      const page = parsePageArgs(args);
      return connection(await new UserService(ctx.em).page(page), page.first);
    },
  },
  Mutation: {
    createUser: (_: unknown, { input }: Args<{ input: CreateUserInput }>, ctx: SubgraphContext) =>
      new UserService(ctx.em).create(input),
    updateProfile: (
      _: unknown,
      { id, input }: Args<{ id: string; input: UpdateProfileInput }>,
      ctx: SubgraphContext,
    ) => {
      if (!isId(id)) throw AppError.notFound('User', id);
      return new UserService(ctx.em).updateProfile(id, input);
    },
  },
};
