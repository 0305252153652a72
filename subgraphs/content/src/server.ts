import { createSubgraphServer, defineSubgraph, loadTypeDefs, type SubgraphDeps } from '@supergraph/subgraph-kit';
import { migrations } from './migrations/index.js';
import { PlanEntitlementSchema } from './entitlement.entity.js';
import { applyModerationStatus } from './moderation-status.js';
import { applySubscriptionChanged, planOf } from './entitlement.service.js';
import { PostSchema, type Post } from './post.entity.js';
import { CommentSchema } from './comment.entity.js';
import { PostLikeSchema } from './like.entity.js';
import { FollowCountSchema, FollowSchema } from './follow.entity.js';
import { IdempotencyKeySchema } from './idempotency.entity.js';
import { commentAddedPublisher, postCreatedPublisher } from './realtime.js';
import { applyFollowEvent, FOLLOWS_STREAM } from './follow.service.js';
import { resolvers } from './resolvers.js';

export const contentSubgraph = defineSubgraph({
  name: 'content',
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  entities: [
    PostSchema,
    CommentSchema,
    PostLikeSchema,
    FollowSchema,
    FollowCountSchema,
    IdempotencyKeySchema,
    PlanEntitlementSchema,
  ],
  migrations,
  // Post and Comment resolve their references themselves (resolvers.ts): with the readers' visibility rules.
  consumers: [
    { stream: 'billing.subscriptions', name: 'content.entitlements', handle: applySubscriptionChanged },
    { stream: 'moderation.decisions', name: 'content.moderation-status', handle: applyModerationStatus },
    { stream: FOLLOWS_STREAM, name: 'content.follows', handle: applyFollowEvent },
    postCreatedPublisher,
    commentAddedPublisher,
  ],
  policyResources: {
    Post: (post: Post) => ({ id: post.id, authorId: post.authorId, status: post.status, premium: post.premium }),
  },
  policyPlan: planOf,
});

/** The content subgraph server; `src/index.ts` boots it from the environment. */
export const createServer = (deps: SubgraphDeps) => createSubgraphServer(contentSubgraph, deps);
