import type { GraphQLResolveInfo } from 'graphql';
import { AppError } from '@supergraph/errors';
import {
  connection,
  DateTimeScalar,
  filterEvents,
  isId,
  parsePageArgs,
  type PageArgs,
  type SubgraphContext,
} from '@supergraph/subgraph-kit';
import { PostSchema, type Post } from './post.entity.js';
import { CommentSchema, type Comment } from './comment.entity.js';
import { PostService, type Authorize, type CreatePostInput, type EditPostInput } from './post.service.js';
import { CommentService, type AddCommentInput } from './comment.service.js';
import { LikeService } from './like.service.js';
import {
  COMMENT_ADDED_TOPIC,
  commentFromPayload,
  POST_CREATED_TOPIC,
  postFromPayload,
  type CommentCreatedPayload,
  type PostCreatedPayload,
} from './realtime.js';
import { isPublic, seesRestricted } from './visibility.js';

type Args<T> = T & Record<string, unknown>;
type PageArgsInput = Args<{ first?: number; after?: string }>;

/** `@requiresScopes(role:user)` guarantees an identity on the fields that call this. */
const subjectOf = (ctx: SubgraphContext): string => ctx.identity!.subject.toLowerCase();

/**
 * Whether the caller may see this post by id: deleted, hidden and removed posts only for moderators and
 * admins (hidden/removed through the read policy, which the security team can change; premium bodies
 * are the `body` field's own policy).
 */
function readablePost(post: Post | null, ctx: SubgraphContext, info: GraphQLResolveInfo): Post | null {
  if (!post || isPublic(post)) return post;
  if (post.deletedAt !== null && !seesRestricted(ctx.identity)) return null;
  const resource = { id: post.id, authorId: post.authorId, status: post.status, premium: false };
  return ctx.policy.decide('supergraph/content/post/read', info, resource).allow ? post : null;
}

