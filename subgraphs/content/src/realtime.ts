import { realtimeConsumer } from '@supergraph/subgraph-kit';
import { POSTS_STREAM } from './post.service.js';
import type { Post } from './post.entity.js';
import type { Comment } from './comment.entity.js';
import { COMMENTS_STREAM } from './comment.service.js';

/** Realtime topic of created posts: the `PostCreated` payloads of `content.posts`, once committed. */
export const POST_CREATED_TOPIC = 'content.postCreated';

/** The payload of `PostCreated` (stream `content.posts`) and of the `content.postCreated` topic. */
export interface PostCreatedPayload {
  readonly id: string;
  readonly authorId: string;
  readonly title: string;
  readonly body: string;
  readonly tags: string[];
  readonly language: string;
  readonly premium: boolean;
  /** ISO-8601. */
  readonly createdAt: string;
}

/** Publishes every committed `PostCreated` to `content.postCreated`, from whichever replica consumes it. */
export const postCreatedPublisher = realtimeConsumer({
  stream: POSTS_STREAM,
  name: 'content.realtime',
  type: 'PostCreated',
  topic: POST_CREATED_TOPIC,
});

/** The post an event describes, for `Subscription.postCreated` (new posts are always visible). */
export function postFromPayload(payload: PostCreatedPayload): Post {
  const createdAt = new Date(payload.createdAt);
  return {
    id: payload.id,
    authorId: payload.authorId,
    title: payload.title,
    body: payload.body,
    tags: [...payload.tags],
    language: payload.language,
    premium: payload.premium,
    status: 'VISIBLE',
    statusChangedAt: null,
    likeCount: 0,
    createdAt,
    updatedAt: createdAt,
    editedAt: null,
    deletedAt: null,
  };
}

/** Realtime topic of added comments: the `CommentCreated` payloads of `content.comments`, once committed. */
export const COMMENT_ADDED_TOPIC = 'content.commentAdded';

/** The payload of `CommentCreated` (stream `content.comments`) and of the `content.commentAdded` topic. */
export interface CommentCreatedPayload {
  readonly id: string;
  readonly postId: string;
  readonly parentId: string | null;
  readonly authorId: string;
  readonly body: string;
  /** ISO-8601. */
  readonly createdAt: string;
}

/** Publishes every committed `CommentCreated` to `content.commentAdded`. */
export const commentAddedPublisher = realtimeConsumer({
  stream: COMMENTS_STREAM,
  name: 'content.realtime-comments',
  type: 'CommentCreated',
  topic: COMMENT_ADDED_TOPIC,
});

/** The comment an event describes, for `Subscription.commentAdded`. */
export function commentFromPayload(payload: CommentCreatedPayload): Comment {
  return {
    id: payload.id,
    postId: payload.postId,
    authorId: payload.authorId,
    parentId: payload.parentId,
    body: payload.body,
    status: 'VISIBLE',
    statusChangedAt: null,
    createdAt: new Date(payload.createdAt),
    editedAt: null,
    deletedAt: null,
  };
}
