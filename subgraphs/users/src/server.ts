import { createSubgraphServer, defineSubgraph, loadTypeDefs, type SubgraphDeps } from '@supergraph/subgraph-kit';
import { authorFlaggedConsumer } from './author-flagged.js';
import { FollowSchema } from './follow.entity.js';
import { migrations } from './migrations/index.js';
import { createResolvers } from './resolvers.js';
import { UserAuditSchema, UserSchema } from './user.entity.js';
import type { AccountServices } from './user.service.js';

export type { IdentityProviderAdmin } from './identity-admin.js';
export { KeycloakIdentityAdmin, keycloakFromIssuer } from './keycloak-admin.js';
export type { AccountServices } from './user.service.js';
export { FOLLOWS_STREAM } from './follow.service.js';

/** The users subgraph; account administration acts through `services`. */
export function usersSubgraph(services: AccountServices = {}) {
  return defineSubgraph({
    name: 'users',
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers(services),
    entities: [UserSchema, UserAuditSchema, FollowSchema],
    migrations,
    references: { User: UserSchema },
    consumers: [authorFlaggedConsumer],
  });
}

/** The users subgraph server; `src/index.ts` boots it from the environment. */
export const createServer = (deps: SubgraphDeps & AccountServices) =>
  createSubgraphServer(
    usersSubgraph({
      identityAdmin: deps.identityAdmin,
      denylist: deps.denylist,
      tokenLifetimeSeconds: deps.tokenLifetimeSeconds,
    }),
    deps,
  );
