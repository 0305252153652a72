import type { GraphQLResolveInfo } from 'graphql';
import { AppError } from '@supergraph/errors';
import {
  connection,
  DateTimeScalar,
  filterEvents,
  isId,
  parsePageArgs,
  type SubgraphContext,
} from '@supergraph/subgraph-kit';
import { PostSchema, type Post } from './post.entity.js';
import { PostService, type CreatePostInput } from './post.service.js';
import { POST_CREATED_TOPIC, postFromPayload, type PostCreatedPayload } from './realtime.js';

type Args<T> = T & Record<string, unknown>;

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    post: async (_: unknown, { id }: Args<{ id: string }>, ctx: SubgraphContext, info: GraphQLResolveInfo) => {
      const post = await ctx.loaders.byId(PostSchema).load(id);
      if (!post || post.status === 'VISIBLE') return post;
      // Hidden or removed: only those the read policy lets see it (moderators, admins); null for others.
      await ctx.policy.prepare();
      const resource = { id: post.id, authorId: post.authorId, status: post.status, premium: post.premium };
      return ctx.policy.decide('supergraph/content/post/read', info, resource).allow ? post : null;
    },
    partnerPosts: async (_: unknown, args: Args<{ first?: number; after?: string }>, ctx: SubgraphContext) => {
      const page = parsePageArgs(args);
      return connection(await new PostService(ctx.em).latest(page), page.first);
    },
  },
  Mutation: {
    createPost: (_: unknown, { input }: Args<{ input: CreatePostInput }>, ctx: SubgraphContext) =>
      // @requiresScopes guarantees an identity here.
      new PostService(ctx.em).create(ctx.identity!.subject, input),
  },
  Subscription: {
    postCreated: {
      subscribe: (_: unknown, { authorId }: Args<{ authorId?: string | null }>, ctx: SubgraphContext) => {
        if (authorId != null && !isId(authorId)) throw AppError.invalidField('authorId', 'is not a user id');
        const author = authorId?.toLowerCase();
        return filterEvents<PostCreatedPayload>(
          ctx.realtime.subscribe(POST_CREATED_TOPIC),
          (post) => author === undefined || post.authorId === author,
        );
      },
      // Other fields (author, moderation, …) resolve from the Post by key, here or in other subgraphs.
      resolve: (payload: PostCreatedPayload) => postFromPayload(payload),
    },
  },
  Post: {
    author: (post: Post) => ({ __typename: 'User', id: post.authorId }),
  },
  User: {
    posts: async (user: { id: string }, args: Args<{ first?: number; after?: string }>, ctx: SubgraphContext) => {
      const page = parsePageArgs(args);
      // One loader per distinct page argument: every user of a response level shares one query.
      const loader = ctx.loaders.get<string, Post[]>(`User.posts:${page.first}:${page.after ?? ''}`, async (ids) => {
        const pages = await new PostService(ctx.em).pagesByAuthor(ids, page);
        return ids.map((id) => pages.get(id) ?? []);
      });
      return connection(await loader.load(user.id), page.first);
    },
  },
};