/** One loader per distinct page argument, so every parent of a response level shares one query. */
function commentPage(ctx: SubgraphContext, by: 'post_id' | 'parent_id', key: string, args: PageArgsInput) {
  const page: PageArgs = parsePageArgs(args);
  const loader = ctx.loaders.get<string, Comment[]>(
    `comments:${by}:${page.first}:${page.after ?? ''}`,
    async (keys) => {
      const pages = await new CommentService(ctx.em).pages(by, keys, page);
      return keys.map((id) => pages.get(id) ?? []);
    },
  );
  return loader.load(key).then((rows) => connection(rows, page.first));
}

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    post: async (_: unknown, { id }: Args<{ id: string }>, ctx: SubgraphContext, info: GraphQLResolveInfo) => {
      const post = await ctx.loaders.byId(PostSchema).load(id.toLowerCase());
      if (post && !isPublic(post)) await ctx.policy.prepare();
      return readablePost(post, ctx, info);
    },
    comment: async (_: unknown, { id }: Args<{ id: string }>, ctx: SubgraphContext, info: GraphQLResolveInfo) => {
      const comment = await ctx.loaders.byId(CommentSchema).load(id.toLowerCase());
      if (!comment) return null;
      if (!isPublic(comment) && !seesRestricted(ctx.identity)) return null;
      // A comment is no more visible than its post.
      const post = await ctx.loaders.byId(PostSchema).load(comment.postId);
      if (post && !isPublic(post)) await ctx.policy.prepare();
      return readablePost(post, ctx, info) ? comment : null;
    },
    feed: async (_: unknown, args: PageArgsInput, ctx: SubgraphContext) => {
      const page = parsePageArgs(args);
      // @authenticated: a service account follows no one, so its feed is empty.
      return connection(await new PostService(ctx.em).feed(ctx.identity!.subject, page), page.first);
    },
    partnerPosts: async (_: unknown, args: PageArgsInput, ctx: SubgraphContext) => {
      const page = parsePageArgs(args);
      return connection(await new PostService(ctx.em).latest(page), page.first);
    },
  },
  Mutation: {
    createPost: (
      _: unknown,
      { input, idempotencyKey }: Args<{ input: CreatePostInput; idempotencyKey?: string | null }>,
      ctx: SubgraphContext,
    ) => new PostService(ctx.em).create(subjectOf(ctx), input, idempotencyKey),
    editPost: async (
      _: unknown,
      { id, input }: Args<{ id: string; input: EditPostInput }>,
      ctx: SubgraphContext,
      info: GraphQLResolveInfo,
    ) => new PostService(ctx.em).edit(id, input, await authorizeBy(ctx, info, 'supergraph/content/post/edit')),
    deletePost: async (_: unknown, { id }: Args<{ id: string }>, ctx: SubgraphContext, info: GraphQLResolveInfo) =>
      new PostService(ctx.em).delete(id, await authorizeBy(ctx, info, 'supergraph/content/post/delete')),
    addComment: (
      _: unknown,
      { input, idempotencyKey }: Args<{ input: AddCommentInput; idempotencyKey?: string | null }>,
      ctx: SubgraphContext,
    ) => new CommentService(ctx.em).add(subjectOf(ctx), input, idempotencyKey),
    editComment: (_: unknown, { id, body }: Args<{ id: string; body: string }>, ctx: SubgraphContext) =>
      new CommentService(ctx.em).edit(subjectOf(ctx), id, body),
    deleteComment: (_: unknown, { id }: Args<{ id: string }>, ctx: SubgraphContext) =>
      new CommentService(ctx.em).delete(subjectOf(ctx), id),
    likePost: (_: unknown, { postId }: Args<{ postId: string }>, ctx: SubgraphContext) =>
      changeLike(ctx, postId, (likes, subject, id) => likes.like(subject, id)),
    unlikePost: (_: unknown, { postId }: Args<{ postId: string }>, ctx: SubgraphContext) =>
      changeLike(ctx, postId, (likes, subject, id) => likes.unlike(subject, id)),
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
    commentAdded: {
      subscribe: async (_: unknown, { postId }: Args<{ postId: string }>, ctx: SubgraphContext) => {
        // Only a post its readers see can be followed live; anything else looks like no post at all.
        const post = isId(postId) ? await new PostService(ctx.em).findPublic(postId) : null;
        if (!post) throw AppError.notFound('Post', postId);
        return filterEvents<CommentCreatedPayload>(
          ctx.realtime.subscribe(COMMENT_ADDED_TOPIC),
          (comment) => comment.postId === post.id,
        );
      },
      resolve: (payload: CommentCreatedPayload) => commentFromPayload(payload),
    },
  },
  Post: {
    // Entity references (other subgraphs' lists, e.g. search hits) follow the same visibility rules as lists.
    __resolveReference: async ({ id }: { id: string }, ctx: SubgraphContext) => {
      const post = await ctx.loaders.byId(PostSchema).load(id.toLowerCase());
      return post && (isPublic(post) || seesRestricted(ctx.identity)) ? post : null;
    },
    author: (post: Post) => ({ __typename: 'User', id: post.authorId }),
    commentCount: async (post: Post, _: unknown, ctx: SubgraphContext) => {
      const loader = ctx.loaders.get<string, number>('Post.commentCount', async (ids) => {
        const counts = await new CommentService(ctx.em).counts(ids);
        return ids.map((id) => counts.get(id) ?? 0);
      });
      return loader.load(post.id);
    },
    likedByMe: async (post: Post, _: unknown, ctx: SubgraphContext) => {
      if (!ctx.identity || ctx.identity.isServiceAccount) return false;
      const subject = ctx.identity.subject;
      const loader = ctx.loaders.get<string, boolean>('Post.likedByMe', async (ids) => {
        const liked = await new LikeService(ctx.em).likedBy(subject, ids);
        return ids.map((id) => liked.has(id));
      });
      return loader.load(post.id);
    },
    comments: (post: Post, args: PageArgsInput, ctx: SubgraphContext) => commentPage(ctx, 'post_id', post.id, args),
  },
  Comment: {
    __resolveReference: async ({ id }: { id: string }, ctx: SubgraphContext) => {
      const comment = await ctx.loaders.byId(CommentSchema).load(id.toLowerCase());
      return comment && (isPublic(comment) || seesRestricted(ctx.identity)) ? comment : null;
    },
    author: (comment: Comment) => ({ __typename: 'User', id: comment.authorId }),
    post: async (comment: Comment, _: unknown, ctx: SubgraphContext) => {
      const post = await ctx.loaders.byId(PostSchema).load(comment.postId);
      if (!post) throw AppError.notFound('Post', comment.postId);
      return post;
    },
    // Replies have no replies (one level of threading): no query for them.
    replies: (comment: Comment, args: PageArgsInput, ctx: SubgraphContext) =>
      comment.parentId === null
        ? commentPage(ctx, 'parent_id', comment.id, args)
        : connection([], parsePageArgs(args).first),
  },
  User: {
    posts: async (user: { id: string }, args: PageArgsInput, ctx: SubgraphContext) => {
      const page = parsePageArgs(args);
      const loader = ctx.loaders.get<string, Post[]>(`User.posts:${page.first}:${page.after ?? ''}`, async (ids) => {
        const pages = await new PostService(ctx.em).pagesByAuthor(ids, page);
        return ids.map((id) => pages.get(id) ?? []);
      });
      return connection(await loader.load(user.id), page.first);
    },
  },
};

/** A check of the post policy's `entrypoint` (edit, delete: the author) about the post to change. */
async function authorizeBy(ctx: SubgraphContext, info: GraphQLResolveInfo, entrypoint: string): Promise<Authorize> {
  await ctx.policy.prepare();
  return (post) =>
    ctx.policy.require(entrypoint, info, {
      id: post.id,
      authorId: post.authorId,
      status: post.status,
      premium: post.premium,
    });
}

/** likePost / unlikePost: on a visible post only, answering the post as it is after the change. */
async function changeLike(
  ctx: SubgraphContext,
  postId: string,
  change: (likes: LikeService, subject: string, postId: string) => Promise<void>,
): Promise<Post> {
  const posts = new PostService(ctx.em);
  const post = await posts.findPublic(postId);
  if (!post) throw AppError.notFound('Post', postId);
  await change(new LikeService(ctx.em), subjectOf(ctx), post.id);
  await ctx.em.refresh(post);
  return post;
}
